// Records from many log files in time order: each file is read in large
// chunks (gzip inflated on libuv's thread pool while the previous chunk is
// parsed), split into lines, parsed, and the files' record streams are
// merged by time. Rotated files rarely overlap, so a file is opened only when
// the merge reaches its first record's time: usually one is open at a time,
// never more than MAX_OPEN.
// Records of several processes in one file keep the file's order.
//
// Hostile input stays bounded: a line longer than MAX_LINE is skipped
// without being held (its parts are dropped as they come), a truncated or
// corrupt gzip ends that file with a problem noted, a file that shrinks
// while read is noted, and a file is read only up to the size it had when
// opened, so a log that keeps growing cannot keep a summary running.

import { isAscii } from 'node:buffer'
import fs from 'node:fs'
import zlib from 'node:zlib'
import type { FileRead } from './model'
import { MAX_LINE, lineEnd, parseLine, type ReadRecord } from './parse'
import type { PlannedFile } from './files'

export interface ReadRange {
  /** Epoch ms; NaN or ±Infinity for no bound. */
  readonly since: number
  readonly until: number
}

/**
 * Files open at once, at most: each holds a chunk, a batch and for .gz an inflate stream.
 * Files that overlap in time (or whose first record is not known) beyond that are merged
 * as the open ones end, so memory stays bounded whatever the number of files.
 */
const MAX_OPEN = 8

/** Bytes per read of a plain file, and per inflated gzip chunk. */
const CHUNK = 1024 * 1024
/** Bytes per decoded string (see pushPieces). */
const PIECE = 64 * 1024

/** Splits chunks into lines, holding at most MAX_LINE bytes of an unfinished one. */
export class LineSplitter {
  private carry: Buffer[] = []
  private carryBytes = 0
  private skipping = false
  /** Lines dropped for being longer than MAX_LINE. */
  overlong = 0

  /** The whole lines that `chunk` completes, as one string (lines joined by \n, no trailing \n), or '' when none. */
  push (chunk: Buffer): string {
    const [a, b] = this.pushParts(chunk)
    return b === '' ? a : a === '' ? b : a + '\n' + b
  }

  /**
   * The same in two parts, so the big one is decoded straight from the chunk: the line
   * the held bytes end (or ''), then the chunk's other whole lines (or '').
   */
  pushParts (chunk: Buffer): [string, string] {
    const last = chunk.lastIndexOf(10)
    if (last < 0) {
      this.hold(chunk)
      return ['', '']
    }
    let start = 0
    if (this.skipping) {
      // The rest of an overlong line, up to its newline, is dropped.
      start = chunk.indexOf(10) + 1
      this.skipping = false
    }
    let head = ''
    let body = ''
    if (start <= last) {
      if (this.carryBytes > 0) {
        const nl = chunk.indexOf(10, start)
        head = decode(Buffer.concat([...this.carry, chunk.subarray(start, nl)]))
        start = nl + 1
      }
      if (start < last) body = decode(chunk.subarray(start, last))
    }
    this.carry = []
    this.carryBytes = 0
    this.hold(chunk.subarray(last + 1))
    return [head, body]
  }

  /**
   * The same as pieces of at most about PIECE bytes each (whole lines joined by \n), to `each`.
   * Small pieces decode into strings the young generation holds and frees cheaply; a megabyte
   * string goes to the large-object space, and allocating and freeing those cost more than parsing.
   */
  pushPieces (chunk: Buffer, each: (text: string, ascii: Buffer | undefined) => void): void {
    const last = chunk.lastIndexOf(10)
    if (last < 0) {
      this.hold(chunk)
      return
    }
    let start = 0
    if (this.skipping) {
      start = chunk.indexOf(10) + 1
      this.skipping = false
    }
    if (start <= last) {
      if (this.carryBytes > 0) {
        const nl = chunk.indexOf(10, start)
        const bytes = Buffer.concat([...this.carry, chunk.subarray(start, nl)])
        start = nl + 1
        this.carry = []
        this.carryBytes = 0
        if (bytes.length > 0) piece(bytes, each)
      }
      while (start < last) {
        let cut = last
        if (last - start > PIECE) {
          cut = chunk.lastIndexOf(10, start + PIECE)
          // A line longer than a piece: the piece runs to its end.
          if (cut < start) cut = chunk.indexOf(10, start + PIECE)
        }
        if (cut > start) piece(chunk.subarray(start, cut), each)
        start = cut + 1
      }
    }
    this.carry = []
    this.carryBytes = 0
    this.hold(chunk.subarray(last + 1))
  }

  /** What is left after the last newline: an unfinished last line. */
  end (): string {
    const text = this.skipping || this.carryBytes === 0 ? '' : Buffer.concat(this.carry).toString('utf8')
    this.carry = []
    this.carryBytes = 0
    this.skipping = false
    return text
  }

