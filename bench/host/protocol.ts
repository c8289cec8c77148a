// The messages between bench/host/run.ts (the load's side) and the host app
// it forks (bench/host/app.ts, or bench/host/cluster.ts's primary, which
// speaks for its workers): the app says when it listens, the parent marks the
// measured window, then asks it to close its logger and report.

import type { Variant } from './variants'

export interface AppJob {
  readonly variant: Variant
  /** The log file (a directory of its own: rotated files land next to it). */
  readonly file: string
  /** log_max_size of the rotating variants, in bytes. */
  readonly rotateSize: number
  /** Cluster only: how many workers. */
  readonly workers?: number
}

export type Command =
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'close' }

/** What the app measured in the window between 'start' and 'stop'. */
export interface Window {
  /** Requests the app answered in the window. */
  readonly requests: number
  readonly elapsedMs: number
  /** process.cpuUsage(), user + system, over the window: every thread of the process (sonic-boom's writes in libuv's pool included). */
  readonly cpuUs: number
  /** perf_hooks.monitorEventLoopDelay over the window, in ms. */
  readonly loopDelayP99Ms: number
  readonly loopDelayMaxMs: number
}

export interface Closed {
  /** Records emitted at an enabled level, by process tag (the ids `<tag>:0` to `<tag>:<n - 1>`). */
  readonly emitted: Readonly<Record<string, number>>
  /** Requests answered since the app started (warm-up included). */
  readonly requests: number
  /** The process's peak RSS (VmHWM, else the highest sample), in MB; the sum over workers for the cluster. */
  readonly peakRssMb: number
}

export type AppMessage =
  | { readonly type: 'listening', readonly port: number }
  | { readonly type: 'started' }
  | ({ readonly type: 'window' } & Window)
  | ({ readonly type: 'closed' } & Closed)
  | { readonly type: 'failed', readonly error: string }
