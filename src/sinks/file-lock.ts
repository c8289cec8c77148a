// A lock between processes that needs nothing but the file system: create a
// file with O_EXCL; whoever creates it holds the lock. It is held for the
// milliseconds a rotation takes, so one older than `staleMs` was left by a
// process that died (or froze) inside the critical section, and is broken.
// Breaking is itself a race between processes, won by exactly one: the
// rename of the stale lock to a name of the breaker's own.

import fs from 'node:fs'
import os from 'node:os'

export interface LockResult {
  readonly acquired: boolean
  /** Set when a stale lock was broken to get this one: how old it was, in ms. */
  readonly brokeStaleMs?: number
}

export function tryLock (file: string, staleMs: number): LockResult {
  if (create(file)) return { acquired: true }
  let age: number
  try {
    age = Date.now() - fs.statSync(file).mtimeMs
  } catch {
    // Released between our attempt and the stat: try once more.
    return { acquired: create(file) }
  }
  if (age < staleMs) return { acquired: false }
  const claimed = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  try {
    fs.renameSync(file, claimed)
  } catch {
    // Another process broke it first (or its owner released it).
    return { acquired: false }
  }
  try {
    // The rename may have taken a fresh lock created after our stat; if so, put it back.
    if (Date.now() - fs.statSync(claimed).mtimeMs < staleMs) {
      // link, not rename: never overwrite a lock someone took meanwhile.
      try {
        fs.linkSync(claimed, file)
      } catch {
        // Someone holds a newer lock; the one we took was released by its owner's unlink anyway.
      }
      fs.unlinkSync(claimed)
      return { acquired: false }
    }
    fs.unlinkSync(claimed)
  } catch {
    return { acquired: false }
  }
  return create(file) ? { acquired: true, brokeStaleMs: age } : { acquired: false }
}

export function unlock (file: string): void {
  try {
    fs.unlinkSync(file)
  } catch {
    // Broken as stale by another process: nothing of ours is left.
  }
}

function create (file: string): boolean {
  try {
    const fd = fs.openSync(file, 'wx', 0o600)
    try {
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }))
    } finally {
      fs.closeSync(fd)
    }
    return true
  } catch {
    return false
  }
}
