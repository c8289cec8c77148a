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
 * directory or a file larger than `max` is refused with a reason, unread.
 */
export function readBounded (file: string, max = MAX_CONTROL_BYTES): ReadResult {
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

/** Every process state file in `dir` that parses; damaged or foreign ones are skipped. At most `limit`. */
export function readStates (dir: string, limit = 1000): ProcessState[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const out: ProcessState[] = []
  for (const name of names) {
    if (out.length >= limit) break
    if (name.length > 60 || STATE_NAME.exec(name) === null) continue
    const r = readBounded(path.join(dir, name), 16 * 1024)
    if (!('text' in r)) continue
    const s = stateOf(r.text)
    if (s !== undefined) out.push(s)
  }
  return out.sort((a, b) => a.pid - b.pid)
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
