// Which files go into logs/ and debug/, opened safely: never through a
// symlink, never a FIFO or device (an open would block, a read never end),
// only regular files (and, unless run as root, the running user's own).

import fs from 'node:fs'
import path from 'node:path'
import { debugDirOf, listRotated, type AgentConfig } from '../../index'

export interface Source {
  /** The member's name in the archive: `logs/<name>` or `debug/<name>`. */
  readonly member: string
  readonly path: string
  readonly gzip: boolean
  /** The smaller, the earlier it gets its share of --max-size. */
  readonly priority: number
  readonly size: number
}

export interface CollectError {
  readonly path: string
  readonly code: string
  readonly message: string
}

const uid = process.getuid?.()
const DEBUG_PREFIX = 'oneapm-debug-'

/** Longest member file name kept. */
const NAME_MAX = 200

/** Only letters, digits, `. _ -` and the mask's `*`: no separators or control characters. */
function safeChars (name: string): string {
  let out = ''
  for (const ch of name) out += /[A-Za-z0-9._*-]/.test(ch) ? ch : '_'
  return out
}

/**
 * A file's name as the archive shows it: redacted like any content (the
 * license key in every encoding, secrets), as given and again once made
 * safe, and only then cut (a key's start at the cut masked too).
 */
export function memberName (name: string, redact: NameRedactor): string {
  let out = redact(safeChars(redact(name, false)), false)
  if (out.length > NAME_MAX) out = redact(out.slice(0, NAME_MAX), true)
  return safeChars(out)
}

/** The redactor's text(): `cut` says the text is the head of a longer one. */
export type NameRedactor = (s: string, cut: boolean) => string

/** The current log, its rotated files changed within `sinceMs`, and the debug dir's session files. */
export function selectSources (cfg: AgentConfig, now: number, sinceMs: number, errors: CollectError[], redact: NameRedactor): Source[] {
  const out: Source[] = []
  const safeName = (name: string): string => memberName(name, redact)
  const file = cfg.settings.log_file
  const from = now - sinceMs
  const taken = new Set<string>()
  const push = (s: Source): void => {
    let member = s.member
    for (let n = 2; taken.has(member); n++) member = `${s.member}.${n}`
    taken.add(member)
    out.push({ ...s, member })
  }
  if (file !== 'stderr' && file !== 'stdout') {
    const st = statRegular(file, errors, true)
    if (st !== undefined) push({ member: `logs/${safeName(path.basename(file))}`, path: file, gzip: false, priority: 0, size: st.size })
    // Newest first: when --max-size cannot give each its share, the oldest are left out.
    for (const r of listRotated(file).reverse()) {
      if (r.mtimeMs < from) continue
      const name = safeName(path.basename(r.path))
      push({ member: `logs/${r.compressed && name.endsWith('.gz') ? name.slice(0, -3) : name}`, path: r.path, gzip: r.compressed, priority: 2, size: r.size })
    }
  }
  const dir = debugDirOf(cfg)
  let names: string[] = []
  try {
    names = fs.readdirSync(dir).filter((n) => n.startsWith(DEBUG_PREFIX)).sort()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') errors.push({ path: dir, code: code ?? 'ERROR', message: `debug dir not read: ${(err as Error).message}` })
  }
  for (const name of names) {
    const p = path.join(dir, name)
    const st = statRegular(p, errors, false)
    if (st === undefined) continue
    // The control file is always kept; old session files only within --since.
    if (name !== 'oneapm-debug-session.json' && st.mtimeMs < from) continue
    push({ member: `debug/${safeName(name)}`, path: p, gzip: name.endsWith('.gz'), priority: 1, size: st.size })
  }
  return out
}

/** lstat: a regular file (of this user unless root) or undefined, with the reason in `errors`. */
function statRegular (p: string, errors: CollectError[], missingIsError: boolean): fs.Stats | undefined {
  let st: fs.Stats
  try {
    st = fs.lstatSync(p)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'ERROR'
    if (code !== 'ENOENT' || missingIsError) errors.push({ path: p, code, message: (err as Error).message })
    return undefined
  }
  const why = notOurs(st)
  if (why !== undefined) {
    errors.push({ path: p, code: 'ENOTOURS', message: `left out: ${why}` })
    return undefined
  }
  return st
}

function notOurs (st: fs.Stats): string | undefined {
  if (st.isSymbolicLink()) return 'a symlink (never followed)'
  if (st.isFIFO()) return 'a FIFO'
  if (st.isSocket()) return 'a socket'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  if (st.isDirectory()) return 'a directory'
  if (!st.isFile()) return 'not a regular file'
  if (uid !== undefined && uid !== 0 && st.uid !== uid) return `owned by uid ${st.uid}, not this user`
  return undefined
}

/**
 * Opens a source for reading without following a symlink or blocking, and
 * checks again on the fd that it is the regular file it was listed as.
 */
export function openSource (p: string): { fd: number, size: number } {
  const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK)
  try {
    const st = fs.fstatSync(fd)
    const why = notOurs(st)
    if (why !== undefined) throw Object.assign(new Error(`left out: ${why}`), { code: 'ENOTOURS' })
    return { fd, size: st.size }
  } catch (err) {
    fs.closeSync(fd)
    throw err
  }
}
