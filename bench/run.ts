// `npm run bench`: every (logger, workload, run) in its own worker process,
// one at a time; medians, a table on stdout, and docs/benchmarks.md.
//
// Environment: BENCH_RUNS (5), BENCH_RSS_RUNS (1), BENCH_RECORDS (200000),
// BENCH_WARMUP (20000), BENCH_DISABLED_CALLS (50000000),
// BENCH_RSS_RECORDS (1000000), BENCH_PEERS (comma-separated subset),
// BENCH_ROTATE_RECORDS (1000000), BENCH_ROTATE_SIZE (bytes, 1048576),
// BENCH_MULTI_RUNS (3), BENCH_MULTI_WRITERS (8), BENCH_MULTI_RECORDS (250000
// per writer), BENCH_WORKLOADS (comma-separated subset of WORKLOADS).

import { fork, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { scanLog, scanProblems, type LogScan } from './logfiles'
import { MARKERS, PEERS, type ExtraSettings, type PeerName } from './peers'
import type { Job, Result, Workload } from './worker'
import type { WriterJob, WriterMessage } from './writer'

const ROOT = path.resolve(__dirname, '..', '..')
const DOC = path.join(ROOT, 'docs', 'benchmarks.md')

function envInt (name: string, fallback: number): number {
  const n = Number(process.env[name])
  return Number.isInteger(n) && n > 0 ? n : fallback
}

const RUNS = envInt('BENCH_RUNS', 5)
const RSS_RUNS = envInt('BENCH_RSS_RUNS', 1)
const RECORDS = envInt('BENCH_RECORDS', 200_000)
const WARMUP = envInt('BENCH_WARMUP', 20_000)
const DISABLED_CALLS = envInt('BENCH_DISABLED_CALLS', 50_000_000)
const RSS_RECORDS = envInt('BENCH_RSS_RECORDS', 1_000_000)
const ONLY = process.env.BENCH_PEERS?.split(',').map((s) => s.trim())
const peers: readonly PeerName[] = PEERS.filter((p) => ONLY === undefined || ONLY.includes(p))
const ROTATE_RECORDS = envInt('BENCH_ROTATE_RECORDS', 1_000_000)
const ROTATE_SIZE = envInt('BENCH_ROTATE_SIZE', 1024 * 1024)
const MULTI_RUNS = envInt('BENCH_MULTI_RUNS', 3)
const MULTI_WRITERS = envInt('BENCH_MULTI_WRITERS', 8)
const MULTI_RECORDS = envInt('BENCH_MULTI_RECORDS', 250_000)

/** Workload groups BENCH_WORKLOADS may name: the five of every logger, then 6 (rotate) and 7 (multi), this logger's only. */
const WORKLOADS = ['info2', 'info5', 'error', 'debug', 'rss', 'rotate', 'multi'] as const
const ONLY_WORKLOADS = process.env.BENCH_WORKLOADS?.split(',').map((s) => s.trim())
const wanted = (w: typeof WORKLOADS[number]): boolean => ONLY_WORKLOADS === undefined || ONLY_WORKLOADS.includes(w)

const OURS = ['oneapm-text', 'oneapm-json'] as const
/** The logger the rotation workloads (6, 7) measure. */
const ROTATION_PEER = 'oneapm-text'
const rotationMeasured = peers.includes(ROTATION_PEER)

/** Rotation by size only, every rotated file kept (retention never deletes), nothing compressed; 0: never rotate. */
function rotationSettings (maxSize: number): ExtraSettings {
  return { log_max_size: String(maxSize), log_max_files: '0', log_compress: 'false', log_rotate: 'none' }
}

/**
 * Copies the compiled bench/ and src/ into `dir`, so that a rebuild of build/
 * during the suite (npm test removes it) changes nothing under the workers.
 * Returns the copy of worker.js.
 */
function snapshot (dir: string): string {
  const app = path.join(dir, 'app')
  for (const sub of ['bench', 'src']) fs.cpSync(path.join(__dirname, '..', sub), path.join(app, 'build', sub), { recursive: true })
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'))
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir')
  return path.join(app, 'build', 'bench', 'worker.js')
}

let workerJs = path.join(__dirname, 'worker.js')
let writerJs = path.join(__dirname, 'writer.js')

function runWorker (job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [workerJs, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
    child.on('error', reject)
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? ''
      if (code !== 0 || last === '') reject(new Error(`${job.peer} ${job.workload}: worker exited with ${code}`))
      else resolve(JSON.parse(last) as Result)
    })
  })
}

