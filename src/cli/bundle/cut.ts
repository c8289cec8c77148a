// One log-like file into its member, within its share of --max-size: every
// line redacted, then (when the redacted text is over the share) the
// file's head and tail kept with a marker line between. Redaction comes
// first, so the sizes counted are the sizes written. A large plain file is
// read only at its two ends; a gzipped one is streamed, up to GUNZIP_FACTOR
// times its share. The cost is per byte, not per line: lines are split
// synchronously in each chunk, an empty line is one byte appended (nothing
// to redact), a short line seen clean is not redacted again, and what is
// kept is held and written in large blocks, never a string or a write per
// line.

import fs from 'node:fs'
import { LineSplitter, gunzipChunks, rangeChunks } from './lines'
import { openSource, type Source } from './sources'

/** Bytes kept of one line; the rest is counted in a note at its end. */
export const LINE_CAP = 64 * 1024
/** A gzipped file is decompressed up to this many times its share of --max-size (so the bundle inflates at most this × --max-size). */
export const GUNZIP_FACTOR = 8
/** Room kept for the marker line. */
const MARKER_ROOM = 1024
/** The size of a block of kept text; written in one call. */
const BLOCK = 64 * 1024
/** Lines up to this long that redact to themselves are remembered, at most CLEAN_MAX of them (per file). */
const SHORT = 64
const CLEAN_MAX = 4096

export interface CutResult {
  readonly bytes: number
  /** Bytes of the source left out (the middle, or what was not decompressed). */
  readonly leftOut: number
  readonly pids: ReadonlySet<number>
}

interface Block {
  buf: Buffer
  /** Where the kept text starts (after a trim of its front), and ends. */
  start: number
  end: number
  /** Bytes of the source its lines took. */
  orig: number
}

/** A growable run of blocks of text, appended line by line without a string per line. */
class Blocks {
  readonly list: Block[] = []
  bytes = 0

  private open (need: number): Block {
    const last = this.list[this.list.length - 1]
    if (last !== undefined && last.buf.length - last.end >= need) return last
    if (last !== undefined && last.end - last.start < last.buf.length / 2) {
      // Mostly empty (a long line comes next): kept at its size, not the block's.
      last.buf = Buffer.from(last.buf.subarray(last.start, last.end))
      last.end -= last.start
      last.start = 0
    }
    const block = { buf: Buffer.allocUnsafe(Math.max(BLOCK, need)), start: 0, end: 0, orig: 0 }
    this.list.push(block)
    return block
  }

  /** Appends `text` and a line break (`text` null: an empty line) in a block with `need` bytes free (at least its size). */
  add (text: string | null, need: number, orig: number): void {
    const b = this.open(need)
    const from = b.end
    if (text !== null) b.end += b.buf.write(text, b.end, 'utf8')
    b.buf[b.end++] = 10
    b.orig += orig
    this.bytes += b.end - from
  }

  /** Writes every block to `fd`, in order. */
  writeTo (fd: number): void {
    for (const b of this.list) writeAll(fd, b.buf.subarray(b.start, b.end))
  }
}

class HeadTail {
  private readonly head = new Blocks()
  headClosed = false
  private readonly tail = new Blocks()
  leftOut = 0

  constructor (private readonly budget: number) {}

  private get room (): number {
    return this.budget - MARKER_ROOM - this.head.bytes
  }

  push (text: string | null, orig: number): void {
    // Exact bytes only when they matter: UTF-8 takes at most 3 bytes per UTF-16 unit.
    const most = text === null ? 1 : text.length * 3 + 1
    if (!this.headClosed) {
      const limit = Math.floor(this.budget / 4)
      const size = this.head.bytes + most <= limit || text === null ? most : Buffer.byteLength(text) + 1
      if (this.head.bytes + size <= limit) {
        this.head.add(text, size, orig)
        return
      }
      this.headClosed = true
    }
    this.tail.add(text, most, orig)
    // Whole blocks that are all past the room go at once; the first one left is trimmed at the end.
    const list = this.tail.list
    while (list.length > 1) {
      const first = list[0] as Block
      const size = first.end - first.start
      if (this.tail.bytes - size < this.room) break
      list.shift()
      this.tail.bytes -= size
      this.leftOut += first.orig
    }
  }

  /** Drops the tail's front, whole lines, down to its room. */
  private trim (): void {
    const list = this.tail.list
    let excess = this.tail.bytes - this.room
    while (excess > 0 && list.length > 0) {
      const first = list[0] as Block
      const size = first.end - first.start
      if (size <= excess) {
        list.shift()
        this.tail.bytes -= size
        this.leftOut += first.orig
        excess -= size
        continue
      }
      // Up to the end of the line the excess ends in (every block ends with a line break).
      const cut = first.buf.indexOf(10, first.start + excess - 1) + 1
      const dropped = cut - first.start
      const orig = Math.round(first.orig * dropped / size)
      first.start = cut
      first.orig -= orig
      this.tail.bytes -= dropped
      this.leftOut += orig
      excess = 0
    }
  }

