// Which files hold a log: the current one and what rotation left next to it
// (this logger's labelled names, and logrotate's `.1`, `.2.gz`, `-20261121`),
// or the files an operator names. Each gets a time range without being read
// whole: its first record's time (the first lines; for .gz only the first
// compressed chunk is inflated) as the lower bound, its mtime as the upper,
// so --since/--until skip whole files unopened.

import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { listRotated } from '../../tools'
import { parseLine } from './parse'

export interface LogFile {
  readonly path: string
  readonly gzip: boolean
  readonly size: number
  readonly mtimeMs: number
  readonly ino: number
  /** Why it cannot be read (missing, a directory, a FIFO, ...); such a file is listed, never opened. */
  readonly problem: string | undefined
  /**
   * An fd the caller opened when it listed the file (`tail -f`'s current files) and still owns:
   * readers read through it, never the path, so a rotation after listing changes nothing.
   */
  readonly fd?: number | undefined
}

/** Bytes read (compressed bytes, for .gz) to find a file's first record. */
const HEAD_BYTES = 64 * 1024
/** Inflated bytes looked at for a .gz file's first record. */
const HEAD_OUTPUT = 512 * 1024
/** The first compressed prefix tried: even at deflate's largest ratio (~1032:1) it inflates to less than HEAD_OUTPUT. */
const GZIP_FIRST_TRY = 256

/** A path as a LogFile: only regular files are opened (a FIFO would block, a device never ends). */
export function describeFile (p: string): LogFile {
  let st: fs.Stats
  try {
    st = fs.statSync(p)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error'
    return bad(p, code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code})`)
  }
  if (st.isDirectory()) return bad(p, 'is a directory, not a log file (name the log file, or use --config)')
  if (st.isFIFO()) return bad(p, 'is a FIFO (named pipe): not read, since reading one waits for a writer')
  if (!st.isFile()) return bad(p, 'is not a regular file (a device or socket): not read')
  return { path: p, gzip: isGzipName(p) || hasGzipMagic(p), size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, problem: undefined }
}

function bad (p: string, problem: string): LogFile {
  return { path: p, gzip: p.endsWith('.gz'), size: 0, mtimeMs: 0, ino: 0, problem }
}

function isGzipName (p: string): boolean {
  return p.endsWith('.gz')
}

function hasGzipMagic (p: string): boolean {
  try {
    const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    try {
      const b = Buffer.alloc(2)
      return fs.readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return false
  }
}

/** Whether `name` (next to the log `base`) is a rotated copy by logrotate: `.1`, `.2.gz`, `-20261121`, `-20261121.gz`. */
function isLogrotateName (base: string, name: string): boolean {
  if (!name.startsWith(base) || name.length === base.length) return false
  let rest = name.slice(base.length)
  if (rest.endsWith('.gz')) rest = rest.slice(0, -3)
  const sep = rest.charCodeAt(0)
  if (sep !== 46 /* . */ && sep !== 45 /* - */) return false
  const num = rest.slice(1)
  if (num.length === 0 || num.length > 14) return false
  for (let i = 0; i < num.length; i++) {
    const c = num.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** The current log and its rotated files, oldest first by mtime (the current one last). */
export function filesOfLog (log: string): LogFile[] {
  const out = new Map<string, LogFile>()
  for (const r of listRotated(log)) out.set(r.path, describeFile(r.path))
  const dir = path.dirname(log)
  const base = path.basename(log)
  let names: string[] = []
  try {
    names = fs.readdirSync(dir)
  } catch {
    // A missing directory: the current log below says so.
  }
  for (const name of names) {
    const p = path.join(dir, name)
    if (!out.has(p) && isLogrotateName(base, name)) {
      const f = describeFile(p)
      if (f.problem === undefined) out.set(p, f)
    }
  }
  const rotated = [...out.values()].sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : 1))
  const current = describeFile(log)
  // No current file is fine when rotated ones exist (the app is stopped, the log was just rotated).
  return current.problem === 'no such file' && rotated.length > 0 ? rotated : [...rotated, current]
}

/** The time of the first record in the file's first bytes; undefined when none is found there. */
export function firstRecordTime (f: LogFile): number | undefined {
  if (f.problem !== undefined) return undefined
  let head: Buffer
  try {
    // A held fd (tail -f's current file) is the file listed, whatever the path holds now.
    const fd = f.fd ?? fs.openSync(f.path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    try {
      const b = Buffer.alloc(HEAD_BYTES)
      head = b.subarray(0, fs.readSync(fd, b, 0, HEAD_BYTES, 0))
    } finally {
      if (fd !== f.fd) fs.closeSync(fd)
    }
  } catch {
    return undefined
  }
  return f.gzip ? gzipFirstTime(head, f.path) : firstTime(head, f.path)
}

/**
 * The first record's time in a growing compressed prefix: log text compresses
 * 10-30x (and up to ~1000x), so the 64 KB read may inflate to megabytes.
 * Prefixes of 256 bytes, 512, ... are inflated (a sync flush returns what a
 * prefix gives without waiting for the end) until a record is found or the
 * output would pass HEAD_OUTPUT; the work is at most about twice the last try.
 */
function gzipFirstTime (head: Buffer, file: string): number | undefined {
  for (let n = GZIP_FIRST_TRY; ; n *= 2) {
    let text: Buffer
    try {
      text = zlib.gunzipSync(head.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: HEAD_OUTPUT })
    } catch {
      // Past HEAD_OUTPUT, or not gzip: the smaller prefixes held no record.
      return undefined
    }
    const t = firstTime(text, file)
    if (t !== undefined || n >= head.length) return t
  }
}

function firstTime (head: Buffer, file: string): number | undefined {
  const text = head.toString('utf8')
  let at = 0
  while (at < text.length) {
    let nl = text.indexOf('\n', at)
    if (nl < 0) nl = text.length
    const r = parseLine(text.slice(at, nl), file)
    if (r !== null) return r.time
    at = nl + 1
  }
  return undefined
}

export interface PlannedFile extends LogFile {
  /** The first record's time; NaN when not known. */
  readonly lower: number
  /** Outside the range asked for: not opened. */
  readonly skip: boolean
}

/**
 * Each file with its time range and whether --since/--until skip it, in
 * reading order (first record's time). A file's mtime bounds it from above:
 * nothing in it was written later.
 */
export function planFiles (files: readonly LogFile[], since: number, until: number): PlannedFile[] {
  const planned = files.map((f): PlannedFile => {
    if (f.problem !== undefined) return { ...f, lower: NaN, skip: true }
    // mtime has whole-ms (or coarser) precision: allow a second of slack.
    if (Number.isFinite(since) && f.mtimeMs + 1000 < since) return { ...f, lower: NaN, skip: true }
    const lower = firstRecordTime(f) ?? NaN
    return { ...f, lower, skip: Number.isFinite(until) && lower > until }
  })
  // Stable: files with no readable first record keep their place (mtime order).
  return planned.map((f, i) => ({ f, i, key: Number.isNaN(f.lower) ? f.mtimeMs : f.lower }))
    .sort((a, b) => a.key - b.key || a.i - b.i).map((x) => x.f)
}
