// One measurement in its own process: `node build/bench/worker.js '<job json>'`.
// Prints one JSON Result line on stdout.

import fs from 'node:fs'
import { createLogger, currentDebugSession, listRotated, startDebugSession } from '../src/index'
import type { HttpOutcome, HttpVariant } from './connections'
import { scanLog, scanProblems, type LogScan } from './logfiles'
import { createPeer, MARKERS, type ExtraSettings, type Peer, type PeerName } from './peers'
import type { ShipOutcome, ShipVariant } from './ship'

/**
 * `rotate-off` and `rotate-on` are workload 1 into a file that never rotates
 * (log_max_size 0) and one that rotates often; `recorder-off` and
 * `recorder-on` are workload 1 with the flight recorder off and on;
 * `recorded-debug` is workload 3 with the flight recorder on (the call is
 * kept, not dropped); `settings` says which. The `http-*` workloads are
 * workload 10 (bench/connections.ts), one per dispatcher; the `ship-*` and
 * `otlp-*` workloads are 11 to 13 (bench/ship.ts). `session-off` and
 * `session-on` are workload 14: an `instrumentation` debug call at level info
 * (flight recorder off) with no debug session, and with one covering
 * `collector` only.
 */
export type Workload = 'info2' | 'info5' | 'debug' | 'error' | 'rss' | 'rotate-off' | 'rotate-on' |
  'recorder-off' | 'recorder-on' | 'recorded-debug' | 'session-off' | 'session-on' | HttpVariant | ShipVariant

export interface Job {
  readonly peer: PeerName
  readonly workload: Workload
  /** Timed records (calls, for `debug`: the most made before the time cap). */
  readonly records: number
  readonly warmup: number
  readonly file: string
  /** More settings for this logger (the rotation and flight recorder workloads, and workload 3). */
  readonly settings?: ExtraSettings
  /** `http-*` workloads: the loopback server's port, when it runs in a process of its own (else the worker starts one). */
  readonly port?: number
}

export interface Result {
  readonly peer: PeerName
  readonly workload: Workload
  /** Records (or calls) timed. */
  readonly count: number
  readonly elapsedMs: number
  readonly perSec: number
  /** `debug` only. */
  readonly nsPerCall?: number
  /** `rss` only: the highest RSS sampled, in MB. */
  readonly peakRssMb?: number
  /** Records expected in the file (warm-up + timed) and those found there (and in the files it rotated to). */
  readonly expected?: number
  readonly found?: number
  /** Rotation workloads: the log and its rotated files read back, and what is wrong with them. */
  readonly scan?: LogScan
  /** What the checks found wrong (rotation, flight recorder and http workloads); empty when all is well. */
  readonly problems?: readonly string[]
  /** This logger's flight recorder at the end: records held and pushed out (undefined: off, or another logger). */
  readonly recorder?: { readonly held: number, readonly evicted: number }
  /** `http-*` only. */
  readonly http?: HttpOutcome
  /** `ship-*` and `otlp-*` only. */
  readonly ship?: ShipOutcome
}

/** Yield to the event loop this often, whatever the logger. */
const YIELD_EVERY = 1000
const RSS_EVERY = 10_000
/** The disabled-call loop stops early past this, for loggers whose disabled call is slow. */
const DISABLED_MAX_MS = 1000
const DISABLED_CHUNK = 100_000
const DISABLED_WARMUP = 100_000

const tick = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve) })
const now = (): number => Number(process.hrtime.bigint()) / 1e6
const mb = (bytes: number): number => bytes / (1024 * 1024)

async function drive (n: number, call: () => void, every?: () => void): Promise<void> {
  for (let i = 1; i <= n; i++) {
    call()
    if (i % YIELD_EVERY === 0) {
      await tick()
      if (every !== undefined && i % RSS_EVERY === 0) every()
    }
  }
}

/** Occurrences of `marker` in the file, read in chunks. */
function countMarker (file: string, marker: string): number {
  const fd = fs.openSync(file, 'r')
  const buf = Buffer.alloc(1 << 20)
  let carry = ''
  let found = 0
  try {
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) {
      const text = carry + buf.toString('latin1', 0, n)
      for (let i = text.indexOf(marker); i !== -1; i = text.indexOf(marker, i + marker.length)) found++
      carry = text.slice(Math.max(text.length - marker.length + 1, 0))
    }
  } finally {
    fs.closeSync(fd)
  }
  return found
}

async function disabled (job: Job, peer: Peer): Promise<Result> {
  // The argument varies so the call cannot be folded into a constant.
  const args = ['y', 'z', 'w', 'v']
  for (let i = 0; i < DISABLED_WARMUP; i++) peer.debugDisabled(args[i & 3] as string)
  await tick()
  let calls = 0
  const t0 = now()
  let elapsed = 0
  while (calls < job.records && elapsed < DISABLED_MAX_MS) {
    for (let i = 0; i < DISABLED_CHUNK; i++) peer.debugDisabled(args[i & 3] as string)
    calls += DISABLED_CHUNK
    elapsed = now() - t0
  }
  const recorder = peer.recorder?.()
  await peer.end()
  // Workload 3 measures the dropped call, 'recorded-debug' the kept one: say so if the recorder did otherwise.
  const problems: string[] = []
  if (job.workload === 'recorded-debug' && (recorder === undefined || recorder.held === 0)) problems.push('the flight recorder kept nothing (is it on?)')
  if (job.workload === 'debug' && recorder !== undefined && recorder.held > 0) problems.push(`the flight recorder kept ${recorder.held} records: this is not the disabled call`)
  return {
    peer: job.peer,
    workload: job.workload,
    count: calls,
    elapsedMs: elapsed,
    perSec: calls / elapsed * 1000,
    nsPerCall: elapsed * 1e6 / calls,
    ...(recorder === undefined ? {} : { recorder }),
    ...(peer.recorder === undefined ? {} : { problems })
  }
}

