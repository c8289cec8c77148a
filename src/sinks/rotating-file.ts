// A log file that rotates by size and/or period while any number of
// processes append to it, coordinating through the file system only
// (docs/rotation.md has the protocol and its guarantees):
//
// - Every writer appends with O_APPEND, one write(2) of whole lines per
//   batch, so lines of different processes never tear or interleave.
// - Before each batch, fstat(fd).size says whether the file is due (one
//   syscall per batch, not per record); the period end is a number compare.
// - Rotation, under an O_EXCL lock file: re-check that the file is still the
//   one we hold and still due, link() it to its rotated name (link fails
//   rather than overwrite), unlink() the name, reopen: the path always names
//   the current log.
// - Every `checkMs` each writer compares stat(path) with fstat(fd) and
//   follows: another process rotated, logrotate renamed the file (`create`),
//   someone deleted or replaced it. No signal handlers.
// - Retention and compression touch only rotated files that nobody has
//   written for `graceMs`, far longer than any writer takes to follow.

import fs from 'node:fs'
import path from 'node:path'
import type * as Zlib from 'node:zlib'
import { lazy } from '../internal/lazy'
import { tryLock, unlock } from './file-lock'
import type { FailureAction, WriteTarget } from './fd-writer'
import { ensureDir, fixFor, pathError } from './log-path'
import { createOwn, isOwnFile, NOT_OURS, openOwn, unlinkOwn } from './own-file'
import {
  isRotatedName, labelFor, linkNoClobber, listRotated, lockPath, periodEnd, periodStart, readState, rotatedName, siblings,
  statePath, writeState, type Period, type RotationState
} from './rotation-files'

export interface RotationSettings {
  /** Bytes; 0 = no size limit. */
  readonly maxSize: number
  readonly period: Period
  /** Rotated files kept; 0 = all. */
  readonly maxFiles: number
  readonly compress: boolean
}

export interface RotationTiming {
  /** How often each writer checks whether the path still names its file. */
  readonly checkMs: number
  /** How long a rotated file must be untouched before it is compressed or deleted. */
  readonly graceMs: number
  /** A lock older than this was left by a dead process. */
  readonly staleLockMs: number
}

export const DEFAULT_TIMING: RotationTiming = { checkMs: 1000, graceMs: 60_000, staleLockMs: 10_000 }

export type FileEvent =
  | { readonly kind: 'rotated', readonly to: string, readonly reason: 'size' | 'time' }
  | { readonly kind: 'followed', readonly reason: 'rotated by another process' | 'renamed' | 'replaced' | 'deleted' }
  | { readonly kind: 'truncated', readonly from: number, readonly to: number }
  | { readonly kind: 'partial_line' }
  | { readonly kind: 'stale_lock_broken', readonly ageMs: number }
  /** `fix` when the cause is known and is not the directory's permissions. */
  | { readonly kind: 'rotation_error', readonly code: string, readonly message: string, readonly fix?: string }
  | { readonly kind: 'removed' | 'compressed', readonly file: string }
  /** The file cannot be written or reopened: records go to stderr until it can (checked every checkMs). */
  | { readonly kind: 'destination_failed', readonly file: string, readonly code: string, readonly message: string, readonly fix: string }
  /** Writing to the file works again after a failure. */
  | { readonly kind: 'destination_restored', readonly file: string, readonly code: string, readonly failedMs: number }

export interface RotatingFileOptions {
  /**
   * Open the path through a symlink (log_file is one). Otherwise the path is
   * opened with O_NOFOLLOW, so a symlink put there later is never followed.
   */
  readonly followSymlinks?: boolean
}

/** The file cannot be written or reopened: records go to stderr until it can. */
class FileError extends Error {
  constructor (override readonly cause: NodeJS.ErrnoException) {
    super(cause.message)
  }
}

const OPEN_FLAGS = fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY
/** Where records go while the file cannot be written. */
const FALLBACK_FD = 2

