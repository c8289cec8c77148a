// The files rotation leaves next to a log, and how processes agree on them.
// Shared by the rotating sink and `doctor`, so both read the same names.
//
//   oneapm_agent.log                              the current log (always this name)
//   oneapm_agent.log.2026-11-21.001               daily: the day the lines belong to
//   oneapm_agent.log.2026-11-21T13.002            hourly, second size rotation in the hour
//   oneapm_agent.log.2026-11-21T13-18-05.001.gz   size only: when it rotated; compressed
//   oneapm_agent.log.rotate-v1.lock / .state      coordination (protocol version in the name)
//
// Labels are local time, fixed width, so names sort by age.

import fs from 'node:fs'
import path from 'node:path'
import type { RotatePeriod } from '../config/values'
import { isOwnFile, NOT_OURS, openOwn, readOwn } from './own-file'

/** Bumped when the lock or state format changes, so mixed versions in a rolling deploy don't share them. */
export const PROTOCOL = 'v1'

/** A period: a named one, or a length in ms (a test hook for sub-second periods). */
export type Period = RotatePeriod | number

export const lockPath = (log: string): string => `${log}.rotate-${PROTOCOL}.lock`
export const statePath = (log: string): string => `${log}.rotate-${PROTOCOL}.state`

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** Start of the period holding `ms`; 0 when there is no period. */
export function periodStart (ms: number, period: Period): number {
  if (period === 'none') return 0
  if (typeof period === 'number') return Math.floor(ms / period) * period
  const d = new Date(ms)
  d.setMinutes(0, 0, 0)
  if (period === 'daily') d.setHours(0)
  return d.getTime()
}

/** When the period that starts at `start` ends; Infinity when there is no period. */
export function periodEnd (start: number, period: Period): number {
  if (period === 'none') return Infinity
  if (typeof period === 'number') return start + period
  const d = new Date(start)
  // Calendar arithmetic, so a DST change gives a 23- or 25-hour day, not a drift.
  if (period === 'daily') d.setDate(d.getDate() + 1)
  else d.setHours(d.getHours() + 1)
  return d.getTime()
}

/** The label a rotated file gets: its period, or (size only) the rotation time. */
export function labelFor (ms: number, period: Period): string {
  const d = new Date(ms)
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  if (period === 'daily') return day
  if (period === 'hourly') return `${day}T${pad(d.getHours())}`
  const second = `${day}T${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`
  return typeof period === 'number' ? `${second}.${pad(d.getMilliseconds(), 3)}` : second
}

export const rotatedName = (log: string, label: string, seq: number): string => `${log}.${label}.${pad(seq, 3)}`

const ROTATED = /^\.(\d{4}-\d\d-\d\d(?:T\d\d(?:-\d\d-\d\d(?:\.\d{3})?)?)?)\.(\d{3,})(\.gz)?$/

/** Whether `name` (a name in the log's directory) is one rotation gives `<base>`'s files, uncompressed. */
export function isRotatedName (base: string, name: string): boolean {
  if (!name.startsWith(base)) return false
  const m = ROTATED.exec(name.slice(base.length))
  return m !== null && m[3] === undefined
}

export interface RotatedFile {
  readonly path: string
  readonly label: string
  readonly seq: number
  readonly compressed: boolean
  readonly size: number
  readonly mtimeMs: number
}

/** The names next to `log` that start with its name (the log, its rotated files, lock, state...). */
export function siblings (log: string): { readonly dir: string, readonly base: string, readonly names: readonly string[] } {
  const dir = path.dirname(log)
  const base = path.basename(log)
  try {
    return { dir, base, names: fs.readdirSync(dir).filter((n) => n.startsWith(base)) }
  } catch {
    return { dir, base, names: [] }
  }
}

/** The rotated files of `log`, oldest first. */
export function listRotated (log: string): RotatedFile[] {
  const { dir, base, names } = siblings(log)
  const out: RotatedFile[] = []
  for (const name of names) {
    const m = ROTATED.exec(name.slice(base.length))
    if (m === null) continue
    const p = path.join(dir, name)
    try {
      const st = fs.lstatSync(p)
      if (!isOwnFile(st)) continue
      out.push({ path: p, label: m[1] as string, seq: Number(m[2]), compressed: m[3] !== undefined, size: st.size, mtimeMs: st.mtimeMs })
    } catch {
      // Removed between readdir and stat by another process's retention.
    }
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : 1))
}

/**
 * link()s `src` to `rotated + suffix`, or, when that name is taken, to the
 * next free sequence number of the same label: a rename that never replaces
 * an existing file. Returns the name used.
 */
export function linkNoClobber (src: string, rotated: string, suffix: '' | '.gz'): string {
  const m = /^(.*)\.(\d{3,})$/.exec(rotated)
  const base = m === null ? rotated : m[1] as string
  const first = m === null ? 0 : Number(m[2])
  for (let seq = first; seq <= first + 99_999; seq++) {
    const name = seq === first ? rotated : `${base}.${pad(seq, 3)}`
    // A different file under the other form of the name would make the pair ambiguous: skip it too.
    if (seq !== first && fs.existsSync(suffix === '' ? `${name}.gz` : name)) continue
    try {
      fs.linkSync(src, name + suffix)
      return name + suffix
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || m === null) throw err
    }
  }
  throw Object.assign(new Error(`no free name after ${rotated}`), { code: 'EEXIST' })
}

export interface RotationState {
  /** Start of the period the current file's lines belong to. */
  readonly periodStart: number
  /** Inodes recently rotated away, so followers can tell a rotation from a stranger's replacement. */
  readonly rotated: readonly number[]
}

/** The state is 512 bytes; anything read past this is not ours. */
const STATE_READ_MAX = 4096

/**
 * The state, or undefined when there is none (or a torn one). Throws
 * ENOTOURS when something other than our own regular file holds the name
 * (a FIFO, a symlink, a stranger's file): it is never read through.
 */
export function readState (log: string): RotationState | undefined {
  let text: string
  try {
    text = readOwn(statePath(log), STATE_READ_MAX)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === NOT_OURS) throw err
    return undefined
  }
  try {
    const s = JSON.parse(text) as Partial<RotationState>
    if (typeof s.periodStart !== 'number') return undefined
    return { periodStart: s.periodStart, rotated: Array.isArray(s.rotated) ? s.rotated.filter((n) => typeof n === 'number').slice(-64) : [] }
  } catch {
    return undefined
  }
}

const STATE_BYTES = 512

/**
 * Written only under the lock, in place: a fixed-width record (JSON padded
 * with spaces) over the old one, so no truncate and no rename, which cost
 * 20 times as much on ext4. Whoever holds the lock reads a whole record;
 * a reader outside it may see a torn one, which parses as no state. Throws
 * ENOTOURS, writing nothing, when the name holds anything but our own file.
 */
export function writeState (log: string, state: RotationState): void {
  const text = JSON.stringify(state).padEnd(STATE_BYTES)
  const fd = openOwn(statePath(log), fs.constants.O_RDWR | fs.constants.O_CREAT)
  try {
    fs.writeSync(fd, text, 0)
  } finally {
    fs.closeSync(fd)
  }
}

/** The disk a log can take with these settings, or undefined when unbounded. */
export function diskBound (maxSize: number, maxFiles: number): number | undefined {
  return maxSize > 0 && maxFiles > 0 ? maxSize * (maxFiles + 1) : undefined
}
