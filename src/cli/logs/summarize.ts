// A Summary of planned log files: read in file order when the files do not
// overlap in time (read-in-order.ts, no object per record), else merged by
// time (read.ts). Both give the same Summary; the first is the usual case.

import type { PlannedFile } from './files'
import type { Summary } from './model'
import { readLogs, type ReadRange } from './read'
import { readLogsInOrder } from './read-in-order'
import { SummaryBuilder, type RecordRedaction } from './summary'

/** `redaction` (the output redaction) applies to what the summary keeps of each record, before anything is cut. */
export async function summarize (files: readonly PlannedFile[], range: ReadRange, redaction?: RecordRedaction): Promise<Summary> {
  return (await summarizeInOrder(files, range, redaction)) ?? await summarizeMerged(files, range, redaction)
}

/** The Summary read file after file; undefined when the files overlap in time. */
export async function summarizeInOrder (files: readonly PlannedFile[], range: ReadRange, redaction?: RecordRedaction): Promise<Summary | undefined> {
  const builder = new SummaryBuilder(redaction)
  const read = await readLogsInOrder(files, range, (r) => { builder.add(r) }, () => { builder.settle() })
  return read === undefined ? undefined : builder.finish(read, range.since, range.until)
}

/** The Summary of the records merged by time across files. */
export async function summarizeMerged (files: readonly PlannedFile[], range: ReadRange, redaction?: RecordRedaction): Promise<Summary> {
  const builder = new SummaryBuilder(redaction)
  const { files: read } = await readLogs(files, range, (r) => { builder.add(r) })
  return builder.finish(read, range.since, range.until)
}