const RECENT_INODES = 16
/** Longest wait for another process's rotation to finish before writing anyway. */
const LOCK_WAIT_MS = 50
const SLEEP = new Int32Array(new SharedArrayBuffer(4))
const LAST_BYTE = Buffer.alloc(1)
/** Batches under this size may skip the fstat within one millisecond tick. */
const SMALL_BATCH = 4096

export class RotatingFile implements WriteTarget {
  private fd: number
  private ino = 0
  private dev = 0
  private nextCheck = 0
  /** The size our own writes should have left, or -1 when unknown. */
  private expected = -1
  private lastStat = -1
  private end = Infinity
  private seenSize = 0
  private lastLabel = ''
  private lastSeq = 0
  private sweepTimer: NodeJS.Timeout | undefined
  private sweeping = false
  private closed = false
  /** Set while the file cannot be written: records go to stderr. */
  private failure: { readonly code: string, readonly since: number } | undefined
  /** The fd last handed out while failed is the file's: a write that succeeds there ends the failure. */
  private probing = false
  /** A foreign lock blocks rotation: not tried again before this time. */
  private rotationPausedUntil = 0
  /** Side files refused as not ours, said once each. */
  private readonly refused = new Set<string>()
  private readonly followSymlinks: boolean

  /** Opens (creating it 0600, with its parents) or throws the open error. */
  constructor (
    readonly file: string,
    private readonly settings: RotationSettings,
    private readonly timing: RotationTiming,
    private readonly onEvent: (e: FileEvent) => void,
    options: RotatingFileOptions = {}
  ) {
    this.fd = -1
    this.followSymlinks = options.followSymlinks === true
    try {
      this.open()
    } catch (err) {
      throw err instanceof FileError ? err.cause : err
    }
    const now = Date.now()
    const state = this.loadState()
    // With no state yet, a file last written in an earlier period belongs to that period.
    const start = state?.periodStart ?? periodStart(this.seenSize > 0 ? fs.fstatSync(this.fd).mtimeMs : now, settings.period)
    this.end = periodEnd(start, settings.period)
    this.nextCheck = now + timing.checkMs
    // Leftovers from earlier runs (files past retention, unfinished compressions).
    this.scheduleSweep(0)
  }

  fdFor (bytes: number): number {
    if (this.closed) return this.fd
    const now = Date.now()
    if (this.failure !== undefined) return this.probe(now)
    try {
      if (now >= this.nextCheck) {
        this.nextCheck = now + this.timing.checkMs
        if (this.follow()) this.expected = -1
      }
      let size = this.sizeNow(now, bytes)
      if ((now >= this.end || (this.settings.maxSize > 0 && this.overSize(size, bytes))) && now >= this.rotationPausedUntil) {
        this.rotateOrFollow(now, bytes)
        this.expected = -1
        size = this.sizeNow(now, bytes)
      }
      this.expected = size + bytes
    } catch (err) {
      if (err instanceof FileError) return this.fail(err.cause.code ?? 'EUNKNOWN', err.cause.message, now)
      // The write goes to the fd we hold; rotation is tried again next batch.
      const e = err as NodeJS.ErrnoException
      this.onEvent({ kind: 'rotation_error', code: e.code ?? 'EUNKNOWN', message: e.message })
      this.nextCheck = 0
      this.expected = -1
    }
    return this.fd
  }

  /** A write to `fd` failed: on the file, switch to stderr and retry there now; on stderr, retry later. */
  failed (fd: number, code: string): FailureAction {
    if (this.closed || code === 'EAGAIN') return 'default'
    if (fd === FALLBACK_FD && this.failure !== undefined) return 'later'
    if (fd !== this.fd) return 'default'
    this.probing = false
    this.fail(code, `write to ${this.file} failed`, Date.now())
    return 'retry'
  }

