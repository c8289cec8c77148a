// "Could the log be written right now, and is it somewhere sensible?" —
// answered without writing a byte or creating a file, for `doctor`.

import fs from 'node:fs'
import path from 'node:path'

export interface DestinationCheck {
  readonly target: string
  /** tty, pipe, file, socket, character device, missing (will be created), or closed. */
  readonly kind: string
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
  let stat: fs.Stats | undefined
  try {
    stat = fs.statSync(target)
  } catch {
    stat = undefined
  }
  const existing = nearestExisting(dir)
  const base = { target, ...space(existing), ...worldWritable(existing) }
  if (stat !== undefined) {
    if (stat.isDirectory()) return { ...base, kind: 'directory', writable: false, error: 'EISDIR: log_file names a directory' }
    try {
      fs.accessSync(target, fs.constants.W_OK)
      return { ...base, kind: 'file', writable: true, size: stat.size }
    } catch (err) {
      return { ...base, kind: 'file', writable: false, size: stat.size, error: describe(err) }
    }
  }
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
