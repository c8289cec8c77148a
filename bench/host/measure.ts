// One variant, one round: fork the host app (or the cluster), warm it up,
// measure a window of load, close its logger, read the log back.

import { fork, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { scanLog, scanProblems, type LogScan } from '../logfiles'
import { TOKEN } from './instrument'
import { load, type LoadResult, type LoadSettings } from './load'
import type { AppJob, AppMessage, Closed, Window } from './protocol'
import { readBack, readbackProblems, type Readback } from './readback'
import { CLUSTER_VARIANT, specOf, type Variant } from './variants'

export interface MeasureSettings extends LoadSettings {
  /** Seconds of load before the window. */
  readonly warmupSeconds: number
  /** log_max_size of the rotating variants, bytes. */
  readonly rotateSize: number
  /** Workers of the cluster variant. */
  readonly workers: number
  /** The CPU window: this many requests a second (0: none) for `fixedSeconds`, after the throughput window. */
  readonly fixedRate: number
  readonly fixedSeconds: number
  /** The compiled app and cluster scripts (a snapshot's, in run.ts). */
  readonly appJs: string
  readonly clusterJs: string
}

export interface RunResult {
  readonly variant: Variant
  readonly round: number
  readonly load: LoadResult
  readonly window: Window
  readonly closed: Closed
  readonly readback: Readback
  /** The app's CPU per request answered in the window, µs. */
  readonly cpuUsPerRequest: number
  /**
   * The same at the fixed rate (NaN when not run). Under a closed loop a
   * slower app answers fewer requests per turn and pays more of the server's
   * own per-turn cost on each, so CPU per request there mixes the logger's
   * cost with the throughput it took; at one rate every variant serves the
   * same load, and this minus `none`'s is the logger's own cost.
   */
  readonly fixedCpuUsPerRequest: number
  /** Anything wrong: lost, duplicated or unknown records, a missing file, torn lines, failed requests. */
  readonly problems: readonly string[]
}

const STEP_MS = 60_000

function deadline<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what}: no answer after ${ms / 1000} s`)) }, ms) })
  return Promise.race([p, late]).finally(() => { clearTimeout(timer) })
}

/** The app process and a way to wait for each of its messages. */
class AppProcess {
  private readonly exited: Promise<void>
  private readonly inbox: AppMessage[] = []
  private waiting: ((m: AppMessage) => void) | undefined
  private gone: Error | undefined

  constructor (readonly child: ChildProcess) {
    child.on('message', (m: AppMessage) => {
      const w = this.waiting
      if (w === undefined) this.inbox.push(m)
      else { this.waiting = undefined; w(m) }
    })
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.gone = new Error(`the app exited with ${code ?? signal ?? '?'}`)
        resolve()
      })
    })
  }

  async next<T extends AppMessage['type']> (type: T, what: string): Promise<Extract<AppMessage, { type: T }>> {
    const m = await deadline(new Promise<AppMessage>((resolve, reject) => {
      const first = this.inbox.shift()
      if (first !== undefined) resolve(first)
      else if (this.gone !== undefined) reject(this.gone)
      else {
        this.waiting = resolve
        void this.exited.then(() => { if (this.waiting === resolve) reject(this.gone) })
      }
    }), STEP_MS, what)
    if (m.type === 'failed') throw new Error(`${what}: ${m.error}`)
    if (m.type !== type) throw new Error(`${what}: '${m.type}' where '${type}' was expected`)
    return m as Extract<AppMessage, { type: T }>
  }

  async exit (): Promise<void> {
    try {
      await deadline(this.exited, 10_000, 'the app exiting')
    } catch {
      this.child.kill('SIGKILL')
      await this.exited
    }
  }
}

/** Runs `variant` once, logging into a fresh directory under `dir` (removed afterwards). */
export async function measure (variant: Variant, round: number, dir: string, settings: MeasureSettings): Promise<RunResult> {
  const sub = fs.mkdtempSync(path.join(dir, `${variant}-${round}-`))
  const file = path.join(sub, 'agent.log')
  const job: AppJob = { variant, file, rotateSize: settings.rotateSize, ...(variant === CLUSTER_VARIANT ? { workers: settings.workers } : {}) }
  const script = variant === CLUSTER_VARIANT ? settings.clusterJs : settings.appJs
  const app = new AppProcess(fork(script, [JSON.stringify(job)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: hostEnv(), execArgv: profiling(variant, round) }))
  try {
    const { port } = await app.next('listening', `${variant}: starting`)
    const load1 = { connections: settings.connections, seconds: settings.warmupSeconds }
    if (settings.warmupSeconds > 0) await load(port, load1)
    app.child.send({ type: 'start' })
    await app.next('started', `${variant}: start`)
    let measured = await load(port, settings)
    app.child.send({ type: 'stop' })
    const window = await app.next('window', `${variant}: stop`)
    let fixed: Window | undefined
    if (settings.fixedRate > 0 && variant !== CLUSTER_VARIANT) {
      app.child.send({ type: 'start' })
      await app.next('started', `${variant}: start at a fixed rate`)
      const atRate = await load(port, { connections: settings.connections, seconds: settings.fixedSeconds, rate: settings.fixedRate })
      if (atRate.failed > 0) measured = { ...measured, failed: measured.failed + atRate.failed }
      app.child.send({ type: 'stop' })
      fixed = await app.next('window', `${variant}: stop at a fixed rate`)
    }
    app.child.send({ type: 'close' })
    const closed = await app.next('closed', `${variant}: close`)
    await app.exit()
    const spec = specOf(variant, settings.rotateSize)
    const readback = readBack(file, closed.emitted, spec.rotates)
    const problems = readbackProblems(readback, spec.kind !== 'none')
    if (measured.failed > 0) problems.push(`${measured.failed} requests failed (errors, timeouts or non-2xx)`)
    if (spec.kind === 'oneapm' && readback.exists) {
      // This logger's own lines: whole, one startup record per process, one notice per rotation, nothing else.
      const processes = Object.keys(closed.emitted).length
      const scan = ownLinesAllowed(scanLog(file, TOKEN))
      // The ids were counted above: the scan's own count is passed as expected.
      problems.push(...scanProblems(scan, scan.records, processes))
      // Several processes check the size and append without a lock, so a shared file can outgrow the limit
      // by what the others append in between (documented): reported in the cluster table, not an anomaly.
      if (spec.maxSize > 0 && processes === 1 && scan.maxFileBytes > spec.maxSize) problems.push(`a file of ${scan.maxFileBytes} bytes, over log_max_size (${spec.maxSize})`)
    }
    return {
      variant,
      round,
      load: measured,
      window: { ...window },
      closed: { emitted: closed.emitted, requests: closed.requests, peakRssMb: closed.peakRssMb },
      readback,
      cpuUsPerRequest: window.requests > 0 ? window.cpuUs / window.requests : NaN,
      fixedCpuUsPerRequest: fixed !== undefined && fixed.requests > 0 ? fixed.cpuUs / fixed.requests : NaN,
      problems
    }
  } finally {
    if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL')
    fs.rmSync(sub, { recursive: true, force: true })
  }
}

/**
 * This logger's own notices at debug that are part of normal work: another
 * process rotated the shared file and this one followed it (the cluster).
 * Not anomalies; every other line that is not a record still is.
 */
export const OWN_DEBUG_EVENTS: readonly string[] = ['log_file_followed']

function ownLinesAllowed (scan: LogScan): LogScan {
  const otherEvents: Record<string, number> = {}
  let allowed = 0
  for (const [event, n] of Object.entries(scan.otherEvents)) {
    if (OWN_DEBUG_EVENTS.includes(event)) allowed += n
    else otherEvents[event] = n
  }
  const samples = scan.samples.filter((line) => !OWN_DEBUG_EVENTS.some((event) => line.includes(` event=${event}`)))
  return { ...scan, other: scan.other - allowed, otherEvents, samples }
}

/** The environment without ONEAPM_* and DEBUG, so the machine's settings don't change the app's logger. */
/** BENCH_HOST_PROFILE=<dir>: each app writes a V8 CPU profile there (`<variant>-<round>.cpuprofile`), to see where a variant's time goes. */
function profiling (variant: Variant, round: number): string[] {
  const dir = process.env.BENCH_HOST_PROFILE
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${variant}-${round}.cpuprofile`]
}

export function hostEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ONEAPM_') && k !== 'DEBUG' && !k.startsWith('NODE_TEST')) env[k] = v
  return env
}