  /** A write to `fd` succeeded: if it was the file, probed after a failure, writing there works again. */
  written (fd: number): void {
    const failure = this.failure
    if (failure === undefined || !this.probing || fd !== this.fd) return
    this.failure = undefined
    this.probing = false
    this.expected = -1
    this.onEvent({ kind: 'destination_restored', file: this.file, code: failure.code, failedMs: Date.now() - failure.since })
  }

  /** Records go to stderr from now on; said once per failure, retried every checkMs. */
  private fail (code: string, message: string, now: number): number {
    this.nextCheck = now + this.timing.checkMs
    this.expected = -1
    if (this.failure === undefined) {
      this.failure = { code, since: now }
      this.onEvent({ kind: 'destination_failed', file: this.file, code, message, fix: fixFor(code, this.file) })
    }
    return FALLBACK_FD
  }

  /** While failed: stderr, except every checkMs, when the file (reopened if need be) gets a try. */
  private probe (now: number): number {
    if (now < this.nextCheck) return FALLBACK_FD
    this.nextCheck = now + this.timing.checkMs
    try {
      if (!this.live()) this.open()
      // The failure may have cut a record in the file (a short write on a full disk, finished on
      // stderr): end that line before the probe appends, or the next record would continue it.
      this.expected = -1
      this.sizeNow(now, 0)
    } catch {
      return FALLBACK_FD
    }
    this.probing = true
    return this.fd
  }

  /** Whether our fd is still the file at the path. */
  private live (): boolean {
    try {
      const st = this.followSymlinks ? fs.statSync(this.file) : fs.lstatSync(this.file)
      return st.ino === this.ino && st.dev === this.dev && fs.fstatSync(this.fd).nlink > 0
    } catch {
      return false
    }
  }

  /**
   * The file's size, measured with fstat before each batch, except that a
   * small batch in the same millisecond tick as the last measure trusts what
   * our own writes added: a burst of synchronous writes (error records, each
   * its own batch) then costs no extra syscalls. Other processes' small
   * appends within one tick are the only slack this adds to the size bound.
   *
   * When the measured size is not what our own writes left, someone else
   * wrote. A process killed in the middle of a multi-page write(2) leaves a
   * partial line, and our next append would continue it, spoiling a healthy
   * record; so then the last byte is read (one pread), and if it is not a
   * newline, one is written first: the fragment stays alone on its line.
   */
  private sizeNow (now: number, bytes: number): number {
    if (this.expected >= 0 && now === this.lastStat && bytes < SMALL_BATCH) return this.expected
    let st = this.fstat()
    if (st.nlink === 0) {
      // Deleted, or another file put at its name: what we write here nobody will read. Reopen first.
      this.follow()
      st = this.fstat()
    }
    // An operation on our own fd failing (ENOSPC cut the last record, EIO) is the file
    // failing: reported with the file's fix, never as a rotation failure.
    try {
      let size = st.size
      this.lastStat = now
      if (size > 0 && size !== this.expected && !this.endsWithNewline(size)) {
        fs.writeSync(this.fd, '\n')
        size++
        this.onEvent({ kind: 'partial_line' })
      }
      return size
    } catch (err) {
      throw new FileError(err as NodeJS.ErrnoException)
    }
  }

  private fstat (): fs.Stats {
    try {
      return fs.fstatSync(this.fd)
    } catch (err) {
      throw new FileError(err as NodeJS.ErrnoException)
    }
  }

