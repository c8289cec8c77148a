// Buffered writes of whole lines to a file descriptor. It knows bytes and
// errors, nothing of levels or formats.
//
// - Lines written in one event-loop turn leave in one write(2), on an
//   unref'd setImmediate (or sooner, once 64 KiB are waiting). Under steady
//   traffic (a write less than BATCH_MS ago) they wait for the BATCH_MS
//   mark instead: a busy server logging a few records per request would
//   otherwise pay a write(2) and an fstat per request.
// - flushSync() writes everything now; the logger calls it for error records
//   and the exit hook calls it last.
// - EAGAIN (a non-blocking pipe whose reader is slow) is retried: a few
//   milliseconds when the caller is waiting, on a backoff timer otherwise.
// - EPIPE/EBADF (the reader left, the fd was closed) end the writer quietly.
// - Other errors (ENOSPC, EIO...) keep the data and retry on the timer.
// - A line a partial write tore is finished on the same fd, or sent whole to
//   another one (the stderr fallback), never as a tail without its header.
// - Memory is bounded: past maxBuffer, lines are dropped and counted, and
//   onRecovered() reports the count once a write succeeds again.
// - A record counts as written only once its bytes are out (onWritten, per
//   tag): one small int per queued record says whose it is, no syscall.
// - Lines are joined into a short string and encoded into one byte buffer
//   every CHUNK characters, so their strings die young: a whole batch kept
//   as strings (up to BATCH_MS of a busy server's lines) outlives scavenges
//   and costs a long flatten of scattered strings at the write; encoding
//   each line alone costs a native call per line.

import fs from 'node:fs'

export type DropReason = 'buffer_full' | 'write_error' | 'destination_gone' | 'closed'

/**
 * What the writer does after a failed write, as the target decides:
 * `retry` now (the target switched to another fd, stderr), `later` (keep the
 * data, retry on the timer, never end the writer), or the `default` handling.
 */
export type FailureAction = 'retry' | 'later' | 'default'

/**
 * Where the bytes go: one fd, or a file that rotates and so may hand out a
 * new fd before a write (see rotating-file.ts).
 */
export interface WriteTarget {
  /** The fd for the next write of `bytes` bytes. */
  fdFor (bytes: number): number
  /** Releases the target's fds (never fd 1 or 2). */
  close (): void
  /** A write to `fd` failed with `code`. */
  failed?: (fd: number, code: string) => FailureAction
  /** A write to `fd` succeeded. */
  written?: (fd: number) => void
}

/** A target that is one fd; closed on close() only when `owned`. */
export function fdTarget (fd: number, owned: boolean): WriteTarget {
  return {
    fdFor: () => fd,
    close: () => {
      if (!owned) return
      try {
        fs.closeSync(fd)
      } catch {
        // Already closed by someone else: nothing left to release.
      }
    }
  }
}

export type WriteFn = (fd: number, data: string | Buffer) => number

const writeSync: WriteFn = (fd, data) => typeof data === 'string' ? fs.writeSync(fd, data) : fs.writeSync(fd, data)

export interface FdWriterOptions {
  readonly maxBuffer: number
  /** The write call; a test may inject one that fails (ENOSPC, say). */
  readonly write?: WriteFn
  /** Called after a successful write when lines were dropped since the last report. */
  readonly onRecovered?: (dropped: number, reason: DropReason) => void
  /** Called once when the destination is gone for good (EPIPE, EBADF). */
  readonly onGone?: (code: string) => void
  /** Called when `n` records written with `tag` have all their bytes out. */
  readonly onWritten?: (tag: number, n: number) => void
}

export interface WriterStats {
  bytes: number
  writes: number
  readonly dropped: Record<DropReason, number>
  readonly errors: Record<string, number>
}

const HIGH_WATER = 64 * 1024
/** At most one batch per this many ms under steady traffic; what a hard crash can lose of non-error records. */
export const BATCH_MS = 10
const GONE = new Set(['EPIPE', 'EBADF', 'ECONNRESET', 'ENXIO'])
const SLEEP = new Int32Array(new SharedArrayBuffer(4))
/** The buffer's usual size: a batch at the high-water mark and the largest default line (16 KB, 3 bytes a character). */
const BASE_BUFFER = HIGH_WATER + 64 * 1024
const EMPTY = Buffer.alloc(0)
/** Characters of lines joined as a string before they are encoded (a few dozen lines). */
const CHUNK = 8 * 1024

export class FdWriter {
  readonly stats: WriterStats = {
    bytes: 0,
    writes: 0,
    dropped: { buffer_full: 0, write_error: 0, destination_gone: 0, closed: 0 },
    errors: {}
  }