function median (xs: readonly number[]): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

const results: Result[] = []
/** 1-minute load average when the suite started and ended: other work on the machine shows here. */
const load: number[] = []
const anomalies: string[] = []
let failures = 0

async function measure (dir: string, peer: PeerName, workload: Workload, run: number): Promise<void> {
  const rotation = workload === 'rotate-off' || workload === 'rotate-on'
  // A log that rotates (this logger's does at 100MB by default) leaves files next to it: each run gets a directory of its own.
  const sub = fs.mkdtempSync(path.join(dir, `${peer}-${workload}-${run}-`))
  const file = path.join(sub, rotation ? 'agent.log' : `${peer}-${workload}-${run}.log`)
  const records = workload === 'debug' ? DISABLED_CALLS : workload === 'rss' ? RSS_RECORDS : rotation ? ROTATE_RECORDS : RECORDS
  const settings = rotation ? { settings: rotationSettings(workload === 'rotate-on' ? ROTATE_SIZE : 0) } : {}
  try {
    const r = await runWorker({ peer, workload, records, warmup: WARMUP, file, ...settings })
    results.push(r)
    const detail = r.nsPerCall !== undefined
      ? `${r.nsPerCall.toFixed(2)} ns/call`
      : `${fmt(r.perSec)} rec/s` + (r.peakRssMb !== undefined ? `, peak RSS ${r.peakRssMb.toFixed(1)} MB` : '') +
        (r.scan !== undefined ? `, ${r.scan.rotated} rotations, largest file ${fmt(r.scan.maxFileBytes)} B` : '')
    process.stderr.write(`  ${workload.padEnd(5)} ${peer.padEnd(11)} run ${run}: ${detail}\n`)
    if (r.problems !== undefined) {
      if (r.problems.length > 0) anomalies.push(`${peer} ${workload} run ${run}: ${r.problems.join('; ')}`)
      if (workload === 'rotate-on' && r.scan !== undefined && r.scan.maxFileBytes > ROTATE_SIZE) {
        anomalies.push(`${peer} ${workload} run ${run}: a file of ${fmt(r.scan.maxFileBytes)} bytes, over log_max_size (${fmt(ROTATE_SIZE)})`)
      }
    } else if (r.expected !== undefined && r.found !== r.expected) {
      anomalies.push(`${peer} ${workload} run ${run}: ${r.found ?? 0} records in the file, ${r.expected} expected (${r.found !== undefined && r.found < r.expected ? 'fewer' : 'more'})`)
    }
  } catch (err) {
    failures++
    anomalies.push(`${peer} ${workload} run ${run}: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    fs.rmSync(sub, { recursive: true, force: true })
  }
}

/** One run of workload 7: MULTI_WRITERS processes appending to one log. */
interface MultiResult {
  readonly maxSize: number
  readonly run: number
  /** Timed records, all writers together. */
  readonly records: number
  /** From 'go' to the last writer's close. */
  readonly elapsedMs: number
  readonly perSec: number
  /** From 'go' to the last writer's exit, as the parent saw it. */
  readonly exitedMs: number
  /** Each writer's own records/s, from its start to its close. */
  readonly perWriter: readonly number[]
  readonly scan: LogScan
}

const multiResults: MultiResult[] = []
const now = (): number => Number(process.hrtime.bigint()) / 1e6

interface Writer {
  readonly child: ChildProcess
  readonly ready: Promise<void>
  readonly done: Promise<{ startMs: number, endMs: number }>
  /** When the process exited (parent's clock); resolves once its IPC channel is closed too. */
  readonly closed: Promise<number>
}

function startWriter (job: WriterJob): Writer {
  const child = fork(writerJs, [JSON.stringify(job)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  let exitedAt = NaN
  child.on('exit', () => { exitedAt = now() })
  // 'close' comes after the exit and after the IPC channel is drained: a 'done' not seen by then never comes.
  const closed = new Promise<number>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => { code === 0 ? resolve(exitedAt) : reject(new Error(`writer ${child.pid ?? '?'} exited with ${code ?? signal ?? '?'}`)) })
  })
  const message = <T extends WriterMessage['type']>(type: T): Promise<Extract<WriterMessage, { type: T }>> => Promise.race([
    new Promise<Extract<WriterMessage, { type: T }>>((resolve) => {
      child.on('message', (m: WriterMessage) => { if (m.type === type) resolve(m as Extract<WriterMessage, { type: T }>) })
    }),
    closed.then(() => { throw new Error(`writer ${child.pid ?? '?'} exited before '${type}'`) })
  ])
  const ready = message('ready').then(() => undefined)
  const done = message('done')
  // Rejections are awaited below; these keep an early failure from being reported as unhandled.
  ready.catch(() => {})
  done.catch(() => {})
  closed.catch(() => {})
  return { child, ready, done, closed }
}

function deadline<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what}: no answer after ${ms / 1000} s`)) }, ms) })
  return Promise.race([p, late]).finally(() => { clearTimeout(timer) })
}

