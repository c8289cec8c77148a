// What `summary` and `tail` share on the command line: times (ISO 8601 or
// a duration back from now) and which files to read (--config's log_file
// with its rotated files, or the files named).

import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../../tools'
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

/**
 * The files to read: those named, or the configured log_file and its rotated files.
 * `hold` (tail -f): each current file is opened before anything else is looked at
 * and described by that fd (LogFile.fd, the caller's to close), so a rotation
 * while the others are listed or read changes nothing.
 */
export function logFiles (config: string | undefined, positionals: readonly string[], hold = false): { files: LogFile[], current: string[], problem: string | undefined } {
  if (positionals.length > 0) {
    if (config !== undefined) throw new UsageError('give either --config or log files, not both')
    const fds = new Map<string, number>()
    if (hold) for (const p of positionals) if (!p.endsWith('.gz') && !fds.has(p)) { const fd = openHeld(p); if (fd !== undefined) fds.set(p, fd) }
    const files = positionals.map((p) => withFd(describeFile(p), fds))
    for (const fd of fds.values()) fs.closeSync(fd)
    return { files, current: files.filter((f) => !f.gzip).map((f) => f.path), problem: undefined }
  }
  const cfg = loadConfig(config === undefined ? {} : { file: config })
  const log = cfg.settings.log_file
  if (log === 'stderr' || log === 'stdout') {
    return { files: [], current: [], problem: `log_file is ${log}${config === undefined ? ' (no --config given, and no config found)' : ` in ${config}`}: the log is wherever the app's ${log} goes. Name the log files, or a config with log_file set` }
  }
  const fds = new Map<string, number>()
  const fd = hold ? openHeld(log) : undefined
  if (fd !== undefined) fds.set(log, fd)
  const files = filesOfLog(log).filter((f) => f.path !== log || fd === undefined).map((f) => withFd(f, fds))
  if (fd !== undefined) files.push(withFd(describeFile(log), fds))
  for (const left of fds.values()) fs.closeSync(left)
  return { files, current: [log], problem: undefined }
}

/** An fd on a regular file at `p`, or undefined. O_NONBLOCK: a FIFO at the path must not block the open. */
function openHeld (p: string): number | undefined {
  let fd: number | undefined
  try {
    fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    if (fs.fstatSync(fd).isFile()) return fd
  } catch {
    // Missing or unreadable: described as such by describeFile.
  }
  if (fd !== undefined) fs.closeSync(fd)
  return undefined
}

/** `f` described by the fd held for its path (taken out of `fds`): what the path holds now may be a newer file. */
function withFd (f: LogFile, fds: Map<string, number>): LogFile {
  const fd = fds.get(f.path)
  if (fd === undefined || f.gzip) return f
  fds.delete(f.path)
  const st = fs.fstatSync(fd)
  return { path: f.path, gzip: false, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, problem: undefined, fd }
}
