// What shipping could not send before the process ended, kept for the next
// process: `oneapm-unsent-<pid>.jsonl` next to the log (the temp directory
// when the log is stderr or stdout).
//
// Written at exit, synchronously (no later turn of the event loop comes):
// into a temp name of its own, then linked to its name (never over what
// holds it), so a reader never sees half a spool; records logged later in
// a host exit listener are appended to it. A
// section per destination: a header line {"oneapm_unsent":1,"destination":
// "<target>","count":N}, then its N lines as queued (the JSON layout's, so
// already redacted). Bounded: each queue is (log_ship_queue), and the file
// stops at SPOOL_MAX.
//
// Read at start by any process that ships: a file is claimed by renaming it
// to a name of its own (only one process wins), checked to be a regular file
// of our own user (never a symlink, FIFO or someone else's file: those are
// left alone and told once), read up to SPOOL_MAX, then removed. A file left
// claimed (`.claimed-<pid>`) by a process that no longer exists (or by an
// earlier process with this one's pid, claimed before this one started) is
// claimed and read the same way; one whose process lives is left to it. A
// temp file whose writer was killed mid-write is published for it first. A
// spool name with a second hard link is none the agent made: left alone.

import type * as Crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { lazy } from '../internal/lazy'

// node:crypto on first use: loading it (and the streams it pulls in) is a large part of require()'s cost.
const crypto = lazy(() => require('node:crypto') as typeof Crypto)

export const SPOOL_MAX = 16 * 1024 * 1024
const PREFIX = 'oneapm-unsent-'
const SUFFIX = '.jsonl'

export interface SpoolSection {
  readonly destination: string
  readonly lines: readonly string[]
}

export interface SpoolRead {
  readonly sections: readonly SpoolSection[]
  /** Files read and removed. */
  readonly files: readonly string[]
  /** Lines that were not JSON objects: not sent. */
  readonly skipped: number
  /** Files left alone, and why: not a regular file of ours, unreadable. */
  readonly ignored: ReadonlyArray<{ readonly file: string, readonly reason: string }>
  /** What files over SPOOL_MAX held past what was read: removed unread. Records: promised by the header, else estimated. */
  readonly dropped: { readonly bytes: number, readonly records: number }
  /** Spool files past the budget, left for a later start. */
  readonly waiting: number
}

/** The directory spool files go to for a log_file setting. */
export function spoolDir (logFile: string): string {
  return logFile === 'stderr' || logFile === 'stdout' ? os.tmpdir() : path.dirname(logFile)
}

/** Writes the sections to `<dir>/oneapm-unsent-<pid>.jsonl`; returns the path and the lines written, or why not. */
export function writeSpool (dir: string, sections: readonly SpoolSection[], pid = process.pid): { file: string, lines: number } | { error: string } {
  const nonEmpty = sections.filter((s) => s.lines.length > 0)
  if (nonEmpty.length === 0) return { file: '', lines: 0 }
  // A temp name of our own (O_EXCL): whatever already holds a name is never removed or written through.
  const tmp = path.join(dir, `.${PREFIX}${pid}-${crypto().randomBytes(6).toString('hex')}${SUFFIX}.tmp`)
  let fd: number
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), 0o600)
  } catch (err) {
    return { error: codeOf(err) }
  }
  let lines = 0
  try {
    lines = writeSections(fd, nonEmpty, SPOOL_MAX)
  } catch (err) {
    fs.closeSync(fd)
    fs.rmSync(tmp, { force: true })
    return { error: codeOf(err) }
  }
  fs.closeSync(fd)
  const file = publish(tmp, dir, pid)
  if (typeof file !== 'string') {
    fs.rmSync(tmp, { force: true })
    return file
  }
  return { file, lines }
}

/** Appends sections to a spool this process wrote (records logged after the exit spool was written). */
export function appendSpool (file: string, sections: readonly SpoolSection[], budget: number): { lines: number } | { error: string } {
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0))
  } catch (err) {
    return { error: codeOf(err) }
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return { error: 'ENOTFILE' }
    return { lines: writeSections(fd, sections.filter((s) => s.lines.length > 0), budget) }
  } catch (err) {
    return { error: codeOf(err) }
  } finally {
    fs.closeSync(fd)
  }
}

