// A bounded memo for what the log readers work out from strings that repeat
// in the usual log (an outage writes the same url, cause and status into
// thousands of lines) and may all differ in another (a hostile or unusual
// log, where every lookup misses and remembering only costs: a copy per key,
// a full memo thrown away every few thousand lines, garbage). So it watches
// its hit rate: over each WINDOW lookups that hit less than one in four, it
// stops (a lookup then costs one decrement, and the caller can skip making
// the key: `on`), and it tries again after PAUSE lookups. What it answers is
// what the caller would have worked out: only time changes.

const WINDOW = 256
const PAUSE = WINDOW * 16

export class Memo<V> {
  private readonly map = new Map<string, V>()
  private lookups = 0
  private hits = 0
  private paused = 0

  /** `max` entries at most (cleared when full); keys longer than `maxKey` characters are never kept. */
  constructor (private readonly max: number, private readonly maxKey: number) {}

  /** Whether a lookup can answer: when false, get() misses and set() keeps nothing, so the key need not be made. */
  get on (): boolean {
    if (this.paused === 0) return true
    this.paused--
    return false
  }

  get (key: string): V | undefined {
    if (key.length > this.maxKey) return undefined
    const v = this.map.get(key)
    if (v !== undefined) this.hits++
    if (++this.lookups === WINDOW) {
      if (this.hits * 4 < WINDOW) {
        this.paused = PAUSE
        this.map.clear()
      }
      this.lookups = 0
      this.hits = 0
    }
    return v
  }

  set (key: string, value: V): void {
    if (key.length > this.maxKey || this.paused > 0) return
    if (this.map.size >= this.max) this.map.clear()
    // A flat copy: a key made of slices of a read piece of text would pin the piece.
    this.map.set(flat(key), value)
  }
}

/** A copy sharing no memory with `s` (V8 makes slices and concatenations point into their parents). */
export function flat (s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le')
}