  /**
   * Whether the file ends a line. A read can land inside another process's
   * write that is still being copied in (the size grows page by page), so a
   * missing newline counts only if the size then stays put: a dead writer's
   * fragment does not grow. The waits double (1 to 16 ms, 31 ms at most,
   * paid only when the last byte is not a newline): a writer descheduled
   * mid-copy on a loaded 2-core host stayed still for more than 3 ms, and
   * the newline then written after its whole line left an empty line.
   */
  private endsWithNewline (size: number): boolean {
    for (let wait = 1; wait <= 16; wait *= 2) {
      fs.readSync(this.fd, LAST_BYTE, 0, 1, size - 1)
      if (LAST_BYTE[0] === 10) return true
      Atomics.wait(SLEEP, 0, 0, wait)
      const now = fs.fstatSync(this.fd).size
      if (now !== size) return true
    }
    return false
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    if (this.sweepTimer !== undefined) clearTimeout(this.sweepTimer)
    try {
      fs.closeSync(this.fd)
    } catch {
      // Already closed.
    }
  }

  private due (bytes: number, now: number): boolean {
    return now >= this.end || (this.settings.maxSize > 0 && this.overSize(fs.fstatSync(this.fd).size, bytes))
  }

  /**
   * The file is due. If another process already rotated it, follow; else take
   * the lock and rotate. While another process holds the lock (a rotation
   * takes about a millisecond) wait for it, up to LOCK_WAIT_MS, rather than
   * append to a file that is being rotated away.
   */
  private rotateOrFollow (now: number, bytes: number): void {
    const deadline = now + LOCK_WAIT_MS
    for (;;) {
      if (this.follow() && !this.due(bytes, Date.now())) return
      const got = tryLock(lockPath(this.file), this.timing.staleLockMs)
      if (got.foreign !== undefined) {
        // Never broken, and no use waiting for: rotation pauses until someone removes it.
        this.refuse('EFOREIGN_LOCK', got.foreign.message,
          `remove ${lockPath(this.file)} (the agent's lock is a small file it creates and removes itself); until then the log is not rotated and may grow past log_max_size`)
        this.rotationPausedUntil = Date.now() + this.timing.checkMs
        return
      }
      if (got.brokeStaleMs !== undefined) this.onEvent({ kind: 'stale_lock_broken', ageMs: got.brokeStaleMs })
      if (got.acquired) {
        this.rotateLocked(Date.now(), bytes, got.id)
        return
      }
      if (Date.now() >= deadline) {
        // Still busy: write here this once, and look again at the next batch.
        this.nextCheck = 0
        return
      }
      Atomics.wait(SLEEP, 0, 0, 1)
    }
  }

  private overSize (size: number, bytes: number): boolean {
    return size > 0 && size + bytes > this.settings.maxSize
  }

  /** (Re)opens the path; a FileError when there is no regular file to write there. */
  private open (): void {
    let fd: number
    let st: fs.Stats
    try {
      ensureDir(path.dirname(this.file))
      // O_APPEND and readable, so sizeNow can read the last byte; O_NONBLOCK so that
      // a FIFO put at the path can never block the host (it is then refused below).
      fd = fs.openSync(this.file, OPEN_FLAGS | (this.followSymlinks ? 0 : fs.constants.O_NOFOLLOW), 0o600)
      st = fs.fstatSync(fd)
      if (!st.isFile()) {
        fs.closeSync(fd)
        throw pathError('ENOTREG', `${this.file} is no longer a regular file`)
      }
    } catch (err) {
      throw new FileError(err as NodeJS.ErrnoException)
    }
    if (this.fd !== -1) {
      try {
        fs.closeSync(this.fd)
      } catch {
        // Already closed.
      }
    }
    this.fd = fd
    this.ino = st.ino
    this.dev = st.dev
    this.seenSize = st.size
  }

  /** Does the path still name our file? If not, reopen it, say why, and return true. */
  private follow (): boolean {
    let st: fs.Stats
    try {
      st = this.followSymlinks ? fs.statSync(this.file) : fs.lstatSync(this.file)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      // ENOTDIR: the directory was replaced by a file; the reopen says so.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err
      this.reopenAfter('deleted')
      return true
    }
    if (st.ino !== this.ino || st.dev !== this.dev) {
      this.reopenAfter('replaced')
      return true
    }
    if (st.size < this.seenSize) this.onEvent({ kind: 'truncated', from: this.seenSize, to: st.size })
    this.seenSize = st.size
    return false
  }

