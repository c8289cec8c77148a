// `log_file` → an FdWriter. stdout and stderr are written through their file
// descriptors (never through process.stdout, which the host may have patched
// and which loses buffered data at process.exit()). What a path means
// depends on what it names (docs/rotation.md, "What log_file may name"):
//
// - nothing yet, or a regular file: appended to (created 0600, parents made
//   in bounded time) and rotated;
// - a symlink to a file (or a dangling one): the target is appended to, never
//   rotated: rotation would have to replace the operator's symlink;
// - a FIFO or a character device (/dev/null, a tty): written without
//   blocking (O_NONBLOCK), never rotated; a FIFO with no reader is refused;
// - a directory, a socket, a block device, a pseudo file system: refused.
//
// Refused paths and open errors leave the log on stderr, and the caller is
// told why and what to do, so it can say so in the log.

import fs from 'node:fs'
import path from 'node:path'
import { FdWriter, fdTarget, type FdWriterOptions } from './fd-writer'
import { classifyPath, ensureDir, fixFor, pathError, pseudoFs, type PathKind } from './log-path'
import { networkFs, type StatfsFn } from './network-fs'
import { RotatingFile, type FileEvent, type RotationSettings, type RotationTiming } from './rotating-file'

export interface OpenFailure {
  readonly path: string
  readonly code: string
  readonly message: string
  /** What the operator can do about it. */
  readonly fix: string
}

export interface DestinationOptions extends FdWriterOptions {
  readonly rotation: RotationSettings
  readonly timing: RotationTiming
  readonly onFileEvent: (e: FileEvent) => void
  /** statfs for the network and pseudo file system checks; a test may inject one. */
  readonly statfs?: StatfsFn
}

/** Something about the destination the log should say at start-up. */
export interface DestinationNote {
  readonly event: string
  readonly message: string
  readonly fields: Readonly<Record<string, unknown>>
}

export interface Destination {
  readonly writer: FdWriter
  /** `stderr`, `stdout`, or the absolute path written to. */
  readonly target: string
  /** What the target is: a regular file, a symlink to one, a FIFO, a character device, or a standard stream. */
  readonly kind: 'stream' | 'file' | 'symlink' | 'fifo' | 'character device'
  /** Set when the configured file could not be opened and stderr is used instead. */
  readonly fallback?: OpenFailure
  /** Set when the file is on a network file system and this process writes its own `<log_file>.<pid>`. */
  readonly networkFs?: string
  /** Warnings for the start-up (rotation refused, and why). */
  readonly notes: readonly DestinationNote[]
}

const NO_ROTATION: RotationSettings = { maxSize: 0, period: 'none', maxFiles: 0, compress: false }
/** Write-only, append, and never wait: a FIFO without a reader fails with ENXIO instead of blocking the host. */
const SPECIAL_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY

export function openDestination (logFile: string, options: DestinationOptions): Destination {
  if (logFile === 'stderr') return stream(2, 'stderr', options)
  if (logFile === 'stdout') return stream(1, 'stdout', options)
  const info = classifyPath(logFile)
  try {
    if (info.error !== undefined) throw info.error
    const pseudo = pseudoFs(path.dirname(logFile), options.statfs)
    if (pseudo !== undefined) throw pathError('EPSEUDOFS', `${path.dirname(logFile)} is on ${pseudo}, a kernel pseudo file system, not a disk`)
    switch (info.kind) {
      case 'fifo':
      case 'character device':
        return special(logFile, info.kind, info.symlink, options)
      case 'file':
      case 'missing':
        return info.symlink ? symlinked(logFile, options) : regular(logFile, options)
      default:
        throw refused(info.kind, logFile)
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const code = e.code ?? 'EUNKNOWN'
    return { ...stream(2, 'stderr', options), fallback: { path: logFile, code, message: e.message, fix: fixFor(code, logFile) } }
  }
}

function stream (fd: number, target: 'stderr' | 'stdout', options: DestinationOptions): Destination {
  return { writer: new FdWriter(fdTarget(fd, false), options), target, kind: 'stream', notes: [] }
}

function regular (logFile: string, options: DestinationOptions): Destination {
  ensureDir(path.dirname(logFile), options.statfs)
  const net = networkFs(path.dirname(logFile), options.statfs)
  const file = net === undefined ? logFile : `${logFile}.${process.pid}`
  const target = new RotatingFile(file, options.rotation, options.timing, options.onFileEvent)
  return { writer: new FdWriter(target, options), target: file, kind: 'file', notes: [], ...(net === undefined ? {} : { networkFs: net }) }
}

/** A symlink to a file: written through the link (created if dangling), followed like any file, never rotated. */
function symlinked (logFile: string, options: DestinationOptions): Destination {
  const target = new RotatingFile(logFile, NO_ROTATION, options.timing, options.onFileEvent, { followSymlinks: true })
  let real = logFile
  try {
    real = fs.realpathSync(logFile)
  } catch {
    // Dangling until the open above created the target; realpath failing now only costs the note its detail.
  }
  return {
    writer: new FdWriter(target, options),
    target: logFile,
    kind: 'symlink',
    notes: notRotated(options.rotation, logFile, 'symlink',
      `${logFile} is a symlink (to ${real}): the agent appends to its target but never rotates it, since rotating would replace the symlink. Point log_file at ${real} to rotate, or rotate it with logrotate`)
  }
}

function special (logFile: string, kind: 'fifo' | 'character device', symlink: boolean, options: DestinationOptions): Destination {
  const fd = fs.openSync(logFile, SPECIAL_FLAGS)
  const st = fs.fstatSync(fd)
  if (!st.isFIFO() && !st.isCharacterDevice()) {
    // Replaced between the check and the open: not what was checked, so not written.
    fs.closeSync(fd)
    throw pathError('ENOTREG', `${logFile} changed while it was opened`)
  }
  const what = kind === 'fifo' ? 'a FIFO' : 'a character device'
  return {
    writer: new FdWriter(fdTarget(fd, true), options),
    target: logFile,
    kind,
    notes: notRotated(options.rotation, logFile, kind,
      `${logFile}${symlink ? ' (through a symlink)' : ''} is ${what}: written without blocking (what does not fit is dropped and counted), never rotated`)
  }
}

function notRotated (rotation: RotationSettings, file: string, kind: string, message: string): DestinationNote[] {
  const rotates = rotation.maxSize > 0 || rotation.period !== 'none' || rotation.compress
  return rotates ? [{ event: 'log_file_not_rotated', message, fields: { path: file, kind } }] : []
}

function refused (kind: PathKind, file: string): NodeJS.ErrnoException {
  switch (kind) {
    case 'directory': return pathError('EISDIR', `${file} is a directory`)
    case 'socket': return pathError('ESOCKET', `${file} names a socket`)
    case 'block device': return pathError('EBLOCKDEV', `${file} names a block device`)
    default: return pathError('ENOTREG', `${file} is not a regular file`)
  }
}
