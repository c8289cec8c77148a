// The session's files in the debug directory: the control file (read by
// every process, written by the CLI) and the per-process state files. The
// directory may be shared with others, so whatever sits at one of our names
// may be a stranger's: reads never follow a symlink, never wait on a FIFO,
// read regular files only and at most a bounded number of bytes; writes go
// to a fresh temporary file and are renamed over the name only when that
// name is missing or our own regular file.

import fs from 'node:fs'
import path from 'node:path'
import { DEBUG_CONTROL_FILE, debugStateName } from '../../config/debug-dir'
import { createOwn, isOwnFile, unlinkOwn } from '../../sinks/own-file'
import { MAX_CONTROL_BYTES } from './control'

const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

/** What changes when the control file is rewritten (atomically: a new inode) or edited in place. */
export function signatureOf (st: fs.Stats | undefined): string {
  return st === undefined ? 'missing' : `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`
}

/** One stat, never throws; undefined when nothing is there (or it cannot be seen). */
export function statQuiet (file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file)
  } catch {
    return undefined
  }
}

export type ReadResult = { readonly text: string } | { readonly missing: true } | { readonly problem: string }

/**
 * At most `max` bytes of a regular file, as text; a symlink, FIFO, device,
 * directory or a file larger than `max` is refused with a reason, unread
 * (with `ownOnly`, also a file that is not our own: isOwnFile).
 */
