// `oneapm-agent-log report`: the summary as one self-contained HTML file a
// support engineer opens offline (charts, a filterable events table, the
// settings). Exit 0 written, 1 no log to read or the file cannot be
// written, 2 usage error.

import fs from 'node:fs'
import path from 'node:path'
import { PACKAGE } from '../index'
import { UsageError } from './args'
import { planFiles, type LogFile } from './logs/files'
import type { Summary } from './logs/model'
import { logFiles, parseCommand, parseTime } from './logs/options'
import { outputRedactor } from './logs/redact-output'
import { summarize } from './logs/summarize'
import { loadAssets } from './report/assets'
import { renderReport } from './report/render'

export const REPORT_HELP = `report   the summary as one offline HTML file: charts, a filterable events table, the settings

Usage: oneapm-agent-log report [--config FILE | FILE...] [--since T] [--until T] --out report.html

  --config FILE  read the log_file this config names, with its rotated (and gzipped) files
  FILE...        read these log files (text or JSON layout, plain or gzipped)
  --since T      only records from T: a duration back from now (24h, 30m, 2d) or an
                 ISO 8601 time (2026-11-21T10:00:00+08:00)
  --until T      only records up to T
  --out FILE     where to write the report (required; "-" for stdout)

The file loads nothing from the network (no script, font or image from
elsewhere): it opens as it is from a support bundle.

Exit status: 0 report written, 1 no log to read or the report cannot be written, 2 usage error.`

export async function runReport (argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    config: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' }
  })
  if (values.help === true) {
    out(REPORT_HELP + '\n')
    return 0
  }
  const target = values.out
  if (typeof target !== 'string' || target === '') throw new UsageError('--out FILE is required (where to write the report)')
  const now = Date.now()
  const since = typeof values.since === 'string' ? parseTime(values.since, '--since', now) : -Infinity
  const until = typeof values.until === 'string' ? parseTime(values.until, '--until', now) : Infinity
  const config = values.config as string | undefined
  const { files, problem } = logFiles(config, positionals)
  if (problem !== undefined) {
    err(`oneapm-agent-log report: ${problem}\n`)
    return 1
  }
  for (const f of files) if (f.problem !== undefined) err(`oneapm-agent-log report: ${f.path}: ${f.problem}\n`)
  if (!files.some((f) => f.problem === undefined)) {
    if (files.length === 0) err('oneapm-agent-log report: no log files to read\n')
    return 1
  }
  const { html, summary } = await makeReport(files, since, until, config !== undefined ? [config] : positionals, now, config)
  if (target === '-') {
    out(html)
    return 0
  }
  try {
    writeReplacing(target, html)
  } catch (e) {
    err(`oneapm-agent-log report: cannot write ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`)
    return 1
  }
  err(`oneapm-agent-log report: wrote ${target} (${summary.records} records, ${summary.events.length} events, ${summary.findings.length} findings)\n`)
  return 0
}

/** The report of `files` between `since` and `until` (epoch ms, ±Infinity for no bound): for this command and for a support bundle. */
export async function makeReport (files: readonly LogFile[], since: number, until: number, inputs: readonly string[], now = Date.now(), config?: string): Promise<{ html: string, summary: Summary }> {
  // Every string the report shows is redacted again (an old log may hold secrets in clear), before it is cut.
  const redact = outputRedactor(config)
  const summary = await summarize(planFiles(files, since, until), { since, until }, redact, { redact: { config, source: redact.source } })
  return { html: renderReport(summary, { generated: now, version: PACKAGE.version, inputs }, loadAssets()), summary }
}

/**
 * Writes through a temp file and a rename, so a reader never sees half a
 * report; refuses to replace what is not a regular file (a symlink, a
 * device, a directory), which is not ours to replace.
 */
function writeReplacing (target: string, html: string): void {
  let st: fs.Stats | undefined
  try { st = fs.lstatSync(target) } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e }
  if (st !== undefined && !st.isFile()) throw Object.assign(new Error('it is not a regular file'), { code: 'it exists and is not a regular file' })
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`)
  fs.writeFileSync(tmp, html, { flag: 'wx', mode: 0o644 })
  try {
    fs.renameSync(tmp, target)
  } catch (e) {
    // Only a temp file this call made is removed.
    try { fs.unlinkSync(tmp) } catch {}
    throw e
  }
}
