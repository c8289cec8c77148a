// `tail -f`: keeps reading a log file as it grows, and through rotation:
// renamed away and recreated (this logger, logrotate `create`: a new inode
// at the path; the old file is read to its end first), or truncated in
// place (logrotate `copytruncate`: the size drops below what was read).
// Polls, since fs.watch misses renames on some file systems and never sees
// them on network ones.

import fs from 'node:fs'
import { LineSplitter } from './read'

export interface FollowStart {
  readonly path: string
  /** The inode and offset reading reached; -1 for a file that did not exist. */
  readonly ino: number
  readonly pos: number
  /** The fd opened when the file was listed and read up to pos (handed over: follow closes it); the path is reopened only after a rotation. */
  readonly fd?: number | undefined
}

class NotRegular extends Error {
  constructor (readonly kind: string) {
    super(kind)
  }
}

/**
 * Opens a log file to follow: never blocking (a FIFO put at the path would
 * hang the open until a writer came, and with it every other file followed),
 * and only a regular file.
 */
function openRegular (p: string): number {
  const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  const st = fs.fstatSync(fd)
  if (st.isFile()) return fd
  fs.closeSync(fd)
  throw new NotRegular(st.isFIFO() ? 'a FIFO' : st.isDirectory() ? 'a directory' : st.isSocket() ? 'a socket' : 'a device')
}

/** How long a rotated-away file is still read: a writer notices the rotation a little later and may add a few lines. */
const RETIRE_MS = 3000

interface Followed {
  path: string
  /** The files rotated away, still read until their deadline. */
  retired: Array<{ fd: number, pos: number, splitter: LineSplitter, until: number }>
  fd: number | undefined
  ino: number
  pos: number
  splitter: LineSplitter
}

const CHUNK = 1024 * 1024

/**
 * Calls `onText` with each run of whole new lines (joined by \n) as they
 * appear; `notice` says what happened to a file. Ends when `onText`
 * returns false or `signal` aborts.
 */
export async function follow (starts: readonly FollowStart[], onText: (text: string, path: string) => boolean, notice: (s: string) => void, options: { pollMs?: number, signal?: AbortSignal } = {}): Promise<void> {
  const pollMs = options.pollMs ?? 250
  const files: Followed[] = starts.map((s) => ({ path: s.path, fd: undefined, retired: [], ino: s.ino, pos: s.pos, splitter: new LineSplitter() }))
  starts.forEach((s, i) => { if (s.fd !== undefined) (files[i] as Followed).fd = s.fd })
  for (const f of files) {
    if (f.ino >= 0 && f.fd === undefined) {
      try {
        const fd = openRegular(f.path)
        if (fs.fstatSync(fd).ino === f.ino) f.fd = fd
        else { fs.closeSync(fd); f.ino = -1; f.pos = 0 }
      } catch {
        f.ino = -1
        f.pos = 0
      }
    }
  }
  const buf = Buffer.allocUnsafe(CHUNK)
  try {
    for (;;) {
      for (const f of files) {
        for (const r of f.retired) if (!drain({ ...f, fd: r.fd, pos: r.pos, splitter: r.splitter }, buf, onText, r)) return
        f.retired = f.retired.filter((r) => {
          if (Date.now() < r.until) return true
          try { fs.closeSync(r.fd) } catch {}
          return false
        })
        if (!drain(f, buf, onText)) return
        let st: fs.Stats | undefined
        try {
          st = fs.statSync(f.path)
        } catch {
          // Renamed away and not yet recreated: keep the old file open.
        }
        if (st === undefined) continue
        if (st.ino !== f.ino) {
          // A new file at the path: the old one is read to its end (once more: the writer may have
          // added to it between the read above and the rename), then the new one from 0.
          if (!drain(f, buf, onText)) return
          if (f.fd !== undefined) {
            notice(`${f.path} was rotated (a new file is at its path); following the new file`)
            f.retired.push({ fd: f.fd, pos: f.pos, splitter: f.splitter, until: Date.now() + RETIRE_MS })
            f.fd = undefined
          }
          try {
            f.fd = openRegular(f.path)
            f.ino = fs.fstatSync(f.fd).ino
            f.pos = 0
            f.splitter = new LineSplitter()
          } catch (err) {
            f.fd = undefined
            if (err instanceof NotRegular) {
              notice(`${f.path} is now ${err.kind}, not a log file; not followed until a regular file is there again`)
              // Said once: the next poll sees this inode again and leaves it (another error is retried).
              f.ino = st.ino
            }
          }
          if (!drain(f, buf, onText)) return
        } else if (st.size < f.pos) {
          notice(`${f.path} was truncated (copytruncate); reading it from the start`)
          f.pos = 0
          f.splitter = new LineSplitter()
          if (!drain(f, buf, onText)) return
        }
      }
      if (options.signal?.aborted === true) return
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs)
        options.signal?.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
      })
      if ((options.signal?.aborted as boolean | undefined) === true) return
    }
  } finally {
    for (const f of files) {
      closeFd(f)
      for (const r of f.retired) try { fs.closeSync(r.fd) } catch {}
    }
  }
}

function drain (f: Followed, buf: Buffer, onText: (text: string, path: string) => boolean, retired?: { pos: number }): boolean {
  if (f.fd === undefined) return true
  for (;;) {
    let n: number
    try {
      n = fs.readSync(f.fd, buf, 0, buf.length, f.pos)
    } catch {
      return true
    }
    if (n === 0) return true
    f.pos += n
    if (retired !== undefined) retired.pos = f.pos
    const text = f.splitter.push(buf.subarray(0, n))
    if (text !== '' && !onText(text, f.path)) return false
  }
}

function closeFd (f: Followed): void {
  if (f.fd === undefined) return
  try {
    fs.closeSync(f.fd)
  } catch {
    // Already closed.
  }
  f.fd = undefined
}