  private hold (part: Buffer): void {
    if (part.length === 0) return
    if (this.skipping) return
    if (this.carryBytes + part.length > MAX_LINE) {
      this.carry = []
      this.carryBytes = 0
      this.skipping = true
      this.overlong++
      return
    }
    // A copy: the chunk buffer may be reused by the next read.
    this.carry.push(Buffer.from(part))
    this.carryBytes += part.length
  }
}

/**
 * `b` decoded, to `each`, with `b` itself when it is ASCII (its byte offsets are then its
 * character offsets, and readers may read the bytes instead: see textHeaderBytes). The bytes
 * are valid only during the call: the chunk they are part of is reused.
 */
function piece (b: Buffer, each: (text: string, ascii: Buffer | undefined) => void): void {
  const ascii = isAscii(b)
  each(b.toString(ascii ? 'latin1' : 'utf8'), ascii ? b : undefined)
}

/** UTF-8, decoded as Latin-1 when it is all ASCII (the same text, about twice as fast to decode). */
function decode (b: Buffer): string {
  return b.toString(isAscii(b) ? 'latin1' : 'utf8')
}

export interface Counts {
  records: number
  otherLines: number
  problem: string | undefined
  /** A byte range's read found another file at the path than the one listed (rotated meanwhile): nothing read. */
  replaced?: boolean
}

/** Parses the lines in `text` (joined by \n), keeping records in range. */
function parseLines (text: string, file: string, range: ReadRange, counts: Counts, out: ReadRecord[]): void {
  const len = text.length
  let at = 0
  while (at <= len) {
    let nl = text.indexOf('\n', at)
    if (nl < 0) nl = len
    if (nl > at) {
      const r = parseLine(text.slice(at, lineEnd(text, at, nl)), file)
      if (r === null) counts.otherLines++
      else if (!(r.time < range.since) && !(r.time > range.until)) {
        counts.records++
        out.push(r)
      }
    }
    at = nl + 1
  }
}

/** Batches of records from one file; null at its end. Problems end the file, never throw. */
class FileCursor {
  readonly counts: Counts = { records: 0, otherLines: 0, problem: undefined }
  private readonly splitter = new LineSplitter()
  private iter: AsyncIterator<Buffer> | undefined
  private done = false
  batch: ReadRecord[] = []
  index = 0

  constructor (readonly file: PlannedFile, private readonly range: ReadRange) {}

  /** The next non-empty batch into `batch`; false at the end. */
  async fill (): Promise<boolean> {
    this.batch = []
    this.index = 0
    while (this.batch.length === 0 && !this.done) {
      const chunk = await this.nextChunk()
      if (chunk === null) {
        this.done = true
        const tail = this.splitter.end()
        if (tail !== '') parseLines(tail, this.file.path, this.range, this.counts, this.batch)
        countOverlong(this.splitter.overlong, this.counts)
        break
      }
      this.splitter.pushPieces(chunk, (text) => { parseLines(text, this.file.path, this.range, this.counts, this.batch) })
    }
    return this.batch.length > 0
  }

  private async nextChunk (): Promise<Buffer | null> {
    this.iter ??= this.file.gzip ? gzipChunks(this.file, this.counts) : plainChunks(this.file, this.counts)
    try {
      const r = await this.iter.next()
      return r.done === true ? null : r.value
    } catch (err) {
      this.counts.problem ??= `read failed: ${describe(err)}`
      return null
    }
  }

  async close (): Promise<void> {
    this.done = true
    try {
      await this.iter?.return?.()
    } catch {
      // Closing a stream that already failed.
    }
  }
}

/** `overlong` lines dropped for length, as other lines and a problem. */
export function countOverlong (overlong: number, counts: Counts): void {
  counts.otherLines += overlong
  if (overlong > 0) counts.problem ??= `${overlong} line${overlong === 1 ? '' : 's'} longer than ${MAX_LINE / (1024 * 1024)} MB skipped`
}

/** fs.read on an fd the caller holds (a FileHandle cannot be made from one). */
function readFd (fd: number, buf: Buffer, pos: number): Promise<number> {
  return new Promise((resolve, reject) => { fs.read(fd, buf, 0, buf.length, pos, (err, n) => { if (err !== null) reject(err); else resolve(n) }) })
}

const REPLACED = 'is no longer a regular file (replaced, e.g. by a FIFO or a device, since it was listed): not read'

/**
 * Opens a listed log without blocking: a path replaced by a FIFO since it was listed would
 * block a plain open until a writer comes (forever, for the CLI); the caller checks isFile().
 */
