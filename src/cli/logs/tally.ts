// The part of a summary that every record adds to and whose result does not
// depend on record order: how many records, the first and last time, per
// process the records and first/last time, and records per level per time
// bucket. Tallies of consecutive parts of a log merge (merge()) to exactly
// the tally of the whole, which is what lets the scan run on several threads
// (scan-parallel.ts). The one order-dependent bit, which process was seen
// first, is kept by listing pids in order of first sight: merged in part
// order, the first sights stay in order.

import type { LevelName } from './model'

const MINUTE = 60_000
/**
 * Processes tallied one by one, at most, in order of first sight: a log where every line names a
 * new pid (hostile, or years of restarts) would grow the tally without bound. The records of
 * processes first seen after that are counted together (otherRecords).
 */
export const PIDS_MAX = 10_000
/** Buckets kept at most: beyond, minutes become hours, hours days (24 days, ...). */
const BUCKETS_KEPT = 20_000

export const LEVEL_INDEX: Readonly<Record<LevelName, number>> = { critical: 0, error: 1, warning: 2, info: 3, debug: 4, trace: 5 }

export interface PidTally {
  pid: number
  records: number
  firstSeen: number
  lastSeen: number
}

/** A tally as plain data (posted between threads). */
export interface TallyPart {
  readonly records: number
  readonly first: number
  readonly last: number
  /** In order of first sight. */
  readonly pids: readonly PidTally[]
  /** Records of processes past the first PIDS_MAX. */
  readonly otherRecords: number
  readonly bucketMs: number
  /** Bucket key (time / bucketMs, floored) and its six level counts, flat: key, c0..c5, key, ... */
  readonly counts: readonly number[]
}

export class Tally {
  records = 0
  first = NaN
  last = NaN
  /** Insertion order is the order of first sight. */
  readonly pids = new Map<number, PidTally>()
  /** Records of processes first seen when PIDS_MAX were tallied already. */
  otherRecords = 0
  bucketMs = MINUTE
  readonly counts = new Map<number, number[]>()
  private lastPid: PidTally | undefined
  private lastKey = NaN
  private lastCounts: number[] = []

  add (t: number, level: LevelName, pid: number): void {
    this.records++
    if (!(t >= this.first)) this.first = t
    if (!(t <= this.last)) this.last = t
    let p = this.lastPid
    if (p === undefined || p.pid !== pid) {
      p = this.pids.get(pid)
      if (p === undefined && this.pids.size < PIDS_MAX) {
        p = { pid, records: 0, firstSeen: t, lastSeen: t }
        this.pids.set(pid, p)
      }
      this.lastPid = p
    }
    if (p === undefined) this.otherRecords++
    else {
      p.records++
      if (t < p.firstSeen) p.firstSeen = t
      if (t > p.lastSeen) p.lastSeen = t
    }
    if (Math.floor(t / this.bucketMs) !== this.lastKey) this.bucket(t)
    ;(this.lastCounts[LEVEL_INDEX[level]] as number)++
  }

  /** The bucket of time `t` as the current one, made when new. */
  private bucket (t: number): void {
    let key = Math.floor(t / this.bucketMs)
    let c = this.counts.get(key)
    if (c === undefined) {
      this.counts.set(key, [0, 0, 0, 0, 0, 0])
      if (this.counts.size > BUCKETS_KEPT) this.coarsen()
      key = Math.floor(t / this.bucketMs)
      c = this.counts.get(key) as number[]
    }
    this.lastKey = key
    this.lastCounts = c
  }

  /**
   * Years of minutes: hours (then days, ...) instead, until the buckets fit. Coarsening until they
   * fit (not one step per new bucket) makes the end state depend only on the set of times, not on
   * their order: the smallest size at which the buckets fit. So tallies of parts merge exactly.
   */
  private coarsen (): void {
    while (this.counts.size > BUCKETS_KEPT) this.coarsenOnce()
  }

  part (): TallyPart {
    const counts: number[] = []
    for (const [k, c] of this.counts) counts.push(k, ...c)
    return { records: this.records, first: this.first, last: this.last, pids: [...this.pids.values()], otherRecords: this.otherRecords, bucketMs: this.bucketMs, counts }
  }

  /** Adds the tally of the records that come after this one's. */
  merge (p: TallyPart): void {
    if (p.records === 0) return
    this.records += p.records
    if (!(p.first >= this.first)) this.first = p.first
    if (!(p.last <= this.last)) this.last = p.last
    // A part that counted records as others can not say whose they were: SummaryBuilder.part() marks it overflowed.
    this.otherRecords += p.otherRecords
    for (const q of p.pids) {
      const to = this.pids.get(q.pid)
      if (to === undefined) {
        if (this.pids.size < PIDS_MAX) this.pids.set(q.pid, { ...q })
        else this.otherRecords += q.records
      } else {
        to.records += q.records
        if (q.firstSeen < to.firstSeen) to.firstSeen = q.firstSeen
        if (q.lastSeen > to.lastSeen) to.lastSeen = q.lastSeen
      }
    }
    this.lastPid = undefined
    // Both at the coarser of the two sizes: sizes are multiples of each other.
    while (this.bucketMs < p.bucketMs) this.coarsenOnce()
    for (let i = 0; i < p.counts.length; i += 7) {
      const key = Math.floor((p.counts[i] as number) * p.bucketMs / this.bucketMs)
      let to = this.counts.get(key)
      if (to === undefined) {
        to = [0, 0, 0, 0, 0, 0]
        this.counts.set(key, to)
      }
      for (let j = 0; j < 6; j++) to[j] = (to[j] as number) + (p.counts[i + 1 + j] as number)
    }
    if (this.counts.size > BUCKETS_KEPT) this.coarsen()
    this.lastKey = NaN
  }

  private coarsenOnce (): void {
    const next = this.bucketMs * (this.bucketMs === MINUTE ? 60 : 24)
    const old = [...this.counts]
    this.counts.clear()
    for (const [k, c] of old) {
      const nk = Math.floor(k * this.bucketMs / next)
      const to = this.counts.get(nk)
      if (to === undefined) this.counts.set(nk, c)
      else for (let i = 0; i < 6; i++) to[i] = (to[i] as number) + (c[i] as number)
    }
    this.bucketMs = next
    this.lastKey = NaN
  }
}
