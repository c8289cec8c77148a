// `log_file` → an FdWriter. stdout and stderr are written through their file
// descriptors (never through process.stdout, which the host may have patched
// and which loses buffered data at process.exit()). A path is opened for
// append, mode 0600, parents created; if that fails the log goes to stderr
// and the caller is told why, so it can say so in the log.

import fs from 'node:fs'
import path from 'node:path'
import { FdWriter, fdTarget, type FdWriterOptions } from './fd-writer'
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
  /** statfs for the network file system check; a test may inject one. */
  readonly statfs?: StatfsFn
}

export interface Destination {
  readonly writer: FdWriter
  /** `stderr`, `stdout`, or the absolute path written to. */
  readonly target: string
  /** Set when the configured file could not be opened and stderr is used instead. */
  readonly fallback?: OpenFailure
  /** Set when the file is on a network file system and this process writes its own `<log_file>.<pid>`. */
  readonly networkFs?: string
}

export function openDestination (logFile: string, options: DestinationOptions): Destination {
  if (logFile === 'stderr') return { writer: new FdWriter(fdTarget(2, false), options), target: 'stderr' }
  if (logFile === 'stdout') return { writer: new FdWriter(fdTarget(1, false), options), target: 'stdout' }
  try {
    fs.mkdirSync(path.dirname(logFile), { recursive: true })
  } catch {
    // RotatingFile's open reports the real error below.
  }
  const net = networkFs(path.dirname(logFile), options.statfs)
  const file = net === undefined ? logFile : `${logFile}.${process.pid}`
  try {
    const target = new RotatingFile(file, options.rotation, options.timing, options.onFileEvent)
    return { writer: new FdWriter(target, options), target: file, ...(net === undefined ? {} : { networkFs: net }) }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return { writer: new FdWriter(fdTarget(2, false), options), target: 'stderr', fallback: failure(file, e.code ?? 'EUNKNOWN', e.message) }
  }
}

function failure (file: string, code: string, message: string): OpenFailure {
  return { path: file, code, message, fix: fixFor(code, file) }
}

function fixFor (code: string, file: string): string {
  const dir = path.dirname(file)
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `give the user running the app (uid ${process.getuid?.() ?? '?'}) write access to ${dir}, or set log_file to a writable path or to stderr`
    case 'EROFS':
      return `${dir} is on a read-only file system (common in containers): set log_file = stderr, or a path on a writable volume`
    case 'ENOENT':
    case 'ENOTDIR':
      return `a part of ${dir} is missing or is not a directory: create it, or set log_file to a path that exists`
    case 'EISDIR':
      return `log_file names a directory: name a file inside it, such as ${path.join(file, 'oneapm_agent.log')}`
    case 'ENOSPC':
    case 'EDQUOT':
      return `the disk holding ${dir} is full: free space, or set log_file = stderr`
    default:
      return 'set log_file to a writable path, or to stderr'
  }
}