  /** The queued lines, UTF-8, oldest first: `buf[0, len)`, then `chunk`; allocated on first use. */
  private buf = EMPTY
  private len = 0
  /**
   * Bytes at the front of `buf` already written to `headFd`: the start of a
   * line a partial write tore. The line is kept whole so that another fd (the
   * stderr fallback, a rotated file) gets all of it, never its tail alone.
   */
  private head = 0
  private headFd = -1
  /** Lines not yet encoded; `len + 3 × chunk.length` always fits in `buf`. */
  private chunk = ''
  /** How many of the tagged records are in `chunk` (the newest ones). */
  private chunkTags = 0
  private scheduled = false
  private retry: NodeJS.Timeout | undefined
  private backoff = 0
  private lastError: string | undefined
  private unreported = 0
  private unreportedReason: DropReason = 'buffer_full'
  private gone = false
  private closed = false
  private flushing = false
  private readonly flushSoon = (): void => { this.flush(0) }
  /** When the last batch went out (Date.now()). */
  private lastBatch = 0
  /** Write now rather than at the end of the turn once this much is waiting. */
  private readonly highWater: number

  private readonly writeFn: WriteFn
  /** The tags of the records queued, oldest first (a ring). */
  private tags = new Uint8Array(64)
  private tagHead = 0
  private tagCount = 0

  constructor (private readonly target: WriteTarget, private readonly options: FdWriterOptions) {
    this.writeFn = options.write ?? writeSync
    this.highWater = Math.min(HIGH_WATER, Math.floor(options.maxBuffer / 2))
  }

  /** Whether the destination is gone (EPIPE, EBADF) or the writer closed. */
  get isOpen (): boolean {
    return !this.gone && !this.closed
  }

  /**
   * Queues whole lines. With a `tag` (0-255), `lines` is one record, reported
   * through onWritten once all its bytes are out. Returns false when dropped.
   */
  write (lines: string, tag?: number): boolean {
    if (this.gone || this.closed) return this.drop(lines, this.closed ? 'closed' : 'destination_gone')
    // A UTF-16 unit is at most 3 bytes of UTF-8: the exact count only when that bound does not fit.
    if (this.len + (this.chunk.length + lines.length) * 3 <= this.buf.length) {
      this.chunk += lines
      if (tag !== undefined) this.chunkTags++
      if (this.chunk.length >= CHUNK) this.encode()
    } else {
      this.encode()
      const bytes = Buffer.byteLength(lines)
      if (this.len + bytes > this.options.maxBuffer) {
        return this.drop(lines, this.lastError === undefined || this.lastError === 'EAGAIN' ? 'buffer_full' : 'write_error')
      }
      if (this.len + bytes > this.buf.length) this.grow(bytes)
      this.len += this.buf.write(lines, this.len)
    }
    if (tag !== undefined) this.pushTag(tag)
    if (this.retry !== undefined) return true
    if (this.len + this.chunk.length >= this.highWater) {
      this.flush(0)
    } else if (!this.scheduled) {
      this.scheduled = true
      const wait = this.lastBatch + BATCH_MS - Date.now()
      if (wait > 0) setTimeout(this.flushSoon, wait).unref()
      else setImmediate(this.flushSoon).unref()
    }
    return true
  }

  /** Writes everything now, waiting up to `waitMs` for a pipe that returns EAGAIN. */
  flushSync (waitMs = 100): void {
    this.flush(waitMs)
  }

  /** Flushes (waiting up to `waitMs`), then closes the fd if this writer owns it. */
  close (waitMs = 1000): void {
    if (this.closed) return
    this.flush(waitMs)
    this.closed = true
    this.clearRetry()
    if (this.len + this.chunk.length > 0) this.discard('closed')
    this.buf = EMPTY
    this.target.close()
  }

  /** The pending chunk into the buffer (the invariant on `chunk` says it fits). */
  private encode (): void {
    if (this.chunk === '') return
    this.len += this.buf.write(this.chunk, this.len)
    this.chunk = ''
    this.chunkTags = 0
  }

  /** Room for `bytes` more: the buffer doubles (at most to maxBuffer, at least to what is needed). */
  private grow (bytes: number): void {
    const size = Math.max(this.len + bytes, Math.min(Math.max(this.buf.length * 2, BASE_BUFFER), this.options.maxBuffer))
    const bigger = Buffer.allocUnsafeSlow(size)
    this.buf.copy(bigger, 0, 0, this.len)
    this.buf = bigger
  }

  private flush (waitMs: number): void {
    this.scheduled = false
    // A record logged from inside a flush (a rotation notice) just queues: the running loop writes it.
    if (this.flushing || this.gone || this.closed) return
    this.flushing = true
    try {
      this.drain(waitMs)
    } finally {
      this.flushing = false
    }
  }

