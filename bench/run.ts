// `npm run bench`: every (logger, workload, run) in its own worker process,
// one at a time; medians, a table on stdout, and docs/benchmarks.md.
//
// Environment: BENCH_RUNS (5), BENCH_RSS_RUNS (1), BENCH_RECORDS (200000),
// BENCH_WARMUP (20000), BENCH_DISABLED_CALLS (50000000),
// BENCH_RSS_RECORDS (1000000), BENCH_PEERS (comma-separated subset).

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PEERS, type PeerName } from './peers'
import type { Job, Result, Workload } from './worker'

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

const OURS = ['oneapm-text', 'oneapm-json'] as const

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
const anomalies: string[] = []
let failures = 0

async function measure (dir: string, peer: PeerName, workload: Workload, run: number): Promise<void> {
  const file = path.join(dir, `${peer}-${workload}-${run}.log`)
  const records = workload === 'debug' ? DISABLED_CALLS : workload === 'rss' ? RSS_RECORDS : RECORDS
  try {
    const r = await runWorker({ peer, workload, records, warmup: WARMUP, file })
    results.push(r)
    const detail = r.nsPerCall !== undefined ? `${r.nsPerCall.toFixed(2)} ns/call` : `${fmt(r.perSec)} rec/s` + (r.peakRssMb !== undefined ? `, peak RSS ${r.peakRssMb.toFixed(1)} MB` : '')
    process.stderr.write(`  ${workload.padEnd(5)} ${peer.padEnd(11)} run ${run}: ${detail}\n`)
    if (r.expected !== undefined && r.found !== r.expected) {
      anomalies.push(`${peer} ${workload} run ${run}: ${r.found ?? 0} records in the file, ${r.expected} expected (${r.found !== undefined && r.found < r.expected ? 'fewer' : 'more'})`)
    }
  } catch (err) {
    failures++
    anomalies.push(`${peer} ${workload} run ${run}: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    fs.rmSync(file, { force: true })
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
  const versions = ['oneapm-agent-log', 'pino', 'sonic-boom', 'winston', 'bunyan', 'log4js', 'debug'].map((n) => `${n} ${versionOf(n)}`).join(', ')
  const mark = (t: Target): string => t.pass === undefined ? 'n/a' : t.pass ? 'PASS' : 'FAIL'
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts); overwritten on every run.

- Date: ${new Date().toISOString()}
- Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}
- Node: ${process.version}
- Packages: ${versions}
- Runs: ${RUNS} per throughput workload (${RSS_RUNS} for peak RSS); medians shown; the suite took ${seconds.toFixed(0)} s

## Results

${table(rs)}

Ratios are to pino's median. Workload 3 is the median ns per disabled call (calls/s in brackets);
workload 5 is the median peak RSS over ${fmt(RSS_RECORDS)} records of workload 1 (records/s of that run in brackets).

## Targets

| target | rule | measured | result |
|---|---|---|---|
${ts.map((t) => `| ${t.name} | ${t.rule} | ${t.detail} | ${mark(t)} |`).join('\n')}

The disabled-call rule allows for timer noise at the nanosecond scale: it passes when our
median is within 10% of pino's or within 1 ns of it, whichever is looser.

## Anomalies

${anomalies.length === 0 ? 'None: every file held exactly the records logged (warm-up + timed).' : anomalies.map((a) => `- ${a}`).join('\n')}

## How to run

\`npm run bench\` builds (\`scripts/build.js --tests\` compiles bench/ into build/bench/) and runs
build/bench/run.js. Settings come from the environment: BENCH_RUNS (default 5), BENCH_RSS_RUNS (1),
BENCH_RECORDS (200000), BENCH_WARMUP (20000), BENCH_DISABLED_CALLS (50000000),
BENCH_RSS_RECORDS (1000000) and BENCH_PEERS (a comma-separated subset of ${PEERS.join(', ')}).
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

Throughput: ${fmt(WARMUP)} records of warm-up, a 50 ms pause, then ${fmt(RECORDS)} timed records. Every logger's
loop yields to the event loop (\`await new Promise(setImmediate)\`) every 1,000 records, so asynchronous
destinations can drain. The clock stops only when the logger has written and closed its file
(ours: \`flush()\` then \`await close()\`; pino: \`destination.end()\` and 'close'; winston, bunyan, debug: the
stream's 'finish'; log4js: \`shutdown()\`), so unwritten data earns no credit. Afterwards the worker counts the
records in the file (a text each record contains once) and any shortfall is listed under Anomalies.
`
}

async function main (): Promise<void> {
  const started = Date.now()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneapm-bench-'))
  try {
    workerJs = snapshot(dir)
    for (let run = 1; run <= RUNS; run++) {
      process.stderr.write(`run ${run}/${RUNS}\n`)
      for (const workload of ['info2', 'info5', 'error', 'debug'] as const) {
        for (const peer of peers) await measure(dir, peer, workload, run)
      }
    }
    for (let run = 1; run <= RSS_RUNS; run++) {
      process.stderr.write(`peak RSS, run ${run}/${RSS_RUNS}\n`)
      for (const peer of peers) await measure(dir, peer, 'rss', run)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const seconds = (Date.now() - started) / 1000
  const rs = rows()
  const ts = targets(rs)
  fs.mkdirSync(path.dirname(DOC), { recursive: true })
  fs.writeFileSync(DOC, report(rs, ts, seconds))

  process.stdout.write(`\n${table(rs)}\n\n`)
  for (const t of ts) process.stdout.write(`${t.pass === undefined ? 'n/a ' : t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.rule}; ${t.detail}\n`)
  process.stdout.write(anomalies.length === 0 ? '\nNo anomalies.\n' : `\nAnomalies:\n${anomalies.map((a) => `  ${a}`).join('\n')}\n`)
  process.stdout.write(`\n${seconds.toFixed(0)} s; wrote ${path.relative(process.cwd(), DOC)}\n`)
  if (failures > 0) process.exitCode = 1
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