/** Workload 14: what a debug session on `collector` costs the calls of another component. */
async function sessionCost (job: Job): Promise<Result> {
  const root = createLogger({ log_file: job.file, log_format: 'text', log_level: 'info', log_flight_recorder: '0' }, { global: true })
  const inst = root.child('instrumentation')
  const problems: string[] = []
  const handle = job.workload === 'session-on' ? startDebugSession({ only: 'collector', for: '1h' }) : undefined
  if (handle !== undefined && currentDebugSession()?.id !== handle.id) problems.push('the debug session did not start')
  if (handle !== undefined && !root.child('collector').keeps('debug')) problems.push('collector debug is not enabled during the session')
  const args = ['y', 'z', 'w', 'v']
  for (let i = 0; i < DISABLED_WARMUP; i++) inst.debug('x %s', args[i & 3])
  await tick()
  let calls = 0
  const t0 = now()
  let elapsed = 0
  while (calls < job.records && elapsed < DISABLED_MAX_MS) {
    for (let i = 0; i < DISABLED_CHUNK; i++) inst.debug('x %s', args[i & 3])
    calls += DISABLED_CHUNK
    elapsed = now() - t0
  }
  handle?.stop()
  const summary = handle === undefined ? undefined : await handle.ended
  if (summary !== undefined && summary.records > 0) problems.push(`the session wrote ${summary.records} records: instrumentation leaked into it`)
  root.flush()
  await root.close()
  return { peer: job.peer, workload: job.workload, count: calls, elapsedMs: elapsed, perSec: calls / elapsed * 1000, nsPerCall: elapsed * 1e6 / calls, problems }
}

async function connections (job: Job): Promise<Result> {
  // Loaded here only, so the other workloads' processes are as they were.
  const { runConnections } = require('./connections') as typeof import('./connections')
  const http = await runConnections({ variant: job.workload as HttpVariant, port: job.port, requests: job.records, warmup: job.warmup, file: job.file })
  return {
    peer: job.peer,
    workload: job.workload,
    count: http.requests,
    elapsedMs: http.elapsedMs,
    perSec: http.requests / http.elapsedMs * 1000,
    problems: http.problems,
    recorder: { held: http.held, evicted: http.evicted },
    http
  }
}

async function shipping (job: Job): Promise<Result> {
  // Loaded here only, so the other workloads' processes are as they were.
  const { runShip } = require('./ship') as typeof import('./ship')
  const receiver = process.env.BENCH_SHIP_RECEIVER
  const ship = await runShip({
    variant: job.workload as ShipVariant,
    records: job.records,
    warmup: job.warmup,
    file: job.file,
    ...(receiver === 'node' || receiver === 'rsyslog' ? { receiver } : {})
  })
  return { peer: job.peer, workload: job.workload, count: ship.records, elapsedMs: ship.elapsedMs, perSec: ship.perSec, problems: ship.problems, ship }
}

async function throughput (job: Job, peer: Peer, err: Error): Promise<Result> {
  const call = job.workload === 'info5' ? peer.info5 : job.workload === 'error' ? () => { peer.error(err) } : peer.info2
  const marker = job.workload === 'info5' ? MARKERS.info5 : job.workload === 'error' ? MARKERS.error : MARKERS.info2
  await drive(job.warmup, call)
  // Let the warm-up records drain before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 50))

  let peak = process.memoryUsage().rss
  const sample = (): void => { peak = Math.max(peak, process.memoryUsage().rss) }
  const t0 = now()
  await drive(job.records, call, job.workload === 'rss' ? sample : undefined)
  await peer.end()
  const elapsedMs = now() - t0
  sample()

  const rotation = job.workload === 'rotate-off' || job.workload === 'rotate-on'
  const scan = rotation ? scanLog(job.file, marker) : undefined
  // This logger rotates at log_max_size (100MB by default, which workload 4 passes): count the rotated files too.
  const found = scan?.records ?? [job.file, ...listRotated(job.file).map((f) => f.path)].reduce((n, f) => n + countMarker(f, marker), 0)
  return {
    peer: job.peer,
    workload: job.workload,
    count: job.records,
    elapsedMs,
    perSec: job.records / elapsedMs * 1000,
    ...(job.workload === 'rss' ? { peakRssMb: mb(peak) } : {}),
    expected: job.warmup + job.records,
    found,
    ...(scan === undefined ? {} : { scan, problems: scanProblems(scan, job.warmup + job.records, 1) })
  }
}

async function main (): Promise<void> {
  // Made before any await, so its stack is the same whichever peer runs.
  const err = new Error('boom')
  const job = JSON.parse(process.argv[2] ?? '') as Job
  if (job.workload.startsWith('http-')) {
    process.stdout.write(JSON.stringify(await connections(job)) + '\n')
    return
  }
  if (job.workload.startsWith('ship-') || job.workload.startsWith('otlp-')) {
    process.stdout.write(JSON.stringify(await shipping(job)) + '\n')
    return
  }
  if (job.workload.startsWith('session-')) {
    process.stdout.write(JSON.stringify(await sessionCost(job)) + '\n')
    return
  }
  const peer = await createPeer(job.peer, job.file, job.settings)
  const result = job.workload === 'debug' || job.workload === 'recorded-debug' ? await disabled(job, peer) : await throughput(job, peer, err)
  process.stdout.write(JSON.stringify(result) + '\n')
}

main().catch((err: unknown) => {
  process.stderr.write(`worker: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
