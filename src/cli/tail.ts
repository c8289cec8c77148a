// `oneapm-agent-log tail`: the log's records in time order across the
// current, rotated and gzipped files, filtered; with -f, then the new ones
// as they are written, through rotations. Lines are printed as written
// (level coloured on a terminal only; controls from the log escaped, on a
// terminal or not); --json prints one normalized object
// per record. Exit 0 (also when the reader of a pipe goes away: `| head`),
// 1 when there is no log to read, 2 for a usage error.

import fs from 'node:fs'
import { UsageError } from './args'
import { planFiles } from './logs/files'
import { follow, type FollowStart } from './logs/follow'
import type { LevelName } from './logs/model'
import { logFiles, parseCommand, parseTime } from './logs/options'
import { lineEnd, parseLine, type ReadRecord } from './logs/parse'
import { readLogs } from './logs/read'
import { outputRedactor } from './logs/redact-output'
import { jsonSafe, terminalSafe } from './logs/terminal'

export const TAIL_HELP = `tail     the log's records in time order across rotated and gzipped files; -f follows it

Usage: oneapm-agent-log tail [--config FILE | FILE...] [-f] [-n N] [--level L] [--logger NAME]
                             [--event NAME] [--pid N] [--since T] [--until T] [--json]

  --config FILE  read the log_file this config names, with its rotated (and gzipped) files
  FILE...        read these log files (text or JSON layout, plain or gzipped)
  -f, --follow   then keep printing new records, through rotation (by this logger, or
                 logrotate create or copytruncate)
  -n, --lines N  only the last N records before following
  --level L      records at L or above (critical, error, warning, info, debug, trace)
  --logger NAME  records of that logger and its children (collector matches oneapm.collector)
  --event NAME   records with that event (collector_error)
  --pid N        records of that process
  --since T, --until T
                 a duration back from now (24h, 30m) or an ISO 8601 time
  --json         one JSON object per record: time (ISO), level, name, pid, thread, msg, event, fields, file

Exit status: 0 (also when the reader of a pipe goes away), 1 no log to read, 2 usage error.`

const RANK: Readonly<Record<LevelName, number>> = { critical: 60, error: 50, warning: 40, info: 30, debug: 20, trace: 10 }
const ALIASES: Readonly<Record<string, LevelName>> = { fatal: 'critical', err: 'error', warn: 'warning', verbose: 'debug' }
const COLOURS: Readonly<Record<LevelName, string>> = { critical: '\u001b[1;31m', error: '\u001b[31m', warning: '\u001b[33m', info: '', debug: '\u001b[2m', trace: '\u001b[2m' }