  /**
   * The path no longer names our file: reopen it and say why. Our old file
   * still linked somewhere was rotated (by us, per the state file) or renamed;
   * unlinked, it was `gone` ('deleted' when the path is empty, 'replaced' when
   * another file took its name).
   */
  private reopenAfter (gone: 'deleted' | 'replaced'): void {
    const oldIno = this.ino
    const stillLinked = fs.fstatSync(this.fd).nlink > 0
    this.open()
    this.refreshPeriod()
    const byUs = this.loadState()?.rotated.includes(oldIno) === true
    this.onEvent({ kind: 'followed', reason: byUs ? 'rotated by another process' : stillLinked ? 'renamed' : gone })
  }

  private refreshPeriod (): void {
    const state = this.loadState()
    this.end = periodEnd(state?.periodStart ?? periodStart(Date.now(), this.settings.period), this.settings.period)
  }

  /** Rotates, holding the lock (released here). */
  private rotateLocked (now: number, bytes: number, lockId: string | undefined): void {
    const lock = lockPath(this.file)
    try {
      let st: fs.Stats
      try {
        // lstat: the name is what link() and unlink() act on, and only our own regular file may be rotated.
        st = fs.lstatSync(this.file)
      } catch {
        this.open()
        return
      }
      if (st.ino !== this.ino || st.dev !== this.dev || !st.isFile()) {
        // Someone rotated while we waited: follow, and decide again next batch.
        this.open()
        this.refreshPeriod()
        return
      }
      if (st.nlink > 1) {
        // Already linked aside: a rotator died between its link() and unlink().
        // Finish its work; linking again would put the same lines under two names.
        fs.unlinkSync(this.file)
        this.open()
        this.refreshPeriod()
        return
      }
      const state = this.loadState()
      const start = state?.periodStart ?? periodStart(st.size > 0 ? st.mtimeMs : now, this.settings.period)
      const current = periodStart(now, this.settings.period)
      const reason = current > start ? 'time' : this.settings.maxSize > 0 && this.overSize(st.size, bytes) ? 'size' : undefined
      if (reason === undefined || st.size === 0) {
        // Not due after all (an empty file is never rotated): just start the new period.
        if (current > start) this.saveState({ periodStart: current, rotated: state?.rotated ?? [] })
        this.end = periodEnd(current > start ? current : start, this.settings.period)
        return
      }
      const label = labelFor(this.settings.period === 'none' ? now : start, this.settings.period)
      const target = this.linkAside(label)
      // State before unlink: a follower that finds the path gone or new can tell it was a rotation.
      const rotated: RotationState['rotated'] = [...(state?.rotated ?? []), this.ino].slice(-RECENT_INODES)
      this.saveState({ periodStart: current, rotated })
      fs.unlinkSync(this.file)
      this.open()
      this.end = periodEnd(current, this.settings.period)
      this.onEvent({ kind: 'rotated', to: target, reason })
    } finally {
      unlock(lock, lockId)
    }
    this.scheduleSweep(this.timing.graceMs)
  }

  /** The rotation state; a state file that is not ours is said once and rotation goes on without it. */
  private loadState (): RotationState | undefined {
    try {
      return readState(this.file)
    } catch (err) {
      this.refuseState(err as NodeJS.ErrnoException)
      return undefined
    }
  }

