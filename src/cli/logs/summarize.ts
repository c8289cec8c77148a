// A Summary of planned log files: read in file order when the files do not
// overlap in time (read-in-order.ts, no object per record), else merged by
// time (read.ts). Both give the same Summary; the first is the usual case.

import type { PlannedFile } from './files'
import type { ParsedRecord, Summary } from './model'
import { readLogs, type ReadRange } from './read'
import { readLogsInOrder } from './read-in-order'
import { SummaryBuilder } from './summary'

/** `map` sees each record before the summary does (the output redaction: before anything is kept or cut). */
export async function summarize (files: readonly PlannedFile[], range: ReadRange, map: (r: ParsedRecord) => ParsedRecord = (r) => r): Promise<Summary> {
  return (await summarizeInOrder(files, range, map)) ?? await summarizeMerged(files, range, map)
}

/** The Summary read file after file; undefined when the files overlap in time. */
export async function summarizeInOrder (files: readonly PlannedFile[], range: ReadRange, map: (r: ParsedRecord) => ParsedRecord = (r) => r): Promise<Summary | undefined> {
  const builder = new SummaryBuilder()
  const read = await readLogsInOrder(files, range, (r) => { builder.add(map(r)) }, () => { builder.settle() })
  return read === undefined ? undefined : builder.finish(read, range.since, range.until)
}

/** The Summary of the records merged by time across files. */
export async function summarizeMerged (files: readonly PlannedFile[], range: ReadRange, map: (r: ParsedRecord) => ParsedRecord = (r) => r): Promise<Summary> {
  const builder = new SummaryBuilder()
  const { files: read } = await readLogs(files, range, (r) => { builder.add(map(r)) })
  return builder.finish(read, range.since, range.until)
}
