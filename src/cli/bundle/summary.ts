// summary.txt and report.html come from one Summary of the logs the bundle
// took (logs/, over the same --since), built once and redacted with the
// bundle's redactor before either is rendered. The redaction runs on each
// record as it is read, before the summary keeps (and cuts) any of its
// strings, and then once more on every string of the finished Summary
// (settings, file names, causes): one redaction before any cut, and nothing
// the summary derived from a record escapes it.

import { describeFile, planFiles } from '../logs/files'
import type { LevelName, Summary } from '../logs/model'
import type { ReadRecord } from '../logs/parse'
import { readLogs } from '../logs/read'
import { SummaryBuilder } from '../logs/summary'
import type { BundleRedactor } from './redact'
import type { Source } from './sources'

/** The member the summary's masks are counted under in redaction-report.json (summary.txt and report.html share them). */
export const SUMMARY_MASKS = 'summary.txt+report.html'

/** Levels whose records the summary keeps text of even without an event (summary.ts: warnings and above). */
const KEPT: ReadonlySet<LevelName> = new Set(['critical', 'error', 'warning'])

/** The Summary of the bundle's logs/ sources from `now - sinceMs`, every string in it redacted. */
export async function redactedSummary (sources: readonly Source[], now: number, sinceMs: number, redactor: BundleRedactor): Promise<Summary> {
  const files = sources.filter((s) => s.member.startsWith('logs/')).map((s) => describeFile(s.path))
  const since = now - sinceMs
  const builder = new SummaryBuilder()
  const { files: read } = await readLogs(planFiles(files, since, Infinity), { since, until: Infinity }, (r) => {
    // Records with no event under warning add only counts (level, time, pid); every other one is redacted whole.
    builder.add(r.event === undefined && !KEPT.has(r.level) ? r : redactRecord(r, redactor))
  })
  return redactor.json(SUMMARY_MASKS, builder.finish(read, since, Infinity)) as Summary
}

function redactRecord (r: ReadRecord, redactor: BundleRedactor): ReadRecord {
  const text = (s: string): string => redactor.text(SUMMARY_MASKS, s)
  return {
    ...r,
    name: text(r.name),
    thread: text(r.thread),
    msg: text(r.msg),
    event: r.event === undefined ? undefined : text(r.event),
    fields: redactor.json(SUMMARY_MASKS, r.fields) as Record<string, string>,
    file: text(r.file),
    line: ''
  }
}
