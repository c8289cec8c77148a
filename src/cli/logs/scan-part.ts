// One unit of a parallel summary scan (scan-parallel.ts), read in a worker:
// a whole file, or the lines that start in a byte range of a plain one,
// read exactly as read-in-order.ts reads a file, into a part-mode
// SummaryBuilder. What comes back is plain data (posted to the main thread)
// and bounded: the part's caps are summary.ts's.

import type { PlannedFile } from './files'
import { TextView } from './parse'
import type { Counts, ReadRange } from './read'
import { readFile, type ByteRange } from './read-in-order'
import { SummaryBuilder, type RecordRedaction, type SummaryPart } from './summary'

export interface UnitRead {
  readonly part: SummaryPart
  /** Records in range, lines that are none, the first read problem (overlong lines apart). */
  readonly records: number
  readonly otherLines: number
  readonly problem: string | undefined
  readonly overlong: number
  /** The first and the latest time of the records in range (NaN and -Infinity when none): for the overlap check. */
  readonly first: number
  readonly max: number
  /** A byte range found the file replaced since it was listed: the ranges cannot make one file's read. */
  readonly replaced: boolean
}

export async function readUnit (f: PlannedFile, range: ReadRange, bytes: ByteRange | undefined, redaction: RecordRedaction | undefined): Promise<UnitRead> {
  const builder = new SummaryBuilder(redaction, true)
  const c: Counts = { records: 0, otherLines: 0, problem: undefined }
  let first = NaN
  let max = -Infinity
  const overlong = await readFile(f, range, c, new TextView(), (r) => {
    if (c.records === 0) first = r.time
    if (r.time > max) max = r.time
    c.records++
    builder.add(r)
  }, () => { builder.settle() }, bytes)
  return { part: builder.part(), records: c.records, otherLines: c.otherLines, problem: c.problem, overlong, first, max, replaced: c.replaced === true }
}
