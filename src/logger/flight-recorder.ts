// The flight recorder: records below log_level (debug and trace at the
// default info) are not written but kept in a bounded ring, so that when an
// error is logged the minutes before it can be written too, as context.
// Support gets debug detail around a failure without running debug for days.
//
// Keeping a record must stay cheap on the hot path, so nothing is formatted
// then: the ring holds the call's arguments as given, and they are formatted
// only if a dump writes them. An object changed after the call shows its
// state at dump time (docs/formats.md says so). The ring's size is an
// estimate: string arguments by length, anything else at a fixed cost.

import type { LevelValue } from '../record/levels'
import type { Logger } from './logger'

export interface Recorded {
  readonly time: number
  readonly level: LevelValue
  readonly logger: Logger
  readonly args: readonly unknown[]
  readonly cost: number
}

/** At most one dump per this many ms, so a burst of errors writes context once. */
export const DUMP_INTERVAL_MS = 60_000

const ENTRY_COST = 96
const VALUE_COST = 64

export class FlightRecorder {
  private ring: Recorded[] = []
  private head = 0
  private bytes = 0
  private lastDump = -Infinity
  /** Records pushed out of the ring by newer ones. */
  evicted = 0
  dumps = 0

  constructor (readonly capacity: number, readonly windowMs: number) {}

  keep (logger: Logger, level: LevelValue, args: readonly unknown[], time: number): void {
    let cost = ENTRY_COST
    for (let i = 0; i < args.length; i++) {
      const a = args[i]
      cost += typeof a === 'string' ? a.length : VALUE_COST
    }
    this.ring.push({ time, level, logger, args, cost })
    this.bytes += cost
    while (this.bytes > this.capacity && this.head < this.ring.length) {
      this.bytes -= (this.ring[this.head] as Recorded).cost
      this.head++
      this.evicted++
    }
    // Compact now and then rather than shift() per record.
    if (this.head > 1024 && this.head * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.head)
      this.head = 0
    }
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
    this.bytes = 0
    if (out.length === 0) return undefined
    this.lastDump = now
    this.dumps++
    return out
  }

  get size (): number {
    return this.ring.length - this.head
  }
}
