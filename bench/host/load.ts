// The load of `npm run bench:host`: autocannon's programmatic API, from the
// parent process, against the app on the loopback interface.

import { createHistogram } from 'node:perf_hooks'

export interface LoadSettings {
  readonly connections: number
  readonly seconds: number
  /** Open loop at this many requests a second over all connections (autocannon's overallRate); closed loop when absent. */
  readonly rate?: number
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

/** The few members of autocannon's result and instance used here. */
interface AutocannonResult {
  readonly duration: number
  readonly requests: { readonly total: number }
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
}
interface Instance {
  on: (event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void) => void
}
type Autocannon = (options: { url: string, connections: number, duration: number, pipelining: number, overallRate?: number }, done: (err: Error | null, result: AutocannonResult) => void) => Instance

/**
 * Closed-loop load: `connections` keep-alive connections, one request in
 * flight each, for `seconds`; with `rate`, the same connections at that many
 * requests a second in all.
 */
export async function load (port: number, settings: LoadSettings): Promise<LoadResult> {
  // Loaded here, so that the app's processes and the start-up figures never see it.
  const autocannon = require('autocannon') as Autocannon
  // autocannon's own latency histogram counts whole milliseconds; loopback answers take less. Each
  // answer's time (ms, from process.hrtime) goes into a histogram of microseconds instead.
  const latency = createHistogram()
  const r = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon({ url: `http://127.0.0.1:${port}/api/v1/users/42`, connections: settings.connections, duration: settings.seconds, pipelining: 1, ...(settings.rate === undefined ? {} : { overallRate: settings.rate }) },
      (err, result) => { err === null ? resolve(result) : reject(err) })
    instance.on('response', (_client, statusCode, _bytes, ms) => { if (statusCode < 300) latency.record(Math.max(1, Math.round(ms * 1000))) })
  })
  return {
    requests: r.requests.total,
    perSec: r.duration > 0 ? r.requests.total / r.duration : NaN,
    p50Ms: latency.count > 0 ? latency.percentile(50) / 1000 : NaN,
    p99Ms: latency.count > 0 ? latency.percentile(99) / 1000 : NaN,
    failed: r.errors + r.timeouts + r.non2xx
  }
}
