// What is at a syslog+unix path, for doctor: nothing, something that is not
// a socket, or a socket of which kind. Synchronous and opening nothing: the
// kind comes from /proc/net/unix (Linux; the sockets of this network
// namespace), where each bound socket is listed with its type and the path
// it was bound to. The stream transport (stream.ts) reaches only stream
// sockets: Node.js has no unix datagram sockets, and /dev/log is a datagram
// socket under journald and rsyslog's imuxsock.

import fs from 'node:fs'

export type UnixSocketKind = 'stream' | 'dgram' | 'seqpacket'

export interface UnixSocketInfo {
  readonly path: string
  /** missing: nothing there; not_socket: a file of another kind; unreadable: stat failed otherwise. */
  readonly state: 'missing' | 'not_socket' | 'socket' | 'unreadable'
  /** From /proc/net/unix; undefined when the path is not listed there (another namespace, nothing bound, not Linux). */
  readonly kind?: UnixSocketKind
  /** A stream socket with a listener (accepts connections); a datagram socket that is bound. */
  readonly bound?: boolean
  /** This user may connect (write permission on the socket file). */
  readonly writable?: boolean
  /** The stat error code, for `unreadable`. */
  readonly error?: string
}

/** /proc/net/unix is one line per socket; a host with 100k sockets lists about 10 MB. */
const MAX_PROC_BYTES = 16 * 1024 * 1024
const ACCEPTCON = 0x10000
const KINDS: Readonly<Record<number, UnixSocketKind>> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' }

export interface ListedSocket { readonly kind: UnixSocketKind | undefined, readonly listening: boolean }

/**
 * The sockets /proc/net/unix lists under any of `paths` (merged: a listener
 * and its accepted connections share the path). A hand-written scan, linear
 * in the text; lines that do not read as a socket entry are skipped.
 */
export function parseProcNetUnix (text: string, paths: ReadonlySet<string>): Map<string, ListedSocket> {
  const out = new Map<string, ListedSocket>()
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    const entry = parseLine(text, start, end)
    start = end + 1
    if (entry === undefined || !paths.has(entry.path)) continue
    const seen = out.get(entry.path)
    out.set(entry.path, {
      kind: seen?.kind ?? entry.kind,
      listening: (seen?.listening ?? false) || entry.listening
    })
  }
  return out
}

/** `Num: RefCount Protocol Flags Type St Inode Path`, fields in hex but Inode; undefined for the header and anything else. */
function parseLine (text: string, from: number, to: number): { path: string, kind: UnixSocketKind | undefined, listening: boolean } | undefined {
  const fields: string[] = []
  let i = from
  while (fields.length < 7) {
    while (i < to && text.charCodeAt(i) === 0x20) i++
    const s = i
    while (i < to && text.charCodeAt(i) !== 0x20) i++
    if (i === s) return undefined
    fields.push(text.slice(s, i))
  }
  if (i >= to || text.charCodeAt(i) !== 0x20) return undefined
  const path = text.slice(i + 1, to)
  if (!(fields[0] as string).endsWith(':') || path === '') return undefined
  const flags = hex(fields[3] as string)
  const type = hex(fields[4] as string)
  if (flags === undefined || type === undefined) return undefined
  return { path, kind: KINDS[type], listening: (flags & ACCEPTCON) !== 0 }
}

function hex (s: string): number | undefined {
  if (s.length === 0 || s.length > 8) return undefined
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
    if (d < 0) return undefined
    n = n * 16 + d
  }
  return n
}

/** /proc/net/unix, up to MAX_PROC_BYTES; undefined where there is none. */
function readProcNetUnix (): string | undefined {
  let fd: number
  try {
    fd = fs.openSync('/proc/net/unix', fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  } catch {
    return undefined
  }
  try {
    // procfs reports size 0: read until the end, bounded.
    const chunks: Buffer[] = []
    let total = 0
    while (total < MAX_PROC_BYTES) {
      const buf = Buffer.alloc(Math.min(256 * 1024, MAX_PROC_BYTES - total))
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n <= 0) break
      chunks.push(n === buf.length ? buf : buf.subarray(0, n))
      total += n
    }
    return Buffer.concat(chunks).toString('latin1')
  } catch {
    return undefined
  } finally {
    fs.closeSync(fd)
  }
}

function code (err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'EIO'
}

/** What is at `path` now. `proc` stands in for /proc/net/unix (tests). Never throws. */
export function inspectUnixSocket (path: string, proc: () => string | undefined = readProcNetUnix): UnixSocketInfo {
  let st: fs.Stats
  try {
    st = fs.statSync(path)
  } catch (err) {
    const c = code(err)
    return c === 'ENOENT' || c === 'ENOTDIR' ? { path, state: 'missing' } : { path, state: 'unreadable', error: c }
  }
  if (!st.isSocket()) return { path, state: 'not_socket' }
  let writable = true
  try {
    fs.accessSync(path, fs.constants.W_OK)
  } catch {
    writable = false
  }
  // Listed under the path it was bound to: /dev/log is often a symlink to the bound /run/systemd/journal/dev-log.
  const names = new Set([path])
  try {
    names.add(fs.realpathSync(path))
  } catch {
    // The path as given is all there is.
  }
  let listed: ListedSocket | undefined
  try {
    const text = proc()
    if (text !== undefined) {
      const found = parseProcNetUnix(text, names)
      for (const n of names) listed ??= found.get(n)
    }
  } catch {
    // No listing: the kind stays unknown.
  }
  if (listed === undefined || listed.kind === undefined) return { path, state: 'socket', writable }
  return { path, state: 'socket', kind: listed.kind, bound: listed.kind === 'stream' ? listed.listening : true, writable }
}