/**
 * Workload 7: MULTI_WRITERS processes, each with its own logger on one shared
 * file, write MULTI_RECORDS records of workload 1 each, at once. The clock
 * starts when the parent says 'go' (every writer has made its logger and
 * written its warm-up) and stops at the last writer's close.
 */
async function multi (dir: string, maxSize: number, run: number): Promise<void> {
  const label = maxSize > 0 ? 'rotate-on' : 'rotate-off'
  const sub = fs.mkdtempSync(path.join(dir, `multi-${label}-${run}-`))
  const file = path.join(sub, 'agent.log')
  const job: WriterJob = { file, warmup: WARMUP, records: MULTI_RECORDS, settings: rotationSettings(maxSize) }
  const writers: Writer[] = []
  try {
    for (let i = 0; i < MULTI_WRITERS; i++) writers.push(startWriter(job))
    await deadline(Promise.all(writers.map((w) => w.ready)), 120_000, 'writers starting')
    const go = now()
    for (const w of writers) w.child.send('go')
    const done = await deadline(Promise.all(writers.map((w) => w.done)), 600_000, 'writers writing')
    const exited = await deadline(Promise.all(writers.map((w) => w.closed)), 60_000, 'writers exiting')
    const elapsedMs = Math.max(...done.map((d) => d.endMs)) - go
    const records = MULTI_WRITERS * MULTI_RECORDS
    const scan = scanLog(file, MARKERS.info2)
    const r: MultiResult = {
      maxSize,
      run,
      records,
      elapsedMs,
      perSec: records / elapsedMs * 1000,
      exitedMs: Math.max(...exited) - go,
      perWriter: done.map((d) => MULTI_RECORDS / (d.endMs - d.startMs) * 1000),
      scan
    }
    multiResults.push(r)
    process.stderr.write(`  multi ${label.padEnd(10)} run ${run}: ${fmt(r.perSec)} rec/s in all (${MULTI_WRITERS} writers, ${fmt(records)} records in ${(elapsedMs / 1000).toFixed(2)} s; all exited at ${(r.exitedMs / 1000).toFixed(2)} s), ` +
      `${scan.rotated} rotations, largest file ${fmt(scan.maxFileBytes)} B\n`)
    const problems = scanProblems(scan, MULTI_WRITERS * (WARMUP + MULTI_RECORDS), MULTI_WRITERS)
    if (problems.length > 0) anomalies.push(`${MULTI_WRITERS} writers ${label} run ${run}: ${problems.join('; ')}`)
    if (maxSize > 0 && scan.maxFileBytes > maxSize) {
      anomalies.push(`${MULTI_WRITERS} writers ${label} run ${run}: largest file ${fmt(scan.maxFileBytes)} bytes, ${(scan.maxFileBytes / maxSize).toFixed(3)} × log_max_size (${fmt(maxSize)})`)
    }
  } catch (err) {
    failures++
    anomalies.push(`${MULTI_WRITERS} writers ${label} run ${run}: ${err instanceof Error ? err.message : String(err)}`)
    for (const w of writers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL')
    await Promise.allSettled(writers.map((w) => w.closed))
  } finally {
    fs.rmSync(sub, { recursive: true, force: true })
  }
}

function stat (peer: string, workload: Workload, pick: (r: Result) => number | undefined): number {
  return median(results.filter((r) => r.peer === peer && r.workload === workload).map(pick).filter((x): x is number => x !== undefined))
}

const fmt = (n: number): string => Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'
const ratio = (a: number, b: number): string => Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a'

interface Row { peer: string, info2: number, info5: number, error: number, ns: number, rss: number, rssRate: number }

function rows (): Row[] {
  return peers.map((peer) => ({
    peer,
    info2: stat(peer, 'info2', (r) => r.perSec),
    info5: stat(peer, 'info5', (r) => r.perSec),
    error: stat(peer, 'error', (r) => r.perSec),
    ns: stat(peer, 'debug', (r) => r.nsPerCall),
    rss: stat(peer, 'rss', (r) => r.peakRssMb),
    rssRate: stat(peer, 'rss', (r) => r.perSec)
  }))
}

function table (rs: readonly Row[]): string {
  const pino = rs.find((r) => r.peer === 'pino')
  const vs = (v: number, p: number | undefined): string => `${fmt(v)} (${ratio(v, p ?? NaN)})`
  const lines = [
    '| logger | 1. info printf, rec/s (×pino) | 2. info 5 fields, rec/s (×pino) | 4. error + Error, rec/s (×pino) | 3. disabled debug, ns/call (calls/s) | 5. peak RSS, MB (rec/s) |',
    '|---|--:|--:|--:|--:|--:|'
  ]
  for (const r of rs) {
    const ns = Number.isFinite(r.ns) ? `${r.ns.toFixed(2)} (${fmt(1e9 / r.ns)})` : 'n/a'
    const rss = Number.isFinite(r.rss) ? `${r.rss.toFixed(1)} (${fmt(r.rssRate)})` : 'n/a'
    lines.push(`| ${r.peer} | ${vs(r.info2, pino?.info2)} | ${vs(r.info5, pino?.info5)} | ${vs(r.error, pino?.error)} | ${ns} | ${rss} |`)
  }
  return lines.join('\n')
}

const bytes = (n: number): string => n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${fmt(n)} B`
const max = (xs: readonly number[]): number => xs.length === 0 ? NaN : Math.max(...xs)

/** Workload 6: the medians of the plain and rotating runs, and what rotation costs. */
interface RotationRow { readonly off: number, readonly on: number, readonly rotations: number, readonly largestOn: number, readonly largestOff: number, readonly usPerRotation: number }

function rotationRow (): RotationRow {
  const pick = (w: Workload): Result[] => results.filter((r) => r.peer === ROTATION_PEER && r.workload === w)
  const off = median(pick('rotate-off').map((r) => r.perSec))
  const on = median(pick('rotate-on').map((r) => r.perSec))
  const rotations = median(pick('rotate-on').map((r) => r.scan?.rotated ?? NaN))
  // Extra time per run over the plain sink, spread over that run's rotations.
  const usPerRotation = (ROTATE_RECORDS / on - ROTATE_RECORDS / off) * 1e6 / rotations
  return {
    off, on, rotations, usPerRotation,
    largestOn: max(pick('rotate-on').map((r) => r.scan?.maxFileBytes ?? NaN)),
    largestOff: max(pick('rotate-off').map((r) => r.scan?.maxFileBytes ?? NaN))
  }
}

function rotationTable (row: RotationRow): string {
  const size = (n: number, limit: number): string => Number.isFinite(n) ? `${fmt(n)}${limit > 0 ? ` (${(n / limit).toFixed(3)}×)` : ''}` : 'n/a'
  return [
    '| 6. one process, workload 1 | log_max_size | records/s | × plain | rotations per run | largest file, bytes (× log_max_size) |',
    '|---|--:|--:|--:|--:|--:|',
    `| plain file sink | 0 (none) | ${fmt(row.off)} | ${ratio(row.off, row.off)} | ${Number.isFinite(row.off) ? 0 : 'n/a'} | ${size(row.largestOff, 0)} |`,
    `| rotating | ${bytes(ROTATE_SIZE)} | ${fmt(row.on)} | ${ratio(row.on, row.off)} | ${fmt(row.rotations)} | ${size(row.largestOn, ROTATE_SIZE)} |`
  ].join('\n')
}

function multiTable (): string {
  const lines = [
    `| 7. ${MULTI_WRITERS} processes, one file | log_max_size | records/s, all writers (2 cores) | × plain | per writer, records/s | until all exited, s | rotations per run | largest file, bytes (× log_max_size) |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|'
  ]
  const plain = median(multiResults.filter((r) => r.maxSize === 0).map((r) => r.perSec))
  for (const maxSize of [0, ROTATE_SIZE]) {
    const rs = multiResults.filter((r) => r.maxSize === maxSize)
    const agg = median(rs.map((r) => r.perSec))
    const largest = max(rs.map((r) => r.scan.maxFileBytes))
    lines.push(`| ${maxSize === 0 ? 'plain file sink' : 'rotating'} | ${maxSize === 0 ? '0 (none)' : bytes(maxSize)} | ${fmt(agg)} | ${ratio(agg, plain)} | ` +
      `${fmt(median(rs.flatMap((r) => r.perWriter)))} | ${Number.isFinite(median(rs.map((r) => r.exitedMs))) ? (median(rs.map((r) => r.exitedMs)) / 1000).toFixed(2) : 'n/a'} | ` +
      `${fmt(median(rs.map((r) => r.scan.rotated)))} | ${Number.isFinite(largest) ? fmt(largest) + (maxSize > 0 ? ` (${(largest / maxSize).toFixed(3)}×)` : '') : 'n/a'} |`)
  }
  return lines.join('\n')
}