  private saveState (state: RotationState): void {
    try {
      writeState(this.file, state)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== NOT_OURS) throw err
      this.refuseState(err as NodeJS.ErrnoException)
    }
  }

  private refuseState (e: NodeJS.ErrnoException): void {
    this.refuse('EFOREIGN_STATE', e.message,
      `remove ${statePath(this.file)} (the agent recreates its own); until then rotation goes on without it: periods are judged by the log's mtime, and other processes' rotations are reported as renames`)
  }

  /** A side file that is not ours: never read, written, renamed or removed; said once per file and cause. */
  private refuse (code: string, message: string, fix: string): void {
    if (this.refused.has(message)) return
    this.refused.add(message)
    this.onEvent({ kind: 'rotation_error', code, message, fix })
  }

  /** link() the current file to the first free rotated name: a rename that never overwrites. */
  private linkAside (label: string): string {
    // Names for one label are taken in order, so start past the last one this process took.
    const first = label === this.lastLabel ? this.lastSeq + 1 : 1
    for (let seq = first; ; seq++) {
      const target = rotatedName(this.file, label, seq)
      // An earlier run's file of this name was compressed, which freed the name: never reuse it.
      if (fs.existsSync(`${target}.gz`)) continue
      try {
        fs.linkSync(this.file, target)
        this.lastLabel = label
        this.lastSeq = seq
        return target
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || seq >= 99_999) throw err
      }
    }
  }

  private scheduleSweep (delayMs: number): void {
    if (this.sweepTimer !== undefined || (this.settings.maxFiles === 0 && !this.settings.compress)) return
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined
      this.sweep()
    }, delayMs + 50)
    this.sweepTimer.unref()
  }

  /** Compresses, then deletes the oldest, of the rotated files nobody has written for graceMs. */
  private sweep (): void {
    if (this.sweeping) return
    this.sweeping = true
    this.sweepAsync().catch((err: unknown) => {
      const e = err as NodeJS.ErrnoException
      this.onEvent({ kind: 'rotation_error', code: e.code ?? 'EUNKNOWN', message: e.message })
    }).finally(() => { this.sweeping = false })
  }

  private async sweepAsync (): Promise<void> {
    let now = Date.now()
    let waiting = 0
    if (this.settings.compress) {
      recoverCompressions(this.file, this.timing.graceMs)
      for (const f of listRotated(this.file)) {
        if (f.compressed) continue
        if (now - f.mtimeMs < this.timing.graceMs) {
          waiting = Math.max(waiting, f.mtimeMs)
          continue
        }
        const gz = await compressFile(f.path)
        if (gz !== undefined) this.onEvent({ kind: 'compressed', file: gz })
      }
      now = Date.now()
    }
    const files = listRotated(this.file)
    if (this.settings.maxFiles > 0 && files.length > this.settings.maxFiles) {
      for (const f of files.slice(0, files.length - this.settings.maxFiles)) {
        if (now - f.mtimeMs < this.timing.graceMs) {
          waiting = Math.max(waiting, f.mtimeMs)
          continue
        }
        try {
          fs.unlinkSync(f.path)
          this.onEvent({ kind: 'removed', file: f.path })
        } catch {
          // Another process's sweep removed it first.
        }
      }
    }
    // Files still inside their grace period: come back when it is over.
    if (waiting > 0 && !this.closed) this.scheduleSweep(Math.max(0, waiting + this.timing.graceMs - Date.now()))
  }
}

const CHUNK = 4 * 1024 * 1024
/** Loaded at the first compression, not with the package (internal/lazy.ts). */
const zlib = lazy(() => require('node:zlib') as typeof Zlib)
const gzip = (buf: Buffer): Promise<Buffer> => new Promise((resolve, reject) => {
  zlib().gzip(buf, (err, out) => { if (err === null) resolve(out); else reject(err) })
})

/**
 * Gzips a rotated file to `<file>.gz` without blocking the event loop: 4 MiB
 * at a time on zlib's thread pool, each chunk a gzip member (gunzip reads
 * them as one stream). Claiming the file (link to a claim name, then unlink
 * the name: only one process's unlink succeeds) makes sure only one process
 * compresses it; the source is removed only once the .gz is complete. Only
 * our own regular file is claimed, and no name is ever replaced: the claim
 * and the temporary file are created exclusively. Returns the .gz written,
 * or undefined when another process (or nobody, the file not being ours) does it.
 */
