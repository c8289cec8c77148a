// The agent's own side files next to a log (rotation state, lock, rotated
// files being compressed, their temporaries) live in a directory others may
// write to. Whatever sits at one of those names may be a stranger's: a FIFO
// (an open would block), a symlink to /dev/zero (a read would never end) or
// to someone's file (a write would land there), a directory, a hard link.
// Every open of such a name goes through here: never follows a symlink,
// never waits, and keeps the fd only if it is our own regular file.

import fs from 'node:fs'
import { pathError } from './log-path'

/** What a side file is refused with: not the agent's own regular file. */
export const NOT_OURS = 'ENOTOURS'

const uid = process.getuid?.()

/**
 * Our own file: regular (not a symlink, FIFO, device or directory), owned by
 * this user, with no other name (a hard link elsewhere means someone keeps it).
 */
export function isOwnFile (st: fs.Stats): boolean {
  return st.isFile() && st.nlink === 1 && (uid === undefined || st.uid === uid)
}

const SAFE = fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

/**
 * Opens `file` (flags such as O_RDONLY, O_RDWR | O_CREAT) without following a
 * symlink or waiting, and returns the fd only if it is our own regular file;
 * otherwise throws ENOTOURS (ENOENT and other open errors as they are).
 */
export function openOwn (file: string, flags: number, mode = 0o600): number {
  let fd: number
  try {
    fd = fs.openSync(file, flags | SAFE, mode)
  } catch (err) {
    // O_NOFOLLOW on a symlink says ELOOP (EMLINK on some BSDs).
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ELOOP' || code === 'EMLINK') throw notOurs(file, 'a symlink')
    throw err
  }
  let st: fs.Stats
  try {
    st = fs.fstatSync(fd)
  } catch (err) {
    fs.closeSync(fd)
    throw err
  }
  if (!isOwnFile(st)) {
    fs.closeSync(fd)
    throw notOurs(file, describe(st))
  }
  return fd
}

/**
 * Creates `file` exclusively (O_EXCL: an existing name, a symlink included,
 * is never opened) for writing. Returns the fd, or throws EEXIST.
 */
export function createOwn (file: string, mode = 0o600): number {
  return fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | SAFE, mode)
}

/** At most `max` bytes of our own file `file`, as text; throws like openOwn. */
export function readOwn (file: string, max: number): string {
  const fd = openOwn(file, fs.constants.O_RDONLY)
  try {
    const buf = Buffer.alloc(max)
    let n = 0
    for (let r = -1; r !== 0 && n < max; n += r) r = fs.readSync(fd, buf, n, max - n, n)
    return buf.toString('utf8', 0, n)
  } finally {
    fs.closeSync(fd)
  }
}

/** Unlinks `file` only if it is our own regular file (lstat first); whether it did. */
export function unlinkOwn (file: string): boolean {
  try {
    if (!isOwnFile(fs.lstatSync(file))) return false
    fs.unlinkSync(file)
    return true
  } catch {
    return false
  }
}

export function notOurs (file: string, what: string): NodeJS.ErrnoException {
  return pathError(NOT_OURS, `${file} is ${what}, not the agent's own file: left alone`)
}

export function describe (st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symlink'
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  if (st.isSocket()) return 'a socket'
  if (uid !== undefined && st.uid !== uid) return `a file owned by uid ${st.uid}`
  if (st.nlink !== 1) return `a file with ${st.nlink} links`
  return 'not a regular file'
}
