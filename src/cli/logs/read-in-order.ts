// The fast way through a rotated log set for `summary`: rotated files do not
// overlap in time, so instead of merging their records by time (read.ts,
// one object per record) each file is read to its end in turn, and each line
// is parsed in place into one reused TextView that the consumer reads and
// copies from. It gives the consumer exactly what readLogs would, and checks
// that as it goes: when a file's records reach past the next file's first
// record (or a file that had no first record yields one), the files overlap
// and it gives up, saying so, for the caller to read them with readLogs.

import type { FileRead, ParsedRecord } from './model'
import { MAX_LINE, TEXT_IN_PLACE_MIN, TextView, lineEnd, parseLine, textHeader, textHeaderBytes, type TextHeader } from './parse'
import type { PlannedFile } from './files'
import { LineSplitter, countOverlong, describe, fileRead, gzipChunks, lineRangeChunks, plainChunks, type Counts, type ReadRange } from './read'

/** A file whose mtime is this far past the next file's first record overlaps it: not worth trying. */
const MTIME_SLACK = 60_000

const HEAD: TextHeader = { time: 0, level: 'info', pid: 0, threadAt: 0, threadEnd: 0, nameAt: 0, nameEnd: 0, bodyAt: 0 }

/** Thrown inside the scan when the files turn out to overlap; never leaves this module. */
class Overlap extends Error {}

/**
 * Every record of `files` within `range` to `each`, in the order readLogs
 * would give them, with the same FileReads; `pieceDone` after each piece of
 * text (what `each` got before it may be copied then). Undefined, before or
 * after reading some, when the files overlap in time: read them with readLogs.
 */
export async function readLogsInOrder (files: readonly PlannedFile[], range: ReadRange, each: (r: ParsedRecord) => void, pieceDone: () => void): Promise<FileRead[] | undefined> {
  const pending = files.filter((f) => !f.skip)
  if (mtimesOverlap(pending)) return undefined
  const counts = new Map<PlannedFile, Counts>()
  const view = new TextView()
  let prevMax = -Infinity
  try {
    for (let i = 0; i < pending.length; i++) {
      const f = pending[i] as PlannedFile
      const c: Counts = { records: 0, otherLines: 0, problem: undefined }
      counts.set(f, c)
      // readLogs opens a file with no known first record at once, beside the others: the same
      // order only when it has no records. Otherwise every record must come no later than the
      // next file's first, and a file's first no earlier than the last one before it.
      const bound = Number.isNaN(f.lower) ? -Infinity : nextLower(pending, i)
      let first = true
      const deliver = (r: ParsedRecord): void => {
        if (r.time > bound || (first && r.time < prevMax)) throw new Overlap()
        first = false
        if (r.time > prevMax) prevMax = r.time
        c.records++
        each(r)
      }
      countOverlong(await readFile(f, range, c, view, deliver, pieceDone), c)
    }
  } catch (err) {
    if (err instanceof Overlap) return undefined
    throw err
  }
  return files.map((f) => fileRead(f, counts.get(f)))
}

/** Whether a file was written past the next one's first record: the files overlap, not worth reading in order. */
export function mtimesOverlap (pending: readonly PlannedFile[]): boolean {
  for (let i = 0; i + 1 < pending.length; i++) {
    if ((pending[i] as PlannedFile).mtimeMs > nextLower(pending, i) + MTIME_SLACK) return true
  }
  return false
}

/** The first record time of the next file that has one; Infinity when none follows. */
export function nextLower (pending: readonly PlannedFile[], i: number): number {
  for (let j = i + 1; j < pending.length; j++) {
    const l = (pending[j] as PlannedFile).lower
    if (!Number.isNaN(l)) return l
  }
  return Infinity
}

/** Byte range of a plain file whose lines are read (lineRangeChunks); none: all of it. */
export interface ByteRange { readonly from: number, readonly to: number }

/**
 * The records of `f` (or of the lines starting in `bytes`) in range to `deliver`, counted into `c`;
 * the number of lines skipped for length (for countOverlong: a range's share, summed per file).
 */
export async function readFile (f: PlannedFile, range: ReadRange, c: Counts, view: TextView, deliver: (r: ParsedRecord) => void, pieceDone: () => void, bytes?: ByteRange): Promise<number> {
  const splitter = new LineSplitter()
  const piece = (text: string, ascii?: Buffer): void => {
    scanPiece(text, ascii, f.path, range, c, view, deliver)
    pieceDone()
  }
  const iter = f.gzip ? gzipChunks(f, c) : bytes === undefined ? plainChunks(f, c) : lineRangeChunks(f, c, bytes.from, bytes.to)
  try {
    for (;;) {
      let r: IteratorResult<Buffer>
      try {
        r = await iter.next()
      } catch (err) {
        c.problem ??= `read failed: ${describe(err)}`
        break
      }
      if (r.done === true) break
      splitter.pushPieces(r.value, piece)
    }
    const tail = splitter.end()
    if (tail !== '') piece(tail)
    return splitter.overlong
  } finally {
    try {
      await iter.return?.(undefined)
    } catch {
      // Closing a stream that already failed.
    }
  }
}

/**
 * The lines of `text` (joined by \n): text-layout ones parsed in place, others as parseLine reads
 * them. `ascii`: text's bytes when it is ASCII, whose headers are then read from the bytes.
 */
function scanPiece (text: string, ascii: Buffer | undefined, file: string, range: ReadRange, c: Counts, view: TextView, deliver: (r: ParsedRecord) => void): void {
  view.text(text, file)
  const len = text.length
  let at = 0
  while (at <= len) {
    let next = text.indexOf('\n', at)
    if (next < 0) next = len
    const nl = lineEnd(text, at, next)
    const n = nl - at
    if (n > 0) {
      const d = text.charCodeAt(at) - 48
      if (n >= TEXT_IN_PLACE_MIN && n <= MAX_LINE && d >= 0 && d <= 9) {
        const h = ascii === undefined ? textHeader(text, at, nl, HEAD) : textHeaderBytes(ascii, at, nl, HEAD)
        if (h === null) c.otherLines++
        else if (!(h.time < range.since) && !(h.time > range.until)) {
          view.set(at, nl, h)
          deliver(view)
        }
      } else {
        const r = parseLine(text.slice(at, nl), file)
        if (r === null) c.otherLines++
        else if (!(r.time < range.since) && !(r.time > range.until)) deliver(r)
      }
    }
    at = next + 1
  }
}