interface Target { name: string, rule: string, pass: boolean | undefined, detail: string }

function targets (rs: readonly Row[]): Target[] {
  const pino = rs.find((r) => r.peer === 'pino')
  const out: Target[] = []
  const check = (name: string, rule: string, ok: (o: Row, p: Row) => boolean, detail: (o: Row, p: Row) => string): void => {
    for (const peer of OURS) {
      const o = rs.find((r) => r.peer === peer)
      if (o === undefined || pino === undefined) {
        out.push({ name: `${name} (${peer})`, rule, pass: undefined, detail: 'not measured' })
        continue
      }
      out.push({ name: `${name} (${peer})`, rule, pass: ok(o, pino), detail: detail(o, pino) })
    }
  }
  check('1. info printf', 'records/s ≥ 2 × pino', (o, p) => o.info2 >= 2 * p.info2, (o, p) => ratio(o.info2, p.info2))
  check('2. info 5 fields', 'records/s ≥ 2 × pino', (o, p) => o.info5 >= 2 * p.info5, (o, p) => ratio(o.info5, p.info5))
  check('4. error', 'records/s ≥ pino', (o, p) => o.error >= p.error, (o, p) => ratio(o.error, p.error))
  check('3. disabled debug', 'ns/call ≤ max(pino × 1.10, pino + 1 ns)', (o, p) => o.ns <= Math.max(p.ns * 1.1, p.ns + 1),
    (o, p) => `${o.ns.toFixed(2)} ns vs ${p.ns.toFixed(2)} ns`)
  check('5. peak RSS', 'MB ≤ pino + 10 MB', (o, p) => o.rss <= p.rss + 10, (o, p) => `${o.rss.toFixed(1)} MB vs ${p.rss.toFixed(1)} MB`)
  const rot = rotationRow()
  const measured = Number.isFinite(rot.on / rot.off)
  out.push({
    name: `6. rotation on (${ROTATION_PEER})`,
    rule: 'records/s ≥ 0.90 × plain file sink',
    pass: measured ? rot.on >= 0.9 * rot.off : undefined,
    detail: measured ? `${ratio(rot.on, rot.off)} (${fmt(rot.on)} vs ${fmt(rot.off)} rec/s)` : 'not measured'
  })
  return out
}