function openRegular (p: string): Promise<fs.promises.FileHandle> {
  return fs.promises.open(p, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
}

/** The file's bytes from `start` on, up to the size it had when listed. */
export async function * plainChunks (f: PlannedFile, counts: Counts, start = 0, sameFile = false): AsyncGenerator<Buffer> {
  const held = f.fd
  const fh = held === undefined ? await openRegular(f.path) : undefined
  let pending: Promise<number> | undefined
  try {
    const st = fh !== undefined ? await fh.stat() : fs.fstatSync(held as number)
    if (!st.isFile()) {
      counts.problem ??= REPLACED
      return
    }
    // Read what was there when the file was listed: a log that keeps growing cannot keep
    // the reader going, and `tail -f` follows on from exactly there.
    // Byte ranges of one file read apart must all be of the file listed: one range of the old file
    // and the next of a new one (renamed by rotation meanwhile) would lose the old one's end unsaid.
    if (sameFile && st.ino !== f.ino) {
      counts.replaced = true
      return
    }
    const size = st.ino === f.ino ? Math.min(st.size, f.size) : st.size
    if (st.ino === f.ino && st.size < f.size) {
      counts.problem ??= `the file shrank while it was read (from ${f.size} to ${st.size} bytes: truncated, e.g. by logrotate copytruncate); read up to there`
    }
    // Two buffers in turn: the next chunk is read into one while the reader parses the other
    // (it is done with a chunk when it asks for the next), and no buffer is made per chunk.
    const bufs = size > 0 ? [Buffer.allocUnsafe(Math.min(CHUNK, size)), Buffer.allocUnsafe(Math.min(CHUNK, size))] : []
    const readAt = (buf: Buffer, at: number): Promise<number> => {
      const n = Math.min(buf.length, size - at)
      const p = fh !== undefined ? fh.read(buf, 0, n, at).then((r) => r.bytesRead) : readFd(held as number, buf.subarray(0, n), at)
      // Awaited below; a failure while the reader is busy elsewhere is not an unhandled rejection.
      p.catch(() => {})
      return p
    }
    let pos = start
    let k = 0
    pending = size > start ? readAt(bufs[0] as Buffer, start) : undefined
    while (pending !== undefined) {
      const buf = bufs[k] as Buffer
      const bytesRead = await pending
      pending = undefined
      if (bytesRead === 0) {
        counts.problem ??= `the file shrank while it was read (from ${size} to ${pos} bytes: truncated, e.g. by logrotate copytruncate); read up to there`
        return
      }
      pos += bytesRead
      k ^= 1
      if (pos < size) pending = readAt(bufs[k] as Buffer, pos)
      yield buf.subarray(0, bytesRead)
    }
  } finally {
    // A read still under way (the reader stopped early) ends before the fd is closed or given back.
    await pending?.catch(() => 0)
    // A held fd is the caller's to close.
    await fh?.close()
  }
}

/**
 * The lines of a plain file that start in bytes [from, to), with their line ends: a line
 * that starts before `from` is the range before's, one that starts before `to` is read to
 * its end. Ranges that meet at their ends read every line of the file once.
 */
export async function * lineRangeChunks (f: PlannedFile, counts: Counts, from: number, to: number): AsyncGenerator<Buffer> {
  let at = from === 0 ? 0 : from - 1
  let seeking = from > 0
  for await (const chunk of plainChunks(f, counts, at, true)) {
    let b = chunk
    let base = at
    at += chunk.length
    if (seeking) {
      const nl = b.indexOf(10)
      if (nl < 0) {
        // No newline in [from - 1, to - 2]: no line starts in this range. Stopping now keeps a
        // line many ranges long from being read once by each of them (quadratic in its length).
        if (at >= to - 1) return
        continue
      }
      seeking = false
      base += nl + 1
      // The first line starting at or after `from` starts at or after `to`: no line is this range's.
      if (base >= to) return
      b = b.subarray(nl + 1)
    }
    const endFrom = to - 1 - base
    if (endFrom < b.length) {
      const nl = b.indexOf(10, Math.max(0, endFrom))
      if (nl >= 0) {
        yield b.subarray(0, nl + 1)
        return
      }
    }
    yield b
  }
}

/**
 * Inflated bytes a .gz file may be read ahead of its reader: inflating runs on libuv's thread
 * pool while the lines before are parsed, so the two overlap instead of taking turns.
 */
const INFLATE_AHEAD = 4 * CHUNK

export async function * gzipChunks (f: PlannedFile, counts: Counts): AsyncGenerator<Buffer> {
  let fh: fs.promises.FileHandle
  try {
    fh = await openRegular(f.path)
    if (!(await fh.stat()).isFile()) {
      await fh.close()
      counts.problem ??= REPLACED
      return
    }
  } catch (err) {
    counts.problem ??= `read failed: ${describe(err)}`
    return
  }
  const src = fs.createReadStream('', { fd: fh, highWaterMark: CHUNK })
  const gunzip = zlib.createGunzip({ chunkSize: CHUNK })
  src.on('error', (err) => { gunzip.destroy(err) })
  src.pipe(gunzip)
  // Chunks as they come ('data', not the stream's iterator, which joins what is buffered into a copy).
  const queue: Buffer[] = []
  let queued = 0
  let ended = false
  let failure: unknown
  let wake: (() => void) | undefined
  const notify = (): void => {
    const w = wake
    wake = undefined
    w?.()
  }
  gunzip.on('data', (chunk: Buffer) => {
    queue.push(chunk)
    queued += chunk.length
    if (queued >= INFLATE_AHEAD) gunzip.pause()
    notify()
  })
  gunzip.on('end', () => { ended = true; notify() })
  gunzip.on('error', (err) => { failure ??= err; notify() })
  let out = 0
  try {
    for (;;) {
      const chunk = queue.shift()
      if (chunk === undefined) {
        if (failure !== undefined) throw failure
        if (ended) return
        await new Promise<void>((resolve) => { wake = resolve })
        continue
      }
      queued -= chunk.length
      if (queued < INFLATE_AHEAD && gunzip.isPaused()) gunzip.resume()
      out += chunk.length
      yield chunk
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    counts.problem ??= code === 'Z_BUF_ERROR'
      ? `truncated gzip: the file ends inside the compressed data; read the ${out} bytes before the cut`
      : `not valid gzip data after ${out} bytes (${describe(err)}); read up to there`
  } finally {
    src.destroy()
    gunzip.destroy()
  }
}

export function describe (err: unknown): string {
  const e = err as NodeJS.ErrnoException
  return e?.code !== undefined ? `${e.code}: ${e.message}` : String(e?.message ?? err)
}

export interface ReadResult {
  readonly files: FileRead[]
  /** True when `each` asked to stop. */
  readonly stopped: boolean
}

/**
 * Every record of `files` (planned: skip marks, reading order) within
 * `range`, in time order, to `each`; `each` returns false to stop. Never
 * throws for what is in the files.
 */
export async function readLogs (files: readonly PlannedFile[], range: ReadRange, each: (r: ReadRecord) => boolean | undefined | void): Promise<ReadResult> {
  const cursors = new Map<PlannedFile, FileCursor>()
  const active: FileCursor[] = []
  const pending = files.filter((f) => !f.skip)
  let next = 0
  let stopped = false
  try {
    for (;;) {
      // Open every file whose first record is due before the earliest record now open.
      let min = minCursor(active)
      while (next < pending.length && active.length < MAX_OPEN) {
        const f = pending[next] as PlannedFile
        const head = min === undefined ? Infinity : (min.batch[min.index] as ReadRecord).time
        if (!(f.lower <= head) && min !== undefined && !Number.isNaN(f.lower)) break
        next++
        const c = new FileCursor(f, range)
        cursors.set(f, c)
        if (await c.fill()) active.push(c)
        min = minCursor(active)
      }
      if (min === undefined) break
      // Deliver from the earliest cursor until another one's head comes first.
      const other = secondHead(active, min)
      // With MAX_OPEN files open, the next one waits for one to end: its start does not cut batches.
      const limit = active.length < MAX_OPEN && next < pending.length && !Number.isNaN((pending[next] as PlannedFile).lower) ? Math.min(other, (pending[next] as PlannedFile).lower) : other
      const batch = min.batch
      let i = min.index
      for (; i < batch.length; i++) {
        const r = batch[i] as ReadRecord
        if (r.time > limit && i > min.index) break
        if (each(r) === false) { stopped = true; break }
      }
      if (stopped) break
      min.index = i
      if (i >= batch.length && !(await min.fill())) active.splice(active.indexOf(min), 1)
    }
  } finally {
    for (const c of cursors.values()) await c.close()
  }
  return { stopped, files: files.map((f) => fileRead(f, cursors.get(f)?.counts)) }
}

/** What reading `f` came to; no counts: it was never opened (outside the range, or a problem first). */
export function fileRead (f: PlannedFile, c: Counts | undefined): FileRead {
  return {
    path: f.path,
    bytes: f.size,
    gzip: f.gzip,
    skipped: f.problem === undefined && c === undefined,
    records: c?.records ?? 0,
    otherLines: c?.otherLines ?? 0,
    problem: f.problem ?? c?.problem
  }
}

function minCursor (active: readonly FileCursor[]): FileCursor | undefined {
  let best: FileCursor | undefined
  let bestTime = Infinity
  for (const c of active) {
    const t = (c.batch[c.index] as ReadRecord).time
    if (best === undefined || t < bestTime) { best = c; bestTime = t }
  }
  return best
}

function secondHead (active: readonly FileCursor[], except: FileCursor): number {
  let t = Infinity
  for (const c of active) if (c !== except) t = Math.min(t, (c.batch[c.index] as ReadRecord).time)
  return t
}