export async function runTail (argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    config: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
    lines: { type: 'string', short: 'n' },
    level: { type: 'string' },
    logger: { type: 'string' },
    event: { type: 'string' },
    pid: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help === true) {
    out(TAIL_HELP + '\n')
    return 0
  }
  const now = Date.now()
  const since = typeof values.since === 'string' ? parseTime(values.since, '--since', now) : -Infinity
  const until = typeof values.until === 'string' ? parseTime(values.until, '--until', now) : Infinity
  const keep = filter(values)
  const lines = values.lines === undefined ? undefined : count(values.lines as string, '--lines')
  // With -f, each current file is opened first and read through that fd, by the reader,
  // then by follow: a rotation at any time after tail starts loses and repeats nothing.
  const { files, current, problem } = logFiles(values.config as string | undefined, positionals, values.follow === true)
  if (problem !== undefined) {
    err(`oneapm-agent-log tail: ${problem}\n`)
    return 1
  }
  for (const f of files) if (f.problem !== undefined && !(values.follow === true && f.problem === 'no such file')) err(`oneapm-agent-log tail: ${f.path}: ${f.problem}\n`)
  if (files.every((f) => f.problem !== undefined) && values.follow !== true) return 1

  const colour = process.stdout.isTTY === true && values.json !== true && process.env.NO_COLOR === undefined
  // What is printed is redacted again (an old log may hold secrets in clear), then its controls escaped.
  const redact = outputRedactor(values.config as string | undefined)
  const show = (raw: ReadRecord): string => {
    const r = redact.record(raw)
    return values.json === true ? jsonSafe(JSON.stringify(normalized(r))) + '\n' : colour ? coloured(r) : terminalSafe(r.line) + '\n'
  }
  // Where -f carries on: each current file's fd, inode and the size reading stops at.
  const starts: FollowStart[] = current.map((p) => {
    const f = files.find((x) => x.path === p)
    return { path: p, ino: f?.problem === undefined ? f?.ino ?? -1 : -1, pos: f?.problem === undefined ? f?.size ?? 0 : 0, fd: f?.fd }
  })
  let handedOver = false
  try {
    let gone = false
    const write = (s: string): boolean => {
      try {
        out(s)
        return true
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') { gone = true; return false }
        throw e
      }
    }
    const last: string[] = []
    const { files: read } = await readLogs(planFiles(files, since, until), { since, until }, (r) => {
      if (!keep(r)) return true
      if (lines === undefined) return write(show(r))
      last.push(show(r))
      if (last.length > lines) last.shift()
      return true
    })
    if (lines !== undefined) for (const s of last) if (!write(s)) break
    for (const f of read) if (f.problem !== undefined && files.find((x) => x.path === f.path)?.problem === undefined) err(`oneapm-agent-log tail: ${f.path}: ${f.problem}\n`)
    if (gone || values.follow !== true) return 0

    handedOver = true
    await follow(starts, (text, file) => {
      let at = 0
      while (at <= text.length) {
        let nl = text.indexOf('\n', at)
        if (nl < 0) nl = text.length
        const r = nl > at ? parseLine(text.slice(at, lineEnd(text, at, nl)), file) : null
        if (r !== null && !(r.time < since) && !(r.time > until) && keep(r) && !write(show(r))) return false
        at = nl + 1
      }
      return true
    }, (s) => { err(`oneapm-agent-log tail: ${s}\n`) })
    return 0
  } finally {
    if (!handedOver) for (const s of starts) if (s.fd !== undefined) fs.closeSync(s.fd)
  }
}

function count (v: string, flag: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} ${JSON.stringify(v)}: expected a whole number`)
  return n
}

function filter (values: Record<string, unknown>): (r: ReadRecord) => boolean {
  let min = 0
  if (typeof values.level === 'string') {
    const name = values.level.toLowerCase()
    const level = (Object.hasOwn(RANK, name) ? name : ALIASES[name]) as LevelName | undefined
    if (level === undefined) throw new UsageError(`--level ${JSON.stringify(values.level)}: expected critical, error, warning, info, debug or trace`)
    min = RANK[level]
  }
  const logger = typeof values.logger === 'string' ? values.logger : undefined
  const event = typeof values.event === 'string' ? values.event : undefined
  const pid = values.pid === undefined ? undefined : count(values.pid as string, '--pid')
  return (r) => RANK[r.level] >= min &&
    (pid === undefined || r.pid === pid) &&
    (logger === undefined || loggerMatches(r.name, logger)) &&
    (event === undefined || r.event === event)
}

/** `collector` matches oneapm.collector and its children; a full name matches itself and its children. */
function loggerMatches (name: string, want: string): boolean {
  for (const w of [want, `oneapm.${want}`]) if (name === w || name.startsWith(w + '.')) return true
  return false
}

function normalized (r: ReadRecord): Record<string, unknown> {
  // The reader only makes records with times in the Date range; a null time, never a throw, all the same.
  const time = Math.abs(r.time) <= 8.64e15 ? new Date(r.time).toISOString() : null
  return { time, level: r.level, name: r.name, pid: r.pid, thread: r.thread, msg: r.msg, event: r.event, fields: r.fields, file: r.file }
}

function coloured (r: ReadRecord): string {
  const c = COLOURS[r.level]
  // The layout escapes controls, but a foreign or old line may hold any: they are escaped first, then only the level word is painted.
  const line = terminalSafe(r.line)
  if (c === '' || r.format !== 'text') return line + '\n'
  const word = ` ${r.level.toUpperCase()} - `
  const at = line.indexOf(word)
  return at < 0 ? line + '\n' : `${line.slice(0, at + 1)}${c}${r.level.toUpperCase()}\u001b[0m${line.slice(at + word.length - 3)}\n`
}

