// Turns a stream of collector outcomes into few, useful lines. During an
// outage the first failure of each kind is a warning; repeats are counted
// and reported at most once per interval ("still failing: ..., N times in
// the last M s"); the first success after failures is one "recovered" line.
// Peer agents log every failed attempt, and users have filed issues about
// exactly that flood during collector maintenance.

export type Verdict =
  | { readonly kind: 'first_failure', readonly cause: string }
  | { readonly kind: 'still_failing', readonly cause: string, readonly count: number, readonly seconds: number }
  | { readonly kind: 'quiet' }
  | { readonly kind: 'recovered', readonly failures: number, readonly seconds: number, readonly causes: readonly string[] }
  | { readonly kind: 'ok' }

const OK: Verdict = Object.freeze({ kind: 'ok' })

export class Coalescer {
  private readonly seen = new Map<string, { count: number, since: number, reported: number }>()
  private outageStart = 0
  private outageFailures = 0

  constructor (private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  failure (cause: string): Verdict {
    const t = this.now()
    if (this.outageFailures === 0) this.outageStart = t
    this.outageFailures++
    const entry = this.seen.get(cause)
    if (entry === undefined) {
      this.seen.set(cause, { count: 0, since: t, reported: t })
      return { kind: 'first_failure', cause }
    }
    entry.count++
    if (t - entry.reported < this.intervalMs) return { kind: 'quiet' }
    const verdict: Verdict = { kind: 'still_failing', cause, count: entry.count, seconds: Math.max(1, Math.round((t - entry.reported) / 1000)) }
    entry.count = 0
    entry.reported = t
    return verdict
  }

  success (): Verdict {
    if (this.outageFailures === 0) return OK
    const verdict: Verdict = {
      kind: 'recovered',
      failures: this.outageFailures,
      seconds: Math.max(0, Math.round((this.now() - this.outageStart) / 1000)),
      causes: [...this.seen.keys()]
    }
    this.seen.clear()
    this.outageFailures = 0
    return verdict
  }

  get failing (): boolean {
    return this.outageFailures > 0
  }
}
