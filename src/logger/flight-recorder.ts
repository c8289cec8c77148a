// The flight recorder: records below log_level (debug and trace at the
// default info) are not written but kept in a bounded ring, so that when an
// error is logged the minutes before it can be written too, as context.
// Support gets debug detail around a failure without running debug for days.
//
// What is kept is a bounded copy of the call's arguments (snapshot.ts), never
// the caller's own values, and it is charged by the size of that copy: the
// ring's capacity (log_flight_recorder) bounds real memory. Entries leave when
// newer ones need the room and when they fall out of the window.
//
// A copy costs time and memory, so each logger name has a budget:
// KEEP_PER_SECOND calls a second, with bursts of up to KEEP_BURST. A host that
// makes hundreds of thousands of debug calls a second at info pays for the copy
// of at most that many; the rest are counted as skipped and cost a map lookup.
// Over a long flood the budget refills evenly, so the calls just before an
// error are still sampled. The rate was 1,000 once: measured in a host under
// load (npm run bench:host), the copies that turned the ring over every few
// seconds cost 5 % of its throughput and 25 MB of heap for context nobody
// read; at 100 a second a 1MB ring still spans the 30 s window, and a burst
// (a collector outage's few hundred records) is kept whole.

import type { SerializeContext } from '../format/serialize'
import type { LevelValue } from '../record/levels'
import type { Logger } from './logger'
import { snapshotArgs } from './snapshot'

export interface Recorded {
  readonly time: number
  readonly level: LevelValue
  readonly logger: Logger
  /** The bounded copy; pass through materialize() before formatting. */
  readonly args: readonly unknown[]
  readonly cost: number
}

/** At most one dump per this many ms, so a burst of errors writes context once. */
export const DUMP_INTERVAL_MS = 60_000
/** Calls kept per second and per logger name, once a burst has used up its allowance. */
export const KEEP_PER_SECOND = 100
/** Calls a logger name may have kept at once before the per-second rate applies. */
export const KEEP_BURST = 300
/** Logger names with a budget; the tree caps names well below this. */
const MAX_BUDGETS = 4096

interface Budget { tokens: number, at: number }

export class FlightRecorder {
  /** Entries before `head` have left (their slots cleared). */
  private ring: Array<Recorded | undefined> = []
  private head = 0
  private held = 0
  private lastDump = -Infinity
  private readonly budgets = new Map<string, Budget>()
  /** Records that left the ring: pushed out by newer ones, or older than the window. */
  evicted = 0
  /** Calls not kept because their logger name was over its budget. */
  skipped = 0
  dumps = 0

  constructor (readonly capacity: number, readonly windowMs: number) {}

  keep (logger: Logger, level: LevelValue, args: readonly unknown[], time: number, ctx: SerializeContext): void {
    if (!this.allow(logger.name, time)) {
      this.skipped++
      return
    }
    const { args: copy, cost } = snapshotArgs(args, ctx, this.capacity)
    this.ring.push({ time, level, logger, args: copy, cost })
    this.held += cost
    const from = time - this.windowMs
    while (this.head < this.ring.length) {
      const oldest = this.ring[this.head] as Recorded
      if (this.held <= this.capacity && oldest.time >= from) break
      this.held -= oldest.cost
      this.ring[this.head] = undefined
      this.head++
      this.evicted++
    }
    // Compact now and then rather than shift() per record; drop evicted entries' references.
    if (this.head > 1024 && this.head * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.head)
      this.head = 0
    } else if (this.head === this.ring.length) {
      this.ring = []
      this.head = 0
    }
  }

  /** Token bucket per logger name. */
  private allow (name: string, now: number): boolean {
    let b = this.budgets.get(name)
    if (b === undefined) {
      if (this.budgets.size >= MAX_BUDGETS) this.budgets.clear()
      b = { tokens: KEEP_BURST, at: now }
      this.budgets.set(name, b)
    } else if (now > b.at) {
      b.tokens = Math.min(KEEP_BURST, b.tokens + (now - b.at) * KEEP_PER_SECOND / 1000)
      b.at = now
    }
    if (b.tokens < 1) return false
    b.tokens--
    return true
  }

  /**
   * The records of the last windowMs, oldest first, and an emptied ring; or
   * nothing if a dump happened less than DUMP_INTERVAL_MS ago.
   */
  take (now: number): Recorded[] | undefined {
    if (this.head === this.ring.length || now - this.lastDump < DUMP_INTERVAL_MS) return undefined
    const from = now - this.windowMs
    const out: Recorded[] = []
    for (let i = this.head; i < this.ring.length; i++) {
      const r = this.ring[i] as Recorded
      if (r.time >= from) out.push(r)
    }
    this.ring = []
    this.head = 0
    this.held = 0
    if (out.length === 0) return undefined
    this.lastDump = now
    this.dumps++
    return out
  }

  get size (): number {
    return this.ring.length - this.head
  }

  /** What the kept copies take, as charged against the capacity. */
  get bytes (): number {
    return this.held
  }
}
