// `oneapm-agent-log summary`: the support engineer's first screen, read out
// of the log (current, rotated and gzipped files). Exit 0 when a summary was
// written (problems reading some files are listed in it), 1 when there was
// no log to read, 2 for a usage error.

import { UsageError } from './args'
import { planFiles } from './logs/files'
import { logFiles, parseCommand, parseTime } from './logs/options'
import { outputRedactor } from './logs/redact-output'
import { summarize } from './logs/summarize'
import { summaryText } from './logs/summary-text'
import { jsonSafe, terminalSafe } from './logs/terminal'

export const SUMMARY_HELP = `summary  what the log shows: identity, settings, collector timeline, levels over time, errors, findings with fixes

Usage: oneapm-agent-log summary [--config FILE | FILE...] [--since T] [--until T] [--json] [--threads N]

  --config FILE  read the log_file this config names, with its rotated (and gzipped) files
  FILE...        read these log files (text or JSON layout, plain or gzipped)
  --since T      only records from T: a duration back from now (24h, 30m, 2d) or an
                 ISO 8601 time (2026-11-21T10:00:00+08:00); files entirely before T are not opened
  --until T      only records up to T
  --json         the summary as one JSON object
  --threads N    read on N threads, at most the cores (1: this one only); default: all cores (up to 4) for 384 MB or more

Exit status: 0 summary written, 1 no log to read, 2 usage error.`

export async function runSummary (argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    config: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, json: { type: 'boolean' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' }
  })
  if (values.help === true) {
    out(SUMMARY_HELP + '\n')
    return 0
  }
  const threads = typeof values.threads === 'string' ? parseThreads(values.threads) : undefined
  const now = Date.now()
  const since = typeof values.since === 'string' ? parseTime(values.since, '--since', now) : -Infinity
  const until = typeof values.until === 'string' ? parseTime(values.until, '--until', now) : Infinity
  const { files, problem } = logFiles(values.config as string | undefined, positionals)
  if (problem !== undefined) {
    err(`oneapm-agent-log summary: ${problem}\n`)
    return 1
  }
  const readable = files.filter((f) => f.problem === undefined)
  for (const f of files) if (f.problem !== undefined) err(`oneapm-agent-log summary: ${f.path}: ${f.problem}\n`)
  if (readable.length === 0) {
    if (files.length === 0) err('oneapm-agent-log summary: no log files to read\n')
    return 1
  }
  // Every string the summary keeps is redacted again (an old log may hold secrets in clear), before it is cut.
  const config = values.config as string | undefined
  const redact = outputRedactor(config)
  const summary = await summarize(planFiles(files, since, until), { since, until }, redact, { threads, redact: { config, source: redact.source } })
  // Log text may hold controls (a foreign or old writer): escaped, so none reaches a terminal.
  out(values.json === true ? jsonSafe(JSON.stringify(summary, null, 2)) + '\n' : terminalSafe(summaryText(summary), true))
  return 0
}

function parseThreads (v: string): number {
  const n = Number(v)
  if (!/^[0-9]{1,3}$/.test(v) || n < 1 || n > 64) throw new UsageError(`--threads ${JSON.stringify(v)}: expected a whole number from 1 to 64`)
  return n
}