/** Writes each section (header, then its lines) up to `max` characters; returns the lines written. */
function writeSections (fd: number, sections: readonly SpoolSection[], max: number): number {
  let written = 0
  let lines = 0
  for (const s of sections) {
    const header = JSON.stringify({ oneapm_unsent: 1, destination: s.destination, count: s.lines.length }) + '\n'
    if (written + header.length > max) break
    let body = ''
    let count = 0
    for (const line of s.lines) {
      if (written + header.length + body.length + line.length + 1 > max) break
      body += line + '\n'
      count++
    }
    const chunk = count === s.lines.length ? header + body : JSON.stringify({ oneapm_unsent: 1, destination: s.destination, count }) + '\n' + body
    fs.writeSync(fd, chunk)
    written += chunk.length
    lines += count
  }
  return lines
}

/**
 * Gives the finished temp file its spool name without ever replacing what
 * holds that name (a spool of an earlier process with our pid, a symlink):
 * a hard link fails with EEXIST where a rename would replace. Returns the
 * name, or why not.
 */
function publish (tmp: string, dir: string, pid: number): string | { error: string } {
  const stamp = Date.now()
  for (let i = 0; i < 100; i++) {
    const file = path.join(dir, i === 0 ? `${PREFIX}${pid}${SUFFIX}` : `${PREFIX}${pid}-${stamp}${i}${SUFFIX}`)
    try {
      fs.linkSync(tmp, file)
    } catch (err) {
      if (codeOf(err) === 'EEXIST') continue
      // No hard links here (some network or FUSE file systems): a rename onto a name that holds nothing.
      if (exists(file)) continue
      try {
        fs.renameSync(tmp, file)
        return file
      } catch (e) {
        return { error: codeOf(e) }
      }
    }
    fs.rmSync(tmp, { force: true })
    return file
  }
  return { error: 'EEXIST' }
}

function exists (file: string): boolean {
  try {
    fs.lstatSync(file)
    return true
  } catch {
    return false
  }
}

/** `oneapm-unsent-123.jsonl` or `oneapm-unsent-123-1764550000000.jsonl`; a hand-written check, no regex on names from a directory. */
export function isSpoolName (name: string): boolean {
  if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) return false
  const mid = name.slice(PREFIX.length, name.length - SUFFIX.length)
  const parts = mid.split('-')
  return parts.length <= 2 && parts.every((p) => p.length > 0 && p.length <= 16 && [...p].every((c) => c >= '0' && c <= '9'))
}

const CLAIMED = '.claimed-'

/**
 * For `oneapm-unsent-<n>.jsonl.claimed-<pid>` whose process is gone (not
 * `own`, and signal 0 finds no such process), the spool name it was claimed
 * from; else undefined.
 */
function deadClaim (dir: string, name: string, own: number): string | undefined {
  const at = name.lastIndexOf(CLAIMED)
  if (at < 0) return undefined
  const base = name.slice(0, at)
  const digits = name.slice(at + CLAIMED.length)
  if (!isSpoolName(base) || digits.length === 0 || digits.length > 10 || ![...digits].every((c) => c >= '0' && c <= '9')) return undefined
  const pid = Number(digits)
  if (pid <= 0) return undefined
  // Our own pid: a claim made before this process started was made by an earlier process with the same
  // pid (a container restarts the agent as the same pid on the same volume); one made since is ours.
  if (pid === own) return claimedBefore(dir, name, processStart()) ? base : undefined
  try {
    process.kill(pid, 0)
    return undefined // Alive (or someone else's: EPERM below): it is reading it.
  } catch (err) {
    return codeOf(err) === 'ESRCH' ? base : undefined
  }
}

/** When this process started, by the wall clock file times are kept in. */
function processStart (): number {
  return Date.now() - process.uptime() * 1000
}

