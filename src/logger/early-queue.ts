// Records logged before the config is known (getLogger() before
// createLogger()). They wait here, as bounded copies of their arguments
// (snapshot.ts), and are formatted with the real settings once they arrive.
//
// Bounded by count (EARLY_MAX) and by memory (EARLY_MAX_BYTES). When full,
// the oldest record of the lowest level goes first: trace, then debug, info,
// warning. An error or critical record is never dropped for a lower one. If
// the queue holds nothing but errors and criticals, the new record is dropped
// instead of an older one: the first errors usually explain the ones after.

import type { SerializeContext } from '../format/serialize'
import { LEVEL_NAMES, NAME_OF, type LevelName, type LevelValue } from '../record/levels'
import type { Logger } from './logger'
import { snapshotArgs } from './snapshot'

/** How many records the early queue holds before the config is known. */
export const EARLY_MAX = 1000
/** What their copies may take in memory. */
export const EARLY_MAX_BYTES = 4 * 1024 * 1024
/** Longest string or object JSON kept per argument. */
const EARLY_MAX_VALUE = 16 * 1024

export interface EarlyRecord {
  readonly seq: number
  readonly logger: Logger
  readonly level: LevelValue
  readonly time: number
  readonly args: readonly unknown[]
  readonly cost: number
}

/** A FIFO per level (index level / 10), so dropping the oldest of a level is O(1). */
class Fifo {
  items: Array<EarlyRecord | undefined> = []
  head = 0
  get size (): number { return this.items.length - this.head }
  shift (): EarlyRecord {
    const r = this.items[this.head] as EarlyRecord
    this.items[this.head++] = undefined
    return r
  }
}

export class EarlyQueue {
  private fifos: Fifo[] = [0, 1, 2, 3, 4, 5, 6].map(() => new Fifo())
  private count = 0
  private bytes = 0
  private seq = 0
  /** Records dropped, by level. */
  readonly dropped: Record<LevelName, number> = Object.fromEntries(LEVEL_NAMES.map((n) => [n, 0])) as Record<LevelName, number>

  get droppedTotal (): number {
    let n = 0
    for (const name of LEVEL_NAMES) n += this.dropped[name]
    return n
  }

  get size (): number {
    return this.count
  }

  add (logger: Logger, level: LevelValue, args: readonly unknown[], time: number, ctx: SerializeContext): void {
    // Make room before copying: a record that will be dropped is not copied.
    if (this.count >= EARLY_MAX && !this.makeRoom(level)) {
      this.drop(level)
      return
    }
    const { args: copy, cost } = snapshotArgs(args, ctx, EARLY_MAX_VALUE)
    while (this.bytes + cost > EARLY_MAX_BYTES && this.count > 0) {
      if (!this.makeRoom(level)) {
        this.drop(level)
        return
      }
    }
    const fifo = this.fifos[level / 10] as Fifo
    fifo.items.push({ seq: this.seq++, logger, level, time, args: copy, cost })
    this.count++
    this.bytes += cost
  }

  /** Drops the oldest record of the lowest level below `incoming`'s, or of its own level below error. */
  private makeRoom (incoming: LevelValue): boolean {
    for (let i = 1; i <= 4; i++) {
      const fifo = this.fifos[i] as Fifo
      if (i * 10 > incoming) return false
      if (fifo.size === 0) continue
      const r = fifo.shift()
      this.count--
      this.bytes -= r.cost
      this.drop(r.level)
      return true
    }
    return false
  }

  private drop (level: LevelValue): void {
    this.dropped[NAME_OF[level] as LevelName]++
  }

  /** Everything queued, in the order it was logged; empties the queue. */
  drain (): EarlyRecord[] {
    const all: EarlyRecord[] = []
    for (const fifo of this.fifos) {
      for (let i = fifo.head; i < fifo.items.length; i++) all.push(fifo.items[i] as EarlyRecord)
    }
    this.fifos = this.fifos.map(() => new Fifo())
    this.count = 0
    this.bytes = 0
    return all.sort((a, b) => a.seq - b.seq)
  }
}