  /** Writes head, marker (when something was left out) and tail; the bytes written. */
  writeTo (fd: number, marker: (leftOut: number) => string): number {
    this.trim()
    this.head.writeTo(fd)
    let bytes = this.head.bytes + this.tail.bytes
    if (this.leftOut > 0) {
      const m = Buffer.from(marker(this.leftOut))
      writeAll(fd, m)
      bytes += m.length
    }
    this.tail.writeTo(fd)
    return bytes
  }
}

function writeAll (fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off)
}

/** Writes `source`, redacted and cut to `budget` bytes, to `fd`. */
export async function writeSource (source: Source, budget: number, fd: number, redactLine: (member: string, s: string, cut: boolean) => string): Promise<CutResult> {
  const pids = new Set<number>()
  const kept = new HeadTail(budget)
  const clean = new Set<string>()
  let atLineStart = true
  const feed = async (chunks: AsyncIterable<Buffer>, dropFirst: boolean, stopWhenHeadFull: boolean): Promise<number> => {
    let consumed = 0
    let first = true
    const splitter = new LineSplitter(LINE_CAP, (buf, start, end, dropped, bytes, complete) => {
      consumed += bytes
      atLineStart = complete
      if (first) {
        first = false
        if (dropFirst) {
          // Begins mid-line: its start (maybe the start of a secret) is not here.
          kept.leftOut += bytes
          return false
        }
      }
      if (end === start && dropped === 0) {
        // An empty line: nothing to redact.
        kept.push(null, bytes)
      } else {
        const line = buf.toString('utf8', start, end)
        const cut = dropped > 0 || !complete
        let text: string
        if (!cut && line.length <= SHORT && clean.has(line)) {
          text = line
        } else {
          text = redactLine(source.member, line, cut)
          if (!cut && line.length <= SHORT && text === line) {
            if (clean.size >= CLEAN_MAX) clean.clear()
            clean.add(line)
          }
        }
        if (dropped > 0) text += ` [oneapm-agent-log bundle: ${dropped} more bytes of this line left out]`
        if (pids.size < 1000) pidOf(line, pids)
        kept.push(text, bytes)
      }
      return stopWhenHeadFull && kept.headClosed
    })
    let stopped = false
    for await (const chunk of chunks) {
      if (!splitter.push(chunk)) {
        stopped = true
        break
      }
    }
    if (!stopped) splitter.end()
    return consumed
  }
  let truncated = false
  const gunzipMax = GUNZIP_FACTOR * budget
  const { fd: src, size } = openSource(source.path)
  try {
    if (source.gzip) {
      const state = { truncated: false }
      await feed(gunzipChunks(src, size, gunzipMax, state), false, false)
      if (state.truncated) truncated = true
    } else if (size <= 2 * budget) {
      if (size > 0) await feed(rangeChunks(src, 0, size), false, false)
    } else {
      const headEnd = Math.min(size, Math.floor(budget / 4) + LINE_CAP)
      const consumed = await feed(rangeChunks(src, 0, headEnd), false, true)
      // What follows is the tail, even if the head had room left.
      kept.headClosed = true
      const tailStart = Math.max(consumed, size - 2 * budget)
      kept.leftOut += tailStart - consumed
      await feed(rangeChunks(src, tailStart, size), tailStart > consumed || !atLineStart, false)
    }
  } finally {
    fs.closeSync(src)
  }
  let bytes = kept.writeTo(fd, (n) => `[oneapm-agent-log bundle: about ${n} bytes of this file left out here: its share of --max-size is ${budget} bytes; the head is above, the end below]\n`)
  if (truncated) {
    const note = Buffer.from(`[oneapm-agent-log bundle: decompression stopped after ${gunzipMax} bytes (${GUNZIP_FACTOR} times this file's share of --max-size); the rest of this file is left out]\n`)
    writeAll(fd, note)
    bytes += note.length
  }
  return { bytes, leftOut: kept.leftOut, pids }
}

/** The pid in a record header: ` (<pid>/<thread>) ` near the start. */
function pidOf (line: string, pids: Set<number>): void {
  const open = line.indexOf(' (')
  if (open === -1 || open > 200) return
  let p = open + 2
  let n = 0
  while (p < line.length && p < open + 12 && line.charCodeAt(p) >= 48 && line.charCodeAt(p) <= 57) n = n * 10 + line.charCodeAt(p++) - 48
  if (p > open + 2 && line.charCodeAt(p) === 47) pids.add(n)
}
