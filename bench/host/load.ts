// The load of `npm run bench:host`: autocannon's programmatic API, from the
// parent process, against the app on the loopback interface.

export interface LoadSettings {
  readonly connections: number
  readonly seconds: number
}

export interface LoadResult {
  /** Requests completed, and per second of the run. */
  readonly requests: number
  readonly perSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Answers other than 2xx, connection errors and timeouts. */
  readonly failed: number
}

/** The few members of autocannon's result read here. */
interface AutocannonResult {
  readonly duration: number
  readonly requests: { readonly total: number }
  readonly latency: { readonly p50: number, readonly p99: number }
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
}
type Autocannon = (options: { url: string, connections: number, duration: number, pipelining: number }) => Promise<AutocannonResult>

/** Closed-loop load: `connections` keep-alive connections, one request in flight each, for `seconds`. */
export async function load (port: number, settings: LoadSettings): Promise<LoadResult> {
  // Loaded here, so that the app's processes and the start-up figures never see it.
  const autocannon = require('autocannon') as Autocannon
  const r = await autocannon({ url: `http://127.0.0.1:${port}/api/v1/users/42`, connections: settings.connections, duration: settings.seconds, pipelining: 1 })
  return {
    requests: r.requests.total,
    perSec: r.duration > 0 ? r.requests.total / r.duration : NaN,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    failed: r.errors + r.timeouts + r.non2xx
  }
}