function versionOf (name: string): string {
  try {
    const file = name === 'oneapm-agent-log' ? path.join(ROOT, 'package.json') : require.resolve(`${name}/package.json`)
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

function report (rs: readonly Row[], ts: readonly Target[], seconds: number): string {
  const cpus = os.cpus()
  const rot = rotationRow()
  const versions = ['oneapm-agent-log', 'pino', 'sonic-boom', 'winston', 'bunyan', 'log4js', 'debug'].map((n) => `${n} ${versionOf(n)}`).join(', ')
  const mark = (t: Target): string => t.pass === undefined ? 'n/a' : t.pass ? 'PASS' : 'FAIL'
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts); overwritten on every run.

- Date: ${new Date().toISOString()}
- Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}
- Load average (1 min) at start and end: ${load.map((l) => l.toFixed(2)).join(', ')}
- Node: ${process.version}
- Packages: ${versions}
- Runs: ${RUNS} per throughput workload (${RSS_RUNS} for peak RSS, ${MULTI_RUNS} for ${MULTI_WRITERS} processes); medians shown; the suite took ${seconds.toFixed(0)} s

## Results

${table(rs)}

Ratios are to pino's median. Workload 3 is the median ns per disabled call (calls/s in brackets);
workload 5 is the median peak RSS over ${fmt(RSS_RECORDS)} records of workload 1 (records/s of that run in brackets).

## Rotation

Workload 1 in text format, this logger only, with rotation by size: \`log_max_size\` ${bytes(ROTATE_SIZE)}
(${fmt(ROTATE_SIZE)} bytes), \`log_max_files: 0\` (every rotated file kept, so retention never deletes),
\`log_compress: false\`, \`log_rotate: none\`, production rotation timing (no hooks). The plain file sink is
the same logger with \`log_max_size: 0\`, which never rotates (the default, 100MB, checks the size before
each write: workloads 1 to 5 run with it).

${rotationTable(rot)}

${fmt(ROTATE_RECORDS)} timed records per run after ${fmt(WARMUP)} of warm-up, medians of ${RUNS} runs; the largest file is
the largest over all runs. From the medians, rotating costs about ${Number.isFinite(rot.usPerRotation) ? fmt(rot.usPerRotation) : 'n/a'} µs per rotation
((1/rotating − 1/plain) × records ÷ rotations), the size check one fstat per write of up to 64 KiB included.

${multiTable()}

**This machine has ${cpus.length} cores**: the ${MULTI_WRITERS} writers share them, so the aggregate is what ${cpus.length} cores
do, not ${MULTI_WRITERS}; per writer is each process's own rate, from its start to its close, while it competes.
Each writer wrote ${fmt(WARMUP)} records of warm-up before the start signal and ${fmt(MULTI_RECORDS)} after it
(${fmt(MULTI_WRITERS * MULTI_RECORDS)} timed in all); medians of ${MULTI_RUNS} runs; the largest file is the largest over all
runs. Writers check the size before each write and append without a lock, so with many writers a
file can outgrow \`log_max_size\` by what others append between one writer's check and its write;
a file over the limit is listed under Anomalies.

## Targets

| target | rule | measured | result |
|---|---|---|---|
${ts.map((t) => `| ${t.name} | ${t.rule} | ${t.detail} | ${mark(t)} |`).join('\n')}

The disabled-call rule allows for timer noise at the nanosecond scale: it passes when our
median is within 10% of pino's or within 1 ns of it, whichever is looser.

## Anomalies

${anomalies.length === 0 ? 'None: every file held exactly the records logged (warm-up + timed); in workloads 6 and 7, every line of the log and its rotated files was whole, and no file outgrew log_max_size.' : anomalies.map((a) => `- ${a}`).join('\n')}

## How to run

\`npm run bench\` builds (\`scripts/build.js --tests\` compiles bench/ into build/bench/) and runs
build/bench/run.js. Settings come from the environment: BENCH_RUNS (default 5), BENCH_RSS_RUNS (1),
BENCH_RECORDS (200000), BENCH_WARMUP (20000), BENCH_DISABLED_CALLS (50000000),
BENCH_RSS_RECORDS (1000000), BENCH_PEERS (a comma-separated subset of ${PEERS.join(', ')}),
BENCH_ROTATE_RECORDS (1000000), BENCH_ROTATE_SIZE (bytes, 1048576), BENCH_MULTI_RUNS (3),
BENCH_MULTI_WRITERS (8), BENCH_MULTI_RECORDS (250000 per writer) and BENCH_WORKLOADS (a comma-separated
subset of ${WORKLOADS.join(', ')}; rotate and multi run when ${ROTATION_PEER} is among the peers).
The workers run from a copy of build/bench and build/src made in the temporary directory at start,
so a rebuild of build/ during the suite (\`npm test\`) cannot pull files from under it.
One worker: \`node build/bench/worker.js '{"peer":"pino","workload":"info2","records":200000,"warmup":20000,"file":"/tmp/x.log"}'\`.

## What is measured

Each (logger, workload, run) is a fresh process (bench/worker.ts), run one at a time; runs are
interleaved across loggers. Every logger writes to a file in a temporary directory that is removed
afterwards: this logger with \`createLogger({ log_file, log_format: 'text' | 'json', log_level: 'info' }, { global: false })\`,
pino with \`pino.destination({ dest, sync: false })\` (sonic-boom, asynchronous), winston with its File
transport (errors, splat, timestamp, json formats), bunyan with a file stream, log4js with its file
appender, debug with \`log\` writing \`util.format(...)\` lines to an fs write stream. The calls are in bench/peers.ts.

1. \`info('request %s took %d ms', '/api/v1/users', 42)\` (winston: \`format.splat()\`; debug: its own %s/%d).
2. \`info({ method, url, status, duration, user }, 'request done')\` (winston: fields as meta; log4js: the
   object after the message, printed by util.format; debug: \`%o\`).
3. \`debug('x %s', arg)\` at level info, i.e. disabled: ${fmt(100_000)} calls of warm-up, then up to ${fmt(DISABLED_CALLS)} calls
   (a logger whose calls take longer than 1 s in all stops early, at the next 100,000), the argument cycling through four strings so the call cannot be folded away.
   Loop overhead is included for every logger alike.
4. \`error(err, 'request failed')\` with one \`new Error('boom')\` made before the loop (winston and log4js:
   \`error('request failed', err)\`; debug: \`%o\`). This logger writes error records synchronously by design.
5. Peak RSS: workload 1 for ${fmt(RSS_RECORDS)} records, \`process.memoryUsage().rss\` sampled every 10,000
   records and once more after the logger is closed; the highest sample.
6. Rotation, this logger (text) only: workload 1 for ${fmt(ROTATE_RECORDS)} records into a log that rotates at
   ${bytes(ROTATE_SIZE)}, against the same into a plain file (\`log_max_size: 0\`), in the same loop as workloads 1 to 4
   (runs interleaved with them, the two orders alternating). The worker then reads the log and every rotated file
   back (bench/logfiles.ts): each record must be there once, each line whole (begins with a timestamp, ends with a
   newline); the only other lines allowed are the startup record and one notice per rotation.
7. ${MULTI_WRITERS} processes (bench/writer.ts, forked by run.ts) with a logger each on one shared file, rotating at
   ${bytes(ROTATE_SIZE)} or not at all. Each makes its logger and writes its warm-up, then says it is ready; the parent
   says 'go' to all at once and each writes ${fmt(MULTI_RECORDS)} records, flushes, closes and reports when it finished
   (\`process.hrtime\`, one monotonic clock for every process on Linux). Records/s in all is
   ${MULTI_WRITERS} × ${fmt(MULTI_RECORDS)} over the time from 'go' to the last close, so process start-up is not
   counted; "until all exited" is 'go' to the last exit as the parent saw it. The parent then reads every file back
   as in 6 (one startup record per process).

Throughput: ${fmt(WARMUP)} records of warm-up, a 50 ms pause, then ${fmt(RECORDS)} timed records. Every logger's
loop yields to the event loop (\`await new Promise(setImmediate)\`) every 1,000 records, so asynchronous
destinations can drain. The clock stops only when the logger has written and closed its file
(ours: \`flush()\` then \`await close()\`; pino: \`destination.end()\` and 'close'; winston, bunyan, debug: the
stream's 'finish'; log4js: \`shutdown()\`), so unwritten data earns no credit. Afterwards the worker counts the
records in the file (a text each record contains once) and any shortfall is listed under Anomalies. Workloads 1 to 5
run this logger with its default rotation settings: it checks the file's size before each write and rotates at
100MB, which workload 4 (about 140MB) passes once; the records in the rotated file are counted too.
`
}

