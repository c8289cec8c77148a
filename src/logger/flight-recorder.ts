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
// of at most that many. A logger over its budget is paused: the tree points
// its below-level methods at a counting skip (no arguments gathered, no clock
// read), and RESUME_MS later, once the budget has refilled a little, at the
// recorder again. Over a long flood the calls just before an error are still
// sampled, and the calls not kept are counted (skipped). The rate was 1,000 once: measured in a host under
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
/** How long a logger over its budget stays paused: long enough that the flood costs nothing, short enough to keep sampling. */
export const RESUME_MS = 100

/** How the recorder tells the tree to stop and restart sending it a logger's calls. */
export interface RecorderHooks {
  readonly pause: (name: string) => void
  readonly resume: (names: readonly string[]) => void
}

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
  /** Logger names paused until the resume timer runs. */
  private paused = new Set<string>()
  private resumeTimer: NodeJS.Timeout | undefined

  constructor (readonly capacity: number, readonly windowMs: number, private readonly hooks?: RecorderHooks) {}

  keep (logger: Logger, level: LevelValue, args: readonly unknown[], time: number, ctx: SerializeContext): void {
    if (!this.allow(logger.name, time)) {
      this.skipped++
      this.pause(logger.name)
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

  private pause (name: string): void {
    const hooks = this.hooks
    if (hooks === undefined || this.paused.has(name)) return
    this.paused.add(name)
    hooks.pause(name)
    this.resumeTimer ??= setTimeout(() => {
      this.resumeTimer = undefined
      const names = [...this.paused]
      this.paused.clear()
      hooks.resume(names)
    }, RESUME_MS).unref()
  }

  /** Stops the resume timer (the output closes); paused loggers stay as the tree leaves them. */
  stop (): void {
    clearTimeout(this.resumeTimer)
    this.resumeTimer = undefined
    this.paused.clear()
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

  /** The records of the last windowMs, oldest first, left in place: a debug session starts with them, and an error's dump still finds them. */
  recent (now: number): Recorded[] {
    const from = now - this.windowMs
    const out: Recorded[] = []
    for (let i = this.head; i < this.ring.length; i++) {
      const r = this.ring[i] as Recorded
      if (r.time >= from) out.push(r)
    }
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
