// Reconnect delays: exponential from minMs, doubling, capped at maxMs, each
// with ±jitter so that a fleet whose relay restarts does not reconnect in
// step. One instance per destination, kept across reconnects (pino-socket
// #69 re-made it on every reconnect and so never backed off).

export interface BackoffOptions {
  /** The first delay (default 100 ms). */
  readonly minMs?: number
  /** The largest delay (default 30 s). */
  readonly maxMs?: number
  /** ± this fraction of each delay (default 0.2). */
  readonly jitter?: number
  /** Math.random by default; tests pass their own. */
  readonly random?: () => number
}

export interface Backoff {
  /** The delay before the next attempt, and one step up for the one after. */
  next (): number
  /** Back to the first delay (after a connection that worked). */
  reset (): void
  /** Failures since the last reset. */
  readonly attempts: number
}

export function createBackoff (options: BackoffOptions = {}): Backoff {
  const min = Math.max(1, options.minMs ?? 100)
  const max = Math.max(min, options.maxMs ?? 30_000)
  const jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1)
  const random = options.random ?? Math.random
  let attempts = 0
  return {
    next () {
      const base = Math.min(max, min * 2 ** Math.min(attempts, 40))
      attempts++
      const r = random()
      const spread = base * jitter * (2 * (r >= 0 && r <= 1 ? r : 0.5) - 1)
      return Math.max(1, Math.min(max, Math.round(base + spread)))
    },
    reset () { attempts = 0 },
    get attempts () { return attempts }
  }
}