export async function compressFile (file: string): Promise<string | undefined> {
  const claimed = `${file}.compressing-${process.pid}`
  let fd: number
  try {
    // The fd, checked to be our own regular file, is what gets compressed, whatever the name becomes.
    fd = openOwn(file, fs.constants.O_RDONLY)
  } catch {
    return undefined
  }
  // 'linked': the claim name is ours (made by link), the file may not be; 'claimed': both are.
  let claim: 'none' | 'linked' | 'claimed' = 'none'
  let tmp: string | undefined
  try {
    try {
      const ino = fs.fstatSync(fd).ino
      fs.linkSync(file, claimed)
      claim = 'linked'
      // Another file took the name between the open and the link: not ours to claim.
      if (fs.lstatSync(claimed).ino !== ino) return undefined
      fs.unlinkSync(file)
      claim = 'claimed'
    } catch {
      // Claimed by another process first (its unlink won), or the claim name is taken.
      return undefined
    }
    tmp = `${file}.gz.tmp-${process.pid}`
    const out = createTemp(tmp)
    try {
      const buf = Buffer.alloc(CHUNK)
      for (let n = fs.readSync(fd, buf, 0, CHUNK, null); n > 0; n = fs.readSync(fd, buf, 0, CHUNK, null)) {
        fs.writeSync(out, await gzip(buf.subarray(0, n)))
      }
    } finally {
      fs.closeSync(out)
    }
    // link, not rename: an earlier file's .gz of the same name (a restart, another process) is never replaced.
    const gz = linkNoClobber(tmp, file, '.gz')
    fs.unlinkSync(tmp)
    fs.unlinkSync(claimed)
    return gz
  } catch (err) {
    // Put the file back (under a free name); the next sweep tries again.
    try { linkNoClobber(claimed, file, ''); fs.unlinkSync(claimed) } catch {}
    if (tmp !== undefined) unlinkOwn(tmp)
    throw err
  } finally {
    // A claim link that lost the race, or names another file: the name is ours (made by link), the file is not.
    if (claim === 'linked') try { fs.unlinkSync(claimed) } catch {}
    fs.closeSync(fd)
  }
}

/** Creates the temporary .gz exclusively; one left by a dead process with our pid is removed first if it is ours. */
function createTemp (tmp: string): number {
  try {
    return createOwn(tmp)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !unlinkOwn(tmp)) throw err
    return createOwn(tmp)
  }
}

const CLAIM = '.compressing-'

/**
 * A compression whose process died: put the file back so it is compressed
 * again. Only `<rotated name>.compressing-<pid>` that is our own regular
 * file is put back, and only our own `.gz.tmp-<pid>` is removed: a stranger's
 * file named alike is left alone.
 */
function recoverCompressions (log: string, staleMs: number): void {
  const { dir, base, names } = siblings(log)
  const now = Date.now()
  for (const name of names) {
    const at = name.lastIndexOf(CLAIM)
    if (at < 0) continue
    const pid = name.slice(at + CLAIM.length)
    const original = name.slice(0, at)
    if (!/^\d+$/.test(pid) || !isRotatedName(base, original)) continue
    const claimed = path.join(dir, name)
    const tmp = path.join(dir, `${original}.gz.tmp-${pid}`)
    try {
      const st = fs.lstatSync(claimed)
      if (!isOwnFile(st)) continue
      let touched = st.ctimeMs
      try {
        touched = Math.max(touched, fs.lstatSync(tmp).mtimeMs)
      } catch {
        // No temporary file: the compression died before writing any.
      }
      if (now - touched < staleMs) continue
      // Its name may have been taken by a newer rotation meanwhile: never replace that one.
      linkNoClobber(claimed, path.join(dir, original), '')
      fs.unlinkSync(claimed)
      unlinkOwn(tmp)
    } catch {
      // Another process recovered it first.
    }
  }
}