/** Whether `name` was last renamed (claimed: a rename sets ctime) before `time`. */
function claimedBefore (dir: string, name: string, time: number): boolean {
  try {
    return fs.lstatSync(path.join(dir, name)).ctimeMs < time
  } catch {
    return false
  }
}

/**
 * The pid of `.oneapm-unsent-<pid>-<hex>.jsonl.tmp` (writeSpool's temp name)
 * when its writer is gone, as for a claim; else undefined.
 */
function deadTemp (dir: string, name: string, own: number): number | undefined {
  const head = `.${PREFIX}`
  const tail = `${SUFFIX}.tmp`
  if (!name.startsWith(head) || !name.endsWith(tail)) return undefined
  const mid = name.slice(head.length, name.length - tail.length)
  const dash = mid.indexOf('-')
  const digits = mid.slice(0, dash)
  const hex = mid.slice(dash + 1)
  if (dash <= 0 || digits.length > 10 || ![...digits].every((c) => c >= '0' && c <= '9') || hex.length !== 12 || ![...hex].every((c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return undefined
  const pid = Number(digits)
  if (pid <= 0) return undefined
  if (pid === own) return claimedBefore(dir, name, processStart()) ? pid : undefined
  try {
    process.kill(pid, 0)
    return undefined
  } catch (err) {
    return codeOf(err) === 'ESRCH' ? pid : undefined
  }
}

/**
 * A temp spool whose writer was killed (SIGKILL mid write, or between
 * publishing it and removing the temp name) is finished as that writer
 * would have: given a spool name (its whole lines are read; a cut last line
 * is rejected as the destination cannot encode it), or, already published
 * (another link to it), its temp name removed. Only our own regular files.
 * Returns whether anything changed.
 */
function recoverTemps (dir: string, names: readonly string[], own: number, uid: number | undefined): boolean {
  let changed = false
  for (const name of names) {
    const pid = deadTemp(dir, name, own)
    if (pid === undefined) continue
    const tmp = path.join(dir, name)
    try {
      const st = fs.lstatSync(tmp)
      if (!st.isFile() || (uid !== undefined && st.uid !== uid)) continue
      if (st.nlink > 1) {
        fs.unlinkSync(tmp)
      } else if (typeof publish(tmp, dir, pid) !== 'string') {
        continue
      }
      changed = true
    } catch {
      // Gone, or another process finished it first.
    }
  }
  return changed
}

/**
 * Claims, reads and removes the spool files in `dir`, `max` characters in
 * all (what the queues can take), in name order:
 * - a file that does not fit what is left is not touched: it stays for the
 *   next start, never removed unread (counted in `waiting`); the first file
 *   read is read whole, up to SPOOL_MAX, whatever `max` (the caller writes
 *   back what its queues do not take);
 * - a file over SPOOL_MAX is none the agent wrote whole (damaged, or not
 *   ours): read up to what is left of `max`, up to its last complete line;
 *   the rest is removed unread and counted in `dropped` (bytes, and records:
 *   what its section header still promised, else estimated from the lines
 *   read, else one).
 * Memory and time are bounded by SPOOL_MAX, never by a file's size.
 */
export function readSpools (dir: string, pid = process.pid, max = SPOOL_MAX): SpoolRead {
  const sections: SpoolSection[] = []
  const files: string[] = []
  const ignored: Array<{ file: string, reason: string }> = []
  const dropped = { bytes: 0, records: 0 }
  let skipped = 0
  let waiting = 0
  let budget = Math.min(max, SPOOL_MAX)
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined
  let names: string[]
  try {
    let all = fs.readdirSync(dir)
    if (recoverTemps(dir, all, pid, uid)) all = fs.readdirSync(dir)
    names = all.filter((n) => isSpoolName(n) || deadClaim(dir, n, pid) !== undefined).sort()
  } catch {
    return { sections, files, skipped, ignored, dropped, waiting }
  }
  for (const name of names.slice(0, 64)) {
    const file = path.join(dir, name)
    let st: fs.Stats
    try {
      st = fs.lstatSync(file)
    } catch {
      continue
    }
    // A second name for the file (a hard link made to a file of ours elsewhere) is none the agent made: ours have one.
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || st.nlink > 1) {
      ignored.push({ file, reason: !st.isFile() ? 'not a regular file' : uid !== undefined && st.uid !== uid ? 'owned by another user' : 'a hard link to another file' })
      continue
    }
    const oversized = st.size > SPOOL_MAX
    if (files.length > 0 && (oversized ? budget <= 0 : st.size > budget)) {
      waiting++
      continue
    }
    // A spool another process claimed and died before reading (killed between the rename and the read) is claimed again.
    const base = deadClaim(dir, name, pid)
    const claimed = `${base === undefined ? file : path.join(dir, base)}.claimed-${pid}`
    try {
      fs.renameSync(file, claimed)
    } catch {
      continue // Another process claimed it first.
    }
    let text = ''
    let rest = 0
    try {
      const fd = fs.openSync(claimed, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0))
      try {
        const cst = fs.fstatSync(fd)
        if (!cst.isFile() || cst.ino !== st.ino) {
          ignored.push({ file, reason: 'replaced while being read' })
          continue
        }
        const want = cst.size > SPOOL_MAX ? Math.max(0, Math.min(budget, SPOOL_MAX)) : cst.size
        const buf = Buffer.alloc(want)
        const n = want === 0 ? 0 : fs.readSync(fd, buf, 0, want, 0)
        // Up to the last complete line: a line cut in two is neither sent nor taken for damage.
        const end = n === 0 ? 0 : n < cst.size ? buf.lastIndexOf(0x0a, n - 1) + 1 : n
        text = buf.toString('utf8', 0, end)
        rest = cst.size - end
        // What was read counts, cut or not: a run of damaged files costs one budget of reading in all.
        budget -= n
      } finally {
        fs.closeSync(fd)
      }
      fs.rmSync(claimed, { force: true })
      files.push(file)
    } catch (err) {
      ignored.push({ file, reason: codeOf(err) })
      continue
    }
    const before = sections.length
    const parsed = parseSpoolText(text, sections)
    skipped += parsed.skipped
    if (rest > 0) {
      dropped.bytes += rest
      const lines = sections.slice(before).reduce((a, x) => a + x.lines.length, 0)
      dropped.records += parsed.promised > 0 ? parsed.promised : lines > 0 ? Math.max(1, Math.round(rest / (text.length / lines))) : 1
    }
  }
  return { sections, files, skipped, ignored, dropped, waiting }
}

/** Adds the sections of one spool's text; returns the lines skipped (not JSON objects, or past a section's count). */
export function parseSpool (text: string, into: SpoolSection[]): number {
  return parseSpoolText(text, into).skipped
}

/** parseSpool, and how many lines the last section's header promised that did not follow. */
function parseSpoolText (text: string, into: SpoolSection[]): { skipped: number, promised: number } {
  let skipped = 0
  let current: { destination: string, lines: string[] } | undefined
  let left = 0
  for (const line of text.split('\n')) {
    if (line === '') continue
    const head = headerOf(line)
    if (head !== undefined) {
      current = { destination: head.destination, lines: [] }
      left = head.count
      into.push(current)
      continue
    }
    if (current === undefined || left <= 0 || !line.startsWith('{')) {
      skipped++
      continue
    }
    current.lines.push(line)
    left--
  }
  return { skipped, promised: current === undefined ? 0 : left }
}

function headerOf (line: string): { destination: string, count: number } | undefined {
  if (!line.startsWith('{"oneapm_unsent":')) return undefined
  try {
    const o = JSON.parse(line) as Record<string, unknown>
    if (typeof o.destination === 'string' && typeof o.count === 'number' && Number.isSafeInteger(o.count) && o.count >= 0) return { destination: o.destination, count: o.count }
  } catch {
    // Not a header after all.
  }
  return undefined
}

function codeOf (err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'EIO'
}
