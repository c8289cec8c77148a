// A lock between processes that needs nothing but the file system: create a
// file with O_EXCL; whoever creates it holds the lock. It is held for the
// milliseconds a rotation takes, so one older than `staleMs` was left by a
// process that died (or froze) inside the critical section, and is broken.
// Breaking is itself a race between processes, won by exactly one: the
// rename of the stale lock to a name of the breaker's own.
//
// Only a lock of ours is ever broken: our own regular file (see own-file.ts)
// holding what create() writes. Anything else at the name (a directory, a
// symlink, a stranger's file) is left alone and reported: rotation waits
// until someone removes it.

import type * as Crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import { describe, isOwnFile, NOT_OURS, notOurs, readOwn } from './own-file'
import { lazy } from '../internal/lazy'

// Loaded on first use: node:crypto (with the streams it pulls in) is a large part of require()'s cost.
const crypto = lazy(() => require('node:crypto') as typeof Crypto)

export interface LockResult {
  readonly acquired: boolean
  /** When acquired: the id written in the lock, for unlock to remove only that lock (an inode can be reused). */
  readonly id?: string
  /** Set when a stale lock was broken to get this one: how old it was, in ms. */
  readonly brokeStaleMs?: number
  /** Set when the name holds something that is not a lock of ours: never broken. */
  readonly foreign?: NodeJS.ErrnoException
}

/** Our locks hold `{"pid":…,"host":…,"since":…,"id":…}`, well under this. */
const LOCK_READ_MAX = 1024

export function tryLock (file: string, staleMs: number): LockResult {
  const mine = create(file)
  if (mine !== undefined) return { acquired: true, id: mine }
  let st: fs.Stats
  try {
    // lstat: the name is what gets renamed, so judge the name, not what a symlink points at.
    st = fs.lstatSync(file)
  } catch {
    // Released between our attempt and the stat: try once more.
    const again = create(file)
    return again === undefined ? { acquired: false } : { acquired: true, id: again }
  }
  const age = Date.now() - st.mtimeMs
  if (age < staleMs) return { acquired: false }
  const foreign = notALock(file, st)
  if (foreign !== undefined) return { acquired: false, foreign }
  const claimed = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  try {
    fs.renameSync(file, claimed)
  } catch {
    // Another process broke it first (or its owner released it).
    return { acquired: false }
  }
  try {
    const now = fs.lstatSync(claimed)
    if (now.ino !== st.ino || now.dev !== st.dev) {
      // The name changed hands between our checks and the rename: put back what we took, never
      // deleting it. A directory cannot be link()ed, but renamed back it replaces no lock file;
      // anything else is link()ed back, or left under the claimed name if a new lock took the name.
      if (now.isDirectory()) fs.renameSync(claimed, file)
      else {
        fs.linkSync(claimed, file)
        fs.unlinkSync(claimed)
      }
      return { acquired: false }
    }
    // The rename may have taken a fresh lock created after our stat; if so, put it back.
    if (Date.now() - now.mtimeMs < staleMs) {
      restore(claimed, file)
      return { acquired: false }
    }
    fs.unlinkSync(claimed)
  } catch {
    return { acquired: false }
  }
  const id = create(file)
  return id === undefined ? { acquired: false } : { acquired: true, id, brokeStaleMs: age }
}

/** Undefined when `file` (lstat `st`) is a lock of ours, else why it is not. */
function notALock (file: string, st: fs.Stats): NodeJS.ErrnoException | undefined {
  if (!isOwnFile(st)) return notOurs(file, describe(st))
  let text: string
  try {
    text = readOwn(file, LOCK_READ_MAX)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === NOT_OURS ? err as NodeJS.ErrnoException : undefined
  }
  // Empty: its holder died between the exclusive create and the write.
  if (text === '') return undefined
  try {
    const v = JSON.parse(text) as unknown
    if (typeof v === 'object' && v !== null && Number.isInteger((v as { pid?: unknown }).pid)) return undefined
  } catch {
    // Not JSON: not ours.
  }
  return notOurs(file, 'a file that does not hold a rotation lock')
}

/** Puts a regular file we renamed away back at `file`, never over a lock someone took meanwhile. */
function restore (claimed: string, file: string): void {
  // link, not rename: never overwrite a lock someone took meanwhile.
  try {
    fs.linkSync(claimed, file)
  } catch {
    // Someone holds a newer lock; the one we took was released by its owner's unlink anyway.
  }
  fs.unlinkSync(claimed)
}

/** Removes the lock `id` (from tryLock): whatever took the name after ours was broken is not ours to remove. */
export function unlock (file: string, id: string | undefined): void {
  try {
    if (id !== undefined && readOwn(file, LOCK_READ_MAX).includes(`"id":"${id}"`)) fs.unlinkSync(file)
  } catch {
    // Broken as stale by another process: nothing of ours is left.
  }
}

/** The new lock's id, or undefined when the name is taken. */
function create (file: string): string | undefined {
  try {
    // O_EXCL: never opens what is there already, symlink included.
    const fd = fs.openSync(file, 'wx', 0o600)
    try {
      const id = crypto().randomBytes(8).toString('hex')
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString(), id }))
      return id
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return undefined
  }
}
