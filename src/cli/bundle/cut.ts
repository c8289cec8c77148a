// One log-like file into its member, within its share of --max-size: every
// line redacted, then (when the redacted text is over the share) the
// file's head and tail kept with a marker line between. Redaction comes
// first, so the sizes counted are the sizes written. A large plain file is
// read only at its two ends; a gzipped one is streamed (up to a cap).

import fs from 'node:fs'
import { gunzipChunks, rangeChunks, splitLines, type Line } from './lines'
import { openSource, type Source } from './sources'

/** Bytes kept of one line; the rest is counted in a note at its end. */
export const LINE_CAP = 64 * 1024
/** A gzipped file is decompressed up to this much beyond twice its share. */
const GUNZIP_EXTRA = 64 * 1024 * 1024
/** Room kept for the marker line. */
const MARKER_ROOM = 1024

export interface CutResult {
  readonly bytes: number
  /** Bytes of the source left out (the middle, or what was not decompressed). */
  readonly leftOut: number
  readonly pids: ReadonlySet<number>
}

class HeadTail {
  private readonly head: string[] = []
  private headBytes = 0
  headClosed = false
  private tail: string[] = []
  private tailFirst = 0
  private tailBytes = 0
  private readonly sizes: number[] = []
  private readonly origs: number[] = []
  leftOut = 0

  constructor (private readonly budget: number) {}

  push (line: string, orig: number): void {
    const size = Buffer.byteLength(line)
    if (!this.headClosed) {
      if (this.headBytes + size <= Math.floor(this.budget / 4)) {
        this.head.push(line)
        this.headBytes += size
        return
      }
      this.headClosed = true
    }
    this.tail.push(line)
    this.sizes.push(size)
    this.origs.push(orig)
    this.tailBytes += size
    const room = this.budget - MARKER_ROOM - this.headBytes
    while (this.tailBytes > room && this.tailFirst < this.tail.length) {
      this.tailBytes -= this.sizes[this.tailFirst] as number
      this.leftOut += this.origs[this.tailFirst] as number
      this.tailFirst++
    }
    if (this.tailFirst > 4096 && this.tailFirst * 2 > this.tail.length) {
      // Compact now and then: the evicted front is dropped in one go.
      this.tail = this.tail.slice(this.tailFirst)
      this.sizes.splice(0, this.tailFirst)
      this.origs.splice(0, this.tailFirst)
      this.tailFirst = 0
    }
  }

  lines (marker: (leftOut: number) => string): string[] {
    const tail = this.tail.slice(this.tailFirst)
    return this.leftOut > 0 ? [...this.head, marker(this.leftOut), ...tail] : [...this.head, ...tail]
  }
}

/** Writes `source`, redacted and cut to `budget` bytes, to `fd`. */
export async function writeSource (source: Source, budget: number, fd: number, redactLine: (member: string, s: string, cut: boolean) => string): Promise<CutResult> {
  const pids = new Set<number>()
  const kept = new HeadTail(budget)
  let atLineStart = true
  const feed = async (lines: AsyncIterable<Line>, dropFirst: boolean, stopWhenHeadFull: boolean): Promise<number> => {
    let consumed = 0
    let first = true
    for await (const line of lines) {
      consumed += line.bytes
      atLineStart = line.complete
      if (first && dropFirst) {
        // Begins mid-line: its start (maybe the start of a secret) is not here.
        first = false
        kept.leftOut += line.bytes
        continue
      }
      first = false
      const cut = line.dropped > 0 || !line.complete
      let text = redactLine(source.member, line.text, cut)
      if (line.dropped > 0) text += ` [oneapm-agent-log bundle: ${line.dropped} more bytes of this line left out]`
      if (pids.size < 1000) pidOf(line.text, pids)
      kept.push(text + '\n', line.bytes)
      if (stopWhenHeadFull && kept.headClosed) break
    }
    return consumed
  }
  let truncated = false
  const { fd: src, size } = openSource(source.path)
  try {
    if (source.gzip) {
      const state = { truncated: false }
      await feed(splitLines(gunzipChunks(src, size, 2 * budget + GUNZIP_EXTRA, state), LINE_CAP), false, false)
      if (state.truncated) truncated = true
    } else if (size <= 2 * budget) {
      if (size > 0) await feed(splitLines(rangeChunks(src, 0, size), LINE_CAP), false, false)
    } else {
      const headEnd = Math.min(size, Math.floor(budget / 4) + LINE_CAP)
      const consumed = await feed(splitLines(rangeChunks(src, 0, headEnd), LINE_CAP), false, true)
      // What follows is the tail, even if the head had room left.
      kept.headClosed = true
      const tailStart = Math.max(consumed, size - 2 * budget)
      kept.leftOut += tailStart - consumed
      await feed(splitLines(rangeChunks(src, tailStart, size), LINE_CAP), tailStart > consumed || !atLineStart, false)
    }
  } finally {
    fs.closeSync(src)
  }
  const lines = kept.lines((n) => `[oneapm-agent-log bundle: about ${n} bytes of this file left out here: its share of --max-size is ${budget} bytes; the head is above, the end below]\n`)
  if (truncated) lines.push(`[oneapm-agent-log bundle: decompression stopped after ${2 * budget + GUNZIP_EXTRA} bytes; the rest of this file is left out]\n`)
  let bytes = 0
  for (const l of lines) {
    const buf = Buffer.from(l)
    fs.writeSync(fd, buf)
    bytes += buf.length
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
