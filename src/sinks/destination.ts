// `log_file` → an FdWriter. stdout and stderr are written through their file
// descriptors (never through process.stdout, which the host may have patched
// and which loses buffered data at process.exit()). A path is opened for
// append, mode 0600, parents created; if that fails the log goes to stderr
// and the caller is told why, so it can say so in the log.

import fs from 'node:fs'
import path from 'node:path'
import { FdWriter, type FdWriterOptions } from './fd-writer'

export interface OpenFailure {
  readonly path: string
  readonly code: string
  readonly message: string
  /** What the operator can do about it. */
  readonly fix: string
}

export interface Destination {
  readonly writer: FdWriter
  /** `stderr`, `stdout`, or the absolute path written to. */
  readonly target: string
  /** Set when the configured file could not be opened and stderr is used instead. */
  readonly fallback?: OpenFailure
}

export function openDestination (logFile: string, options: Omit<FdWriterOptions, 'ownsFd'>): Destination {
  if (logFile === 'stderr') return { writer: new FdWriter(2, { ...options, ownsFd: false }), target: 'stderr' }
  if (logFile === 'stdout') return { writer: new FdWriter(1, { ...options, ownsFd: false }), target: 'stdout' }
  const opened = openLogFile(logFile)
  if (typeof opened === 'number') return { writer: new FdWriter(opened, { ...options, ownsFd: true }), target: logFile }
  return { writer: new FdWriter(2, { ...options, ownsFd: false }), target: 'stderr', fallback: opened }
}

/** Opens `file` for appending (creating it 0600 and its parents); an fd, or why not. */
export function openLogFile (file: string): number | OpenFailure {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const fd = fs.openSync(file, 'a', 0o600)
    if (fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd)
      return failure(file, 'EISDIR', 'is a directory')
    }
    return fd
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return failure(file, e.code ?? 'EUNKNOWN', e.message)
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