export function readBounded (file: string, max = MAX_CONTROL_BYTES, ownOnly = false): ReadResult {
  let fd: number
  try {
    fd = fs.openSync(file, READ_FLAGS)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO'
    if (code === 'ENOENT') return { missing: true }
    return { problem: code === 'ELOOP' || code === 'EMLINK' ? 'a symlink (not followed)' : `cannot be read (${code})` }
  }
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile()) return { problem: `${kind(st)}, not a regular file` }
    // Another user's file, or one with a second name, is not ours to act on (nor, then, to stop or replace).
    if (ownOnly && !isOwnFile(st)) return { problem: 'not our own regular file (owned by another user, or with another name)' }
    if (st.size > max) return { problem: `${st.size} bytes, more than the ${max} read` }
    const buf = Buffer.alloc(max + 1)
    let n = 0
    // Bounded even if the file grows while read.
    for (let r = -1; r !== 0 && n <= max; n += r) r = fs.readSync(fd, buf, n, max + 1 - n, n)
    if (n > max) return { problem: `more than the ${max} bytes read` }
    return { text: buf.toString('utf8', 0, n) }
  } catch (err) {
    return { problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'EIO'})` }
  } finally {
    fs.closeSync(fd)
  }
}

function kind (st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  if (st.isSocket()) return 'a socket'
  return 'a special file'
}

/**
 * Writes `text` to `file` atomically: a temporary file of ours in the same
 * directory, renamed over `file`. Refuses (returns the reason) when `file`
 * exists and is not our own regular file. Never throws.
 */
export function writeAtomic (file: string, text: string): string | undefined {
  const st = statQuiet(file)
  if (st !== undefined && !isOwnFile(st)) return `${file} is not our own regular file: left alone`
  const tmp = `${file}.${process.pid}.tmp`
  let fd: number
  try {
    fd = createOwn(tmp)
  } catch (err) {
    // Left by a process of ours that died mid-write: ours to remove, then once more.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !unlinkOwn(tmp)) return codeOf(err)
    try {
      fd = createOwn(tmp)
    } catch (again) {
      return codeOf(again)
    }
  }
  try {
    fs.writeSync(fd, text)
  } catch (err) {
    fs.closeSync(fd)
    unlinkOwn(tmp)
    return codeOf(err)
  }
  fs.closeSync(fd)
  try {
    fs.renameSync(tmp, file)
    return undefined
  } catch (err) {
    unlinkOwn(tmp)
    return codeOf(err)
  }
}

function codeOf (err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err)
}

export function controlPath (dir: string): string {
  return path.join(dir, DEBUG_CONTROL_FILE)
}

/** What a joined process says about itself, in `oneapm-debug-<pid>.state.json`. */
export interface ProcessState {
  readonly pid: number
  readonly session: string
  /** ISO time the process joined. */
  readonly since: string
  readonly records: number
  readonly bytes: number
  readonly dropped: number
  /** Where its session output goes: a path, `stderr` or `stdout`. */
  readonly file: string
  readonly state: 'active' | 'ended' | 'exited'
  readonly end_reason?: string
  /** ISO time of this write. */
  readonly updated: string
}

export function writeState (dir: string, state: ProcessState): string | undefined {
  return writeAtomic(path.join(dir, debugStateName(state.pid)), JSON.stringify(state) + '\n')
}

const STATE_NAME = /^oneapm-debug-(\d{1,10})\.state\.json$/

/** How many state files one look reads at most (the newest first). */
export const MAX_STATES_READ = 1000

export interface SessionStates {
  /** The state files read that belong to the session asked for (all of them when none was), by pid. */
  readonly processes: ProcessState[]
  /** State files of other sessions, as listed (before any removal). */
  readonly others: number
  /** Of those, the ones removed: their process is gone. */
  readonly removed: number
}

/** Every process state file in `dir` that parses (the `limit` newest); damaged or foreign ones are skipped. */
export function readStates (dir: string, limit = MAX_STATES_READ): ProcessState[] {
  return sessionStates(dir, undefined, undefined, limit).processes
}

/**
 * The state files of `session` in `dir`. State files are listed by name and
 * sorted by mtime, newest first (one lstat each), and only the `limit` newest
 * are read: a joined process rewrites its file every poll, so stale files of
 * earlier sessions never hide it. With `alive`, a file read that belongs to
 * another session and names a process that is gone is removed, if it is our
 * own regular file.
 */
export function sessionStates (dir: string, session: string | undefined, alive: ((pid: number) => boolean) | undefined, limit = MAX_STATES_READ): SessionStates {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return { processes: [], others: 0, removed: 0 }
  }
  const files: Array<{ name: string, pid: number, mtime: number }> = []
  for (const name of names) {
    if (name.length > 60) continue
    const m = STATE_NAME.exec(name)
    if (m === null) continue
    const st = statQuiet(path.join(dir, name))
    if (st === undefined || !st.isFile()) continue
    files.push({ name, pid: Number(m[1]), mtime: st.mtimeMs })
  }
  files.sort((a, b) => b.mtime - a.mtime)
  const processes: ProcessState[] = []
  let removed = 0
  for (const f of files.slice(0, limit)) {
    const file = path.join(dir, f.name)
    const r = readBounded(file, 16 * 1024)
    if (!('text' in r)) continue
    const s = stateOf(r.text)
    if (s === undefined) continue
    if (session === undefined || s.session === session) {
      processes.push(s)
    } else if (alive !== undefined && s.pid === f.pid && !alive(f.pid) && unlinkOwn(file)) {
      removed++
    }
  }
  const others = session === undefined ? 0 : files.length - processes.length
  return { processes: processes.sort((a, b) => a.pid - b.pid), others, removed }
}

function stateOf (text: string): ProcessState | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>
    if (typeof v !== 'object' || v === null) return undefined
    const num = (x: unknown): number => typeof x === 'number' && Number.isFinite(x) ? x : 0
    const str = (x: unknown): string => typeof x === 'string' ? x.slice(0, 4096) : ''
    if (!Number.isInteger(v.pid) || typeof v.session !== 'string') return undefined
    const state = v.state === 'active' || v.state === 'ended' || v.state === 'exited' ? v.state : 'ended'
    return {
      pid: v.pid as number,
      session: str(v.session),
      since: str(v.since),
      records: num(v.records),
      bytes: num(v.bytes),
      dropped: num(v.dropped),
      file: str(v.file),
      state,
      ...(typeof v.end_reason === 'string' ? { end_reason: str(v.end_reason) } : {}),
      updated: str(v.updated)
    }
  } catch {
    return undefined
  }
}
