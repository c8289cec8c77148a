// What `summary` and `tail` share on the command line: times (ISO 8601 or
// a duration back from now) and which files to read (--config's log_file
// with its rotated files, or the files named).

import { parseArgs } from 'node:util'
import { loadConfig } from '../../index'
import { UsageError, type Options } from '../args'
import { describeFile, filesOfLog, type LogFile } from './files'

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/** `24h`, `30m`, `2d` back from `now`, or an ISO 8601 time (`2026-11-21T10:00:00+08:00`, `2026-11-21 10:00`, local when no offset). */
export function parseTime (value: string, flag: string, now = Date.now()): number {
  const v = value.trim()
  let i = 0
  while (i < v.length && v.charCodeAt(i) >= 48 && v.charCodeAt(i) <= 57) i++
  const unit = UNITS[v.slice(i)]
  if (i > 0 && i <= 12 && unit !== undefined) return now - Number(v.slice(0, i)) * unit
  if (v.length >= 10 && v.length <= 40 && v.charCodeAt(4) === 45) {
    // Date.parse takes a date alone as UTC; a date is meant as local midnight here, like a time without offset.
    const t = Date.parse(v.length === 10 ? `${v}T00:00` : v.replace(' ', 'T'))
    if (Number.isFinite(t)) return t
  }
  throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a duration back from now (24h, 30m, 2d, 90s) or an ISO 8601 time (2026-11-21T10:00:00+08:00)`)
}

export function parseCommand<O extends Options> (argv: string[], options: O): { values: Record<string, unknown>, positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
    return { values: r.values as Record<string, unknown>, positionals: r.positionals }
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** The files to read: those named, or the configured log_file and its rotated files. */
export function logFiles (config: string | undefined, positionals: readonly string[]): { files: LogFile[], current: string[], problem: string | undefined } {
  if (positionals.length > 0) {
    if (config !== undefined) throw new UsageError('give either --config or log files, not both')
    const files = positionals.map(describeFile)
    return { files, current: files.filter((f) => !f.gzip).map((f) => f.path), problem: undefined }
  }
  const cfg = loadConfig(config === undefined ? {} : { file: config })
  const log = cfg.settings.log_file
  if (log === 'stderr' || log === 'stdout') {
    return { files: [], current: [], problem: `log_file is ${log}${config === undefined ? ' (no --config given, and no config found)' : ` in ${config}`}: the log is wherever the app's ${log} goes. Name the log files, or a config with log_file set` }
  }
  return { files: filesOfLog(log), current: [log], problem: undefined }
}
