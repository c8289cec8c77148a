// A Summary of planned log files: read in file order when the files do not
// overlap in time (read-in-order.ts, no object per record; on several cores
// when there is enough to read, scan-parallel.ts), else merged by time
// (read.ts). All give the same Summary; the first is the usual case.

import type { PlannedFile } from './files'
import type { Summary } from './model'
import { readLogs, type ReadRange } from './read'
import { readLogsInOrder } from './read-in-order'
import { scanParallel, scanThreads, type ScanOptions } from './scan-parallel'
import { SummaryBuilder, type RecordRedaction } from './summary'

/**
 * `redaction` (the output redaction) applies to what the summary keeps of each record, before anything is cut.
 * `scan` allows worker threads: `scan.redact` says how a worker makes the same redaction (none: without
 * it, a redacted summary stays on one thread).
 */
export async function summarize (files: readonly PlannedFile[], range: ReadRange, redaction?: RecordRedaction, scan?: ScanOptions): Promise<Summary> {
  if (scan !== undefined && (redaction === undefined || scan.redact !== undefined)) {
    const threads = scanThreads(files, scan)
    if (threads > 1) {
      // A worker redacts only when this thread does.
      const out = await scanParallel(files, range, redaction, { ...scan, redact: redaction === undefined ? undefined : scan.redact }, threads)
      if ('summary' in out) return out.summary
      if (out.fallback === 'overlap') return await summarizeMerged(files, range, redaction)
    }
  }
  return (await summarizeInOrder(files, range, redaction)) ?? await summarizeMerged(files, range, redaction)
}

/** The Summary read by worker threads (scan.threads of them, at least 2); undefined when it must be read on one thread. */
export async function summarizeParallel (files: readonly PlannedFile[], range: ReadRange, redaction: RecordRedaction | undefined, scan: ScanOptions): Promise<Summary | undefined> {
  const out = await scanParallel(files, range, redaction, scan, Math.max(2, scan.threads ?? 2))
  return 'summary' in out ? out.summary : undefined
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