  private drain (waitMs: number): void {
    const deadline = waitMs > 0 ? Date.now() + waitMs : 0
    for (this.encode(); this.len > 0; this.encode()) {
      let written: number
      let fd = -1
      try {
        fd = this.target.fdFor(this.len - this.head)
        // A torn line goes whole to a new fd: its tail alone would be a line without a header there.
        if (this.head > 0 && fd !== this.headFd) this.head = 0
        // Taken after fdFor: a notice it logs is queued behind these bytes, and may have grown the buffer.
        written = this.writeFn(fd, this.buf.subarray(this.head, this.len))
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN'
        const action = this.target.failed?.(fd, code) ?? 'default'
        if (action === 'retry') {
          this.count(code)
          continue
        }
        if (action === 'default' && GONE.has(code)) {
          this.count(code)
          this.gone = true
          this.discard('destination_gone')
          this.clearRetry()
          this.options.onGone?.(code)
          return
        }
        if (code !== 'EAGAIN') this.count(code)
        this.lastError = code
        if (code === 'EAGAIN' && Date.now() < deadline) {
          Atomics.wait(SLEEP, 0, 0, 1)
          continue
        }
        this.scheduleRetry()
        return
      }
      this.stats.bytes += written
      this.stats.writes++
      this.lastBatch = Date.now()
      this.target.written?.(fd)
      const end = this.head + written
      if (end < this.len) {
        // A partial write (or lines queued by the target meanwhile): the rest moves
        // to the front, from the start of the line it tore.
        this.completed(newlines(this.buf, this.head, end))
        const cut = end === 0 ? 0 : this.buf.lastIndexOf(10, end - 1) + 1
        this.buf.copyWithin(0, cut, this.len)
        this.len -= cut
        this.head = end - cut
        this.headFd = fd
      } else {
        this.len = 0
        this.head = 0
        // All but the records a target callback queued meanwhile, still in `chunk`.
        this.completed(this.tagCount - this.chunkTags)
      }
    }
    // Back to the usual size once a burst or an outage has drained.
    if (this.buf.length > BASE_BUFFER) this.buf = EMPTY
    this.succeeded()
  }

  private pushTag (tag: number): void {
    if (this.tagCount === this.tags.length) {
      const bigger = new Uint8Array(this.tags.length * 2)
      for (let i = 0; i < this.tagCount; i++) bigger[i] = this.tags[(this.tagHead + i) % this.tags.length] as number
      this.tags = bigger
      this.tagHead = 0
    }
    this.tags[(this.tagHead + this.tagCount) % this.tags.length] = tag
    this.tagCount++
  }

  /** The oldest `n` queued records are out: report them by tag. */
  private completed (n: number): void {
    const k = Math.min(n, this.tagCount)
    if (k === 0) return
    const report = this.options.onWritten
    let run = this.tags[this.tagHead] as number
    let count = 0
    for (let i = 0; i < k; i++) {
      const t = this.tags[this.tagHead] as number
      this.tagHead = (this.tagHead + 1) % this.tags.length
      if (t !== run) {
        report?.(run, count)
        run = t
        count = 0
      }
      count++
    }
    this.tagCount -= k
    report?.(run, count)
  }

  private succeeded (): void {
    this.lastError = undefined
    this.backoff = 0
    this.clearRetry()
    if (this.unreported > 0) {
      const n = this.unreported
      this.unreported = 0
      this.options.onRecovered?.(n, this.unreportedReason)
    }
  }

  private scheduleRetry (): void {
    if (this.retry !== undefined) return
    this.backoff = Math.min(this.backoff === 0 ? 5 : this.backoff * 2, 1000)
    this.retry = setTimeout(() => {
      this.retry = undefined
      this.flush(0)
    }, this.backoff)
    this.retry.unref()
  }

  private clearRetry (): void {
    if (this.retry !== undefined) {
      clearTimeout(this.retry)
      this.retry = undefined
    }
  }

  private count (code: string): void {
    this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1
  }

  private drop (lines: string, reason: DropReason): false {
    const n = countLines(lines)
    this.stats.dropped[reason] += n
    if (reason === 'buffer_full' || reason === 'write_error') {
      this.unreported += n
      this.unreportedReason = reason
    }
    return false
  }

  /** Drops whatever is still queued, counting its lines; the buffer goes too (nothing is queued again). */
  private discard (reason: DropReason): void {
    const n = newlines(this.buf, 0, this.len) + countLines(this.chunk)
    this.buf = EMPTY
    this.len = 0
    this.head = 0
    this.chunk = ''
    this.chunkTags = 0
    this.tagCount = 0
    this.tagHead = 0
    this.stats.dropped[reason] += n
  }
}

function newlines (buf: Buffer, from: number, to: number): number {
  let n = 0
  for (let i = buf.indexOf(10, from); i !== -1 && i < to; i = buf.indexOf(10, i + 1)) n++
  return n
}

function countLines (s: string): number {
  let n = 0
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++
  return n
}