async function main (): Promise<void> {
  const started = Date.now()
  load.push(os.loadavg()[0] ?? NaN)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneapm-bench-'))
  try {
    workerJs = snapshot(dir)
    writerJs = path.join(path.dirname(workerJs), 'writer.js')
    for (let run = 1; run <= RUNS; run++) {
      process.stderr.write(`run ${run}/${RUNS}\n`)
      for (const workload of ['info2', 'info5', 'error', 'debug'] as const) {
        if (!wanted(workload)) continue
        for (const peer of peers) await measure(dir, peer, workload, run)
      }
      if (wanted('rotate') && rotationMeasured) {
        const order = run % 2 === 1 ? ['rotate-off', 'rotate-on'] as const : ['rotate-on', 'rotate-off'] as const
        for (const workload of order) await measure(dir, ROTATION_PEER, workload, run)
      }
    }
    for (let run = 1; run <= RSS_RUNS && wanted('rss'); run++) {
      process.stderr.write(`peak RSS, run ${run}/${RSS_RUNS}\n`)
      for (const peer of peers) await measure(dir, peer, 'rss', run)
    }
    for (let run = 1; run <= MULTI_RUNS && wanted('multi') && rotationMeasured; run++) {
      process.stderr.write(`${MULTI_WRITERS} processes, run ${run}/${MULTI_RUNS}\n`)
      for (const maxSize of run % 2 === 1 ? [0, ROTATE_SIZE] : [ROTATE_SIZE, 0]) await multi(dir, maxSize, run)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const seconds = (Date.now() - started) / 1000
  load.push(os.loadavg()[0] ?? NaN)
  const rs = rows()
  const ts = targets(rs)
  fs.mkdirSync(path.dirname(DOC), { recursive: true })
  fs.writeFileSync(DOC, report(rs, ts, seconds))

  process.stdout.write(`\n${table(rs)}\n\n${rotationTable(rotationRow())}\n\n${multiTable()}\n\n`)
  for (const t of ts) process.stdout.write(`${t.pass === undefined ? 'n/a ' : t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.rule}; ${t.detail}\n`)
  process.stdout.write(anomalies.length === 0 ? '\nNo anomalies.\n' : `\nAnomalies:\n${anomalies.map((a) => `  ${a}`).join('\n')}\n`)
  process.stdout.write(`\n${seconds.toFixed(0)} s; wrote ${path.relative(process.cwd(), DOC)}\n`)
  if (failures > 0) process.exitCode = 1
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
