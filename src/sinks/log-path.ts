// What `log_file` names, and making its directory, in bounded time.
//
// Node's mkdirSync(dir, { recursive: true }) retries for as long as mkdir
// says ENOENT for a parent that stat says exists, which is what /proc and
// /sys do: it spins at 100 % CPU forever. ensureDir walks up to the nearest
// existing directory (at most one step per path component), refuses pseudo
// file systems, then creates each missing level once.

import fs from 'node:fs'
import path from 'node:path'

/** statfs magic numbers of kernel pseudo file systems: a log there is never a file on a disk. */
const PSEUDO_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
  [0x1cd1, 'devpts'],
  [0xf97cff8c, 'selinuxfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0x6e736673, 'nsfs']
])

export type StatfsTypeFn = (dir: string) => { readonly type: number }

/** An error with an errno-like code, like the ones fs throws. */
export function pathError (code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code })
}

/** The pseudo file system `dir` is on (proc, sysfs...), or undefined. */
export function pseudoFs (dir: string, statfs: StatfsTypeFn = fs.statfsSync): string | undefined {
  try {
    return PSEUDO_FS.get(statfs(dir).type >>> 0)
  } catch {
    return undefined
  }
}

/**
 * Makes `dir` and its missing parents, or throws an fs-style error: ENOTDIR
 * when a part is not a directory, EPSEUDOFS on /proc, /sys and the like,
 * or what mkdir said. Never loops: one stat per level going up, one mkdir per
 * missing level going down.
 */
export function ensureDir (dir: string, statfs?: StatfsTypeFn): void {
  const missing: string[] = []
  let d = path.resolve(dir)
  for (;;) {
    let st: fs.Stats
    try {
      st = fs.statSync(d)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      missing.push(d)
      const up = path.dirname(d)
      if (up === d) throw err
      d = up
      continue
    }
    if (!st.isDirectory()) throw pathError('ENOTDIR', `${d} is not a directory`)
    break
  }
  const pseudo = pseudoFs(d, statfs)
  if (pseudo !== undefined) throw pathError('EPSEUDOFS', `${d} is on ${pseudo}, a kernel pseudo file system, not a disk`)
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      fs.mkdirSync(missing[i] as string)
    } catch (err) {
      // Another process made it first: fine. Anything else (ENOENT on a pseudo file system) is final.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}

export type PathKind =
  | 'file' | 'missing' | 'fifo' | 'character device' | 'block device' | 'socket' | 'directory' | 'other'

export interface PathInfo {
  /** What the path names once symlinks are followed; `missing` when nothing is there (yet). */
  readonly kind: PathKind
  /** The path itself is a symlink (`kind` then says what it points at; `missing` = dangling). */
  readonly symlink: boolean
  /** An error from stat other than ENOENT (ELOOP, EACCES...). */
  readonly error?: NodeJS.ErrnoException
}

/** What `file` is, without opening it (opening a FIFO can block). */
export function classifyPath (file: string): PathInfo {
  let symlink = false
  try {
    symlink = fs.lstatSync(file).isSymbolicLink()
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return e.code === 'ENOENT' ? { kind: 'missing', symlink } : { kind: 'missing', symlink, error: e }
  }
  let st: fs.Stats
  try {
    st = fs.statSync(file)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return e.code === 'ENOENT' ? { kind: 'missing', symlink } : { kind: 'missing', symlink, error: e }
  }
  return { kind: kindOf(st), symlink }
}

export function kindOf (st: fs.Stats): PathKind {
  if (st.isFile()) return 'file'
  if (st.isDirectory()) return 'directory'
  if (st.isFIFO()) return 'fifo'
  if (st.isCharacterDevice()) return 'character device'
  if (st.isBlockDevice()) return 'block device'
  if (st.isSocket()) return 'socket'
  return 'other'
}

/** What the operator can do when `file` cannot be opened or written with `code`. */
export function fixFor (code: string, file: string): string {
  const dir = path.dirname(file)
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `give the user running the app (uid ${process.getuid?.() ?? '?'}) write access to ${file} and ${dir}, or set log_file to a writable path or to stderr`
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
    case 'EFBIG':
      return `${file} reached the largest size this file system or ulimit -f allows: set log_max_size, or raise the limit`
    case 'EPSEUDOFS':
      return 'set log_file to a path on a disk (such as /var/log/app/oneapm_agent.log), or to stdout or stderr'
    case 'ENXIO':
      return `no process is reading the FIFO ${file}: start the reader before the app, or set log_file to a file`
    case 'ESOCKET':
      return 'log_file names a socket, which cannot be opened as a file: set log_file = stderr and send stderr where the socket leads, or name a file'
    case 'EBLOCKDEV':
      return 'log_file names a block device (a disk), which is never written: name a file on it instead'
    case 'ELOOP':
      return `${file} is (or became) a symlink the agent will not follow there: point log_file at the real file, or at a symlink that exists when the app starts`
    case 'ENOTREG':
      return `${file} is no longer a regular file: remove what replaced it, or set log_file to another path`
    default:
      return 'set log_file to a writable path, or to stderr'
  }
}
