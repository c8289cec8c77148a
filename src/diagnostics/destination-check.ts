// "Could the log be written right now, and is it somewhere sensible?" —
// answered without writing a byte or creating a file, for `doctor`.

import fs from 'node:fs'
import path from 'node:path'
import { classifyPath, pseudoFs } from '../sinks/log-path'

export interface DestinationCheck {
  readonly target: string
  /**
   * tty, pipe, file, socket, character device, fifo, directory, block device,
   * missing (will be created), or closed; `symlink to ...` when the path is a symlink.
   */
  readonly kind: string
  /** What the kind means for the agent (written? rotated? refused?). */
  readonly implication?: string
  readonly writable: boolean
  /** Why not, when not writable (an errno code and message). */
  readonly error?: string
  /** Current size of the log file, if it exists. */
  readonly size?: number
  /** Bytes available to this user on the file system holding the log. */
  readonly freeBytes?: number
  /** The directory is writable by everyone: another user could replace the log (a symlink, say). */
  readonly worldWritableDir?: string
}

export function checkDestination (target: string): DestinationCheck {
  if (target === 'stderr' || target === 'stdout') return checkFd(target, target === 'stderr' ? 2 : 1)
  const dir = path.dirname(target)
  const existing = nearestExisting(dir)
  const base = { target, ...space(existing), ...worldWritable(existing) }
  const pseudo = pseudoFs(existing)
  if (pseudo !== undefined) {
    return { ...base, kind: `path on ${pseudo}`, writable: false, error: `EPSEUDOFS: ${existing} is on ${pseudo}, a kernel pseudo file system`, implication: 'refused: the agent would log to stderr' }
  }
  const info = classifyPath(target)
  const link = info.symlink ? (info.kind === 'missing' ? 'dangling symlink' : 'symlink to a ') : ''
  const kind = (k: string): string => link === 'symlink to a ' ? `${link}${k}` : link !== '' ? link : k
  switch (info.kind) {
    case 'directory':
      return { ...base, kind: kind('directory'), writable: false, error: 'EISDIR: log_file names a directory', implication: 'refused: the agent would log to stderr' }
    case 'socket':
      return { ...base, kind: kind('socket'), writable: false, error: 'ESOCKET: a socket cannot be opened as a file', implication: 'refused: the agent would log to stderr' }
    case 'block device':
      return { ...base, kind: kind('block device'), writable: false, error: 'EBLOCKDEV: log_file names a disk device', implication: 'refused: the agent would log to stderr' }
    case 'fifo':
    case 'character device':
      return { ...base, kind: kind(info.kind), writable: canWrite(target), implication: 'written without blocking (what does not fit is dropped and counted), never rotated' + (info.kind === 'fifo' ? '; with no reader at start-up the agent logs to stderr' : '') }
    case 'other':
      return { ...base, kind: kind('special file'), writable: false, error: 'ENOTREG: not a regular file', implication: 'refused: the agent would log to stderr' }
    default:
      break
  }
  const implication = info.symlink ? 'its target is appended to, never rotated (rotating would replace the symlink): point log_file at the target to rotate' : undefined
  let stat: fs.Stats | undefined
  try {
    stat = fs.statSync(target)
  } catch {
    stat = undefined
  }
  if (stat !== undefined) {
    try {
      fs.accessSync(target, fs.constants.W_OK)
      return { ...base, kind: kind('file'), writable: true, size: stat.size, ...(implication === undefined ? {} : { implication }) }
    } catch (err) {
      return { ...base, kind: kind('file'), writable: false, size: stat.size, error: describe(err), ...(implication === undefined ? {} : { implication }) }
    }
  }
  if (info.symlink) return { ...base, kind: kind('missing'), writable: true, ...(implication === undefined ? {} : { implication }) }
  try {
    const s = fs.statSync(existing)
    if (!s.isDirectory()) return { ...base, kind: 'missing', writable: false, error: `ENOTDIR: ${existing} is not a directory` }
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK)
    return { ...base, kind: 'missing', writable: true }
  } catch (err) {
    return { ...base, kind: 'missing', writable: false, error: describe(err) }
  }
}

function checkFd (target: string, fd: number): DestinationCheck {
  try {
    const s = fs.fstatSync(fd)
    const kind = s.isFIFO() ? 'pipe' : s.isSocket() ? 'socket' : s.isFile() ? 'file' : s.isCharacterDevice() ? (process[target === 'stderr' ? 'stderr' : 'stdout'].isTTY === true ? 'tty' : 'character device') : 'other'
    return { target, kind, writable: true }
  } catch (err) {
    return { target, kind: 'closed', writable: false, error: describe(err) }
  }
}

function canWrite (file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}

function nearestExisting (dir: string): string {
  let d = dir
  while (!fs.existsSync(d)) {
    const up = path.dirname(d)
    if (up === d) break
    d = up
  }
  return d
}

function space (dir: string): { freeBytes?: number } {
  try {
    const s = fs.statfsSync(dir)
    return { freeBytes: s.bavail * s.bsize }
  } catch {
    return {}
  }
}

function worldWritable (dir: string): { worldWritableDir?: string } {
  try {
    return (fs.statSync(dir).mode & 0o002) !== 0 ? { worldWritableDir: dir } : {}
  } catch {
    return {}
  }
}

function describe (err: unknown): string {
  const e = err as NodeJS.ErrnoException
  return e.code !== undefined ? `${e.code}: ${e.message}` : String(err)
}
