// The figures of `npm run bench:host`: medians over rounds, tables for
// stdout and docs/benchmarks.md, and the targets of issue 8 as PASS/FAIL.

import os from 'node:os'
import { BODY, DELAY_RESOLUTION_MS } from './app'
import type { RunResult } from './measure'
import { REQUIRED, type Required, type StartupRuns } from './startup'
import { APP_VARIANTS, CLUSTER_VARIANT, type Variant } from './variants'

export interface HostSettings {
  readonly rounds: number
  readonly seconds: number
  readonly warmupSeconds: number
  readonly connections: number
  readonly rotateSize: number
  readonly workers: number
  /** The CPU window's rate, req/s (0: not run), and its length. */
  readonly fixedRate: number
  readonly fixedSeconds: number
  readonly startupRuns: number
  readonly variants: readonly Variant[]
}

export function median (xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)
export const fmt = (n: number): string => Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'
const fix = (n: number, digits: number): string => Number.isFinite(n) ? n.toFixed(digits) : 'n/a'
const times = (a: number, b: number): string => Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a'

export interface Row {
  readonly variant: Variant
  readonly runs: number
  readonly perSec: number
  /** req/s ÷ `none`'s median req/s. */
  readonly ratio: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** The app's CPU per request under the closed loop, and at the fixed rate. */
  readonly appCpuUs: number
  readonly fixedAppCpuUs: number
  /** The fixed rate's CPU per request minus `none`'s: the logger's own cost (the closed loop's when no fixed rate ran). */
  readonly loggerCpuUs: number
  readonly loopP99Ms: number
  readonly loopMaxMs: number
  readonly peakRssMb: number
  /** Over all rounds. */
  readonly emitted: number
  readonly found: number
  readonly lost: number
  readonly duplicated: number
  readonly rotations: number
  /** The largest log or rotated file over all rounds, bytes. */
  readonly maxFileBytes: number
}

export function rows (results: readonly RunResult[], variants: readonly Variant[]): Row[] {
  const of = (v: Variant): RunResult[] => results.filter((r) => r.variant === v)
  const none = of('none')
  const nonePerSec = median(none.map((r) => r.load.perSec))
  const noneCpu = median(none.map((r) => r.cpuUsPerRequest))
  const noneFixed = median(none.map((r) => r.fixedCpuUsPerRequest))
  return variants.map((variant) => {
    const rs = of(variant)
    const perSec = median(rs.map((r) => r.load.perSec))
    const appCpuUs = median(rs.map((r) => r.cpuUsPerRequest))
    const fixedAppCpuUs = median(rs.map((r) => r.fixedCpuUsPerRequest))
    return {
      variant,
      runs: rs.length,
      perSec,
      ratio: perSec / nonePerSec,
      p50Ms: median(rs.map((r) => r.load.p50Ms)),
      p99Ms: median(rs.map((r) => r.load.p99Ms)),
      appCpuUs,
      fixedAppCpuUs,
      loggerCpuUs: Number.isFinite(fixedAppCpuUs) && Number.isFinite(noneFixed) ? fixedAppCpuUs - noneFixed : appCpuUs - noneCpu,
      loopP99Ms: median(rs.map((r) => r.window.loopDelayP99Ms)),
      loopMaxMs: median(rs.map((r) => r.window.loopDelayMaxMs)),
      peakRssMb: median(rs.map((r) => r.closed.peakRssMb)),
      emitted: sum(rs.map((r) => r.readback.emitted)),
      found: sum(rs.map((r) => r.readback.found)),
      lost: sum(rs.map((r) => r.readback.lost)),
      duplicated: sum(rs.map((r) => r.readback.duplicated + r.readback.unknown)),
      rotations: median(rs.map((r) => r.readback.rotated)),
      maxFileBytes: rs.length === 0 ? NaN : Math.max(...rs.map((r) => r.readback.maxFileBytes))
    }
  })
}

export function hostTable (rs: readonly Row[], fixedRate = 0): string {
  const at = fixedRate > 0 ? ` at ${fmt(fixedRate)} req/s` : ''
  const lines = [
    `| variant | req/s | × none | p50 / p99 latency, ms | app CPU, µs/req: closed loop${fixedRate > 0 ? ' / ' + at.slice(1) : ''} | logger CPU, µs/req${at} | event-loop delay p99 / max, ms | peak RSS, MB | records emitted / on disk | lost / duplicated |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|'
  ]
  for (const r of rs) {
    if (r.variant === CLUSTER_VARIANT) continue
    const logger = r.variant === 'none' ? '—' : fix(r.loggerCpuUs, 1)
    lines.push(`| ${r.variant} | ${fmt(r.perSec)} | ${times(r.ratio, 1)} | ${fix(r.p50Ms, 2)} / ${fix(r.p99Ms, 2)} | ${fix(r.appCpuUs, 1)}${fixedRate > 0 ? ` / ${fix(r.fixedAppCpuUs, 1)}` : ''} | ${logger} | ` +
      `${fix(r.loopP99Ms, 1)} / ${fix(r.loopMaxMs, 1)} | ${fix(r.peakRssMb, 0)} | ${fmt(r.emitted)} / ${fmt(r.found)} | ${r.runs > 0 ? `${r.lost} / ${r.duplicated}` : 'n/a'} |`)
  }
  return lines.join('\n')
}

export function clusterTable (rs: readonly Row[], s: HostSettings): string {
  const r = rs.find((x) => x.variant === CLUSTER_VARIANT)
  if (r === undefined) return '(cluster variant not run)'
  return [
    '| cluster | workers | log_max_size | req/s, all workers | × none (one process) | rotations per run | largest file, bytes (× log_max_size) | records emitted / on disk | lost / duplicated |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    `| oneapm at debug, one shared file | ${s.workers} | ${fmt(s.rotateSize)} B | ${fmt(r.perSec)} | ${times(r.ratio, 1)} | ${fmt(r.rotations)} | ` +
      `${fmt(r.maxFileBytes)} (${times(r.maxFileBytes, s.rotateSize)}) | ${fmt(r.emitted)} / ${fmt(r.found)} | ${r.runs > 0 ? `${r.lost} / ${r.duplicated}` : 'n/a'} |`
  ].join('\n')
}

export interface StartupRow { readonly name: Required, readonly ms: number, readonly rssMb: number }

export function startupRows (s: StartupRuns): StartupRow[] {
  return REQUIRED.map((name) => ({ name, ms: median(s.requireMs[name]), rssMb: median(s.requireRssMb[name]) }))
}

export function startupTable (s: StartupRuns, runs: number): string {
  const rs = startupRows(s)
  const pino = rs.find((r) => r.name === 'pino')
  const lines = [
    '| require() in a fresh process | time, ms | × pino | RSS after − before, MB | × pino |',
    '|---|--:|--:|--:|--:|'
  ]
  for (const r of rs) lines.push(`| ${r.name} | ${fix(r.ms, 1)} | ${times(r.ms, pino?.ms ?? NaN)} | ${fix(r.rssMb, 1)} | ${times(r.rssMb, pino?.rssMb ?? NaN)} |`)
  lines.push('')
  lines.push(`createLogger({ log_file }) to its first info record in the file: median ${fix(median(s.firstRecordMs), 2)} ms ` +
    `(createLogger() itself returns in ${fix(median(s.createMs), 2)} ms), ${s.firstRecordMs.length} of ${runs} runs. ` +
    `\`import()\` of dist/index.mjs: ${s.esm.ok ? `works (${fix(s.esm.ms, 1)} ms, once)` : `FAILED: ${s.esm.detail}`}.`)
  return lines.join('\n')
}

export interface Target { readonly name: string, readonly rule: string, readonly pass: boolean | undefined, readonly detail: string }

export function targets (rs: readonly Row[], startup: StartupRuns | undefined, results: readonly RunResult[]): Target[] {
  const row = (v: Variant): Row | undefined => rs.find((r) => r.variant === v && r.runs > 0)
  const out: Target[] = []
  const check = (name: string, rule: string, measured: boolean, pass: () => boolean, detail: () => string): void => {
    out.push(measured ? { name, rule, pass: pass(), detail: detail() } : { name, rule, pass: undefined, detail: 'not measured' })
  }
  const def = row('oneapm-default')
  const none = row('none')
  const pinoInfo = row('pino-info')
  const pinoDebug = row('pino-debug')
  const debug = row('oneapm-debug')
  check('host req/s, default config', '× none ≥ pino-info\'s × none', def !== undefined && pinoInfo !== undefined && none !== undefined,
    () => (def as Row).ratio >= (pinoInfo as Row).ratio, () => `${times((def as Row).ratio, 1)} vs ${times((pinoInfo as Row).ratio, 1)}`)
  check('host peak RSS, default config', '≤ none + 15 MB', def !== undefined && none !== undefined,
    () => (def as Row).peakRssMb <= (none as Row).peakRssMb + 15, () => `${fix((def as Row).peakRssMb, 0)} MB vs none ${fix((none as Row).peakRssMb, 0)} MB (+${fix((def as Row).peakRssMb - (none as Row).peakRssMb, 1)})`)
  check('logger CPU per request at debug', '≤ 0.33 × pino-debug\'s', debug !== undefined && pinoDebug !== undefined && none !== undefined,
    () => (debug as Row).loggerCpuUs <= 0.33 * (pinoDebug as Row).loggerCpuUs,
    () => `${fix((debug as Row).loggerCpuUs, 1)} µs vs ${fix((pinoDebug as Row).loggerCpuUs, 1)} µs (${times((debug as Row).loggerCpuUs, (pinoDebug as Row).loggerCpuUs)})`)
  const st = startup === undefined ? undefined : startupRows(startup)
  const ours = st?.find((r) => r.name === 'oneapm-agent-log')
  const pino = st?.find((r) => r.name === 'pino')
  const haveStartup = ours !== undefined && pino !== undefined && Number.isFinite(ours.ms) && Number.isFinite(pino.ms)
  check('require() time', '≤ 1.3 × pino', haveStartup, () => (ours as StartupRow).ms <= 1.3 * (pino as StartupRow).ms,
    () => `${fix((ours as StartupRow).ms, 1)} ms vs ${fix((pino as StartupRow).ms, 1)} ms (${times((ours as StartupRow).ms, (pino as StartupRow).ms)})`)
  check('require() RSS', '≤ 1.3 × pino', haveStartup, () => (ours as StartupRow).rssMb <= 1.3 * (pino as StartupRow).rssMb,
    () => `${fix((ours as StartupRow).rssMb, 1)} MB vs ${fix((pino as StartupRow).rssMb, 1)} MB (${times((ours as StartupRow).rssMb, (pino as StartupRow).rssMb)})`)
  const lost = sum(results.map((r) => r.readback.lost))
  const dup = sum(results.map((r) => r.readback.duplicated + r.readback.unknown))
  check('records lost or duplicated, every host run', '= 0', results.length > 0, () => lost === 0 && dup === 0,
    () => `${lost} lost, ${dup} duplicated or unknown, over ${results.length} runs`)
  return out
}

export const mark = (t: Target): string => t.pass === undefined ? 'n/a' : t.pass ? 'PASS' : 'FAIL'

export interface Meta {
  readonly load: readonly number[]
  readonly versions: string
  readonly seconds: number
}

/** The section of docs/benchmarks.md (without its markers). */
export function section (rs: readonly Row[], startup: StartupRuns | undefined, ts: readonly Target[], anomalies: readonly string[], s: HostSettings, meta: Meta): string {
  const cpus = os.cpus()
  const appVariants = s.variants.filter((v) => v !== CLUSTER_VARIANT)
  return `## Host-level benchmark

Generated by \`npm run bench:host\` (bench/host/run.ts); this section is rewritten on every run of it, and kept by \`npm run bench\`.
What an agent's users see: their own app's throughput, latency, CPU and memory with the agent's logger inside.

- Date: ${new Date().toISOString()}
- Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}
- Load average (1 min) at start and end: ${meta.load.map((l) => l.toFixed(2)).join(', ')}
- Node: ${process.version}
- Packages: ${meta.versions}
- Settings: ${s.rounds} round${s.rounds === 1 ? '' : 's'}; per variant and round a fresh app process, ${s.warmupSeconds} s of warm-up load, then ${s.seconds} s measured; autocannon with ${s.connections} connections, 1 request in flight each; rotation at ${fmt(s.rotateSize)} bytes; ${s.workers} cluster workers; ${s.startupRuns} start-up runs per figure. The run took ${fmt(meta.seconds)} s.

### The app under load

${hostTable(rs, s.fixedRate)}

The app (bench/host/app.ts) is a node:http server in a process of its own, on 127.0.0.1; autocannon runs in the
parent process and keeps ${s.connections} connections busy (closed loop: each sends its next request when the answer
comes), so req/s is what the app can serve on this machine, the load generator sharing the ${cpus.length} cores.
Every request makes the 5 \`debug\` calls an instrumented request makes (bench/host/instrument.ts: on
\`oneapm.instrumentation.http\`, \`oneapm.transaction\` and \`oneapm.shim\`; printf arguments, a number, a
boolean, and one fields object \`{ method, url, status }\`), then answers ${BODY.length} bytes of JSON.
Variants: ${appVariants.map((v) => `\`${v}\``).join(', ')}. \`none\` has no logger; \`oneapm-default\` is \`createLogger({ log_file })\`
(level info, flight recorder on at 1MB: the debug calls are kept in memory, not written); \`oneapm-recorder-off\` adds
\`log_flight_recorder: 0\` (the calls are dropped); \`oneapm-debug\` writes them (\`log_level: debug\`; the default rotation at 100MB, which a run can reach, every rotated file kept and read back); \`oneapm-debug-rotate\`
also rotates at ${fmt(s.rotateSize)} bytes (every rotated file kept, \`log_max_files: 0\`, so the check can count them);
\`pino-*\` is pino with \`pino.destination({ sync: false })\` (as in \`npm run bench\`) and child loggers; \`bunyan-debug\`
a bunyan file stream. The peers make the same calls with the same arguments. Round 1 runs every variant once,
then round 2, ..., the order rotating from round to round; figures are medians over rounds.

- **req/s**: requests completed per second of the measured run, as autocannon counts them; **× none**: against \`none\` in the same run.
- **p50 / p99 latency**: each answer's time as autocannon measures it (\`process.hrtime\`, from sending the request to the
  whole answer), in a histogram of microseconds (autocannon's own keeps whole milliseconds), in ms.
- **app CPU**: the app process's \`process.cpuUsage()\`, user + system, all its threads, over a window, ÷ the requests it
  answered in that window: first under the closed loop, then${s.fixedRate > 0 ? ` over ${s.fixedSeconds} s more at a fixed ${fmt(s.fixedRate)} req/s (autocannon's \`overallRate\`, below every variant's capacity)` : ' (no fixed-rate window in this run)'}.
  **logger CPU** is the fixed-rate figure minus \`none\`'s: what the logger adds to each request. Under a closed loop a
  slower app answers fewer requests per event-loop turn and pays more of the server's own per-turn cost (socket writes,
  epoll) on each, so there the difference mixes the logger's cost with the throughput it took; at one rate every variant
  serves the same load.
- **event-loop delay**: \`perf_hooks.monitorEventLoopDelay\` in the app over the window, p99 and max, less its ${DELAY_RESOLUTION_MS} ms
  sampling interval (which its samples include): how late a timer runs. A saturated server is busy by design, so compare
  the variants with each other.
- **peak RSS**: the app's VmHWM at the end (after its logger closed), else the highest sample (every 100 ms). It grows with
  the length of the run where a logger leaves garbage for the old generation (records the flight recorder kept, then pushed
  out), so it is a figure for ${s.warmupSeconds + s.seconds} s of load, not a ceiling.
- **records emitted / on disk**: emitted is counted by the app (5 per request at debug; none at info); on disk is the distinct
  ids found in the log (and its rotated files) after the app closed its logger. Each record carries an id
  (\`hostrec#<process>:<n>\`), so a record **lost** (emitted, not found) or **duplicated** (found twice, or an id never
  emitted) is counted; either is listed under Anomalies. Sums over rounds.

### Cluster: ${s.workers} workers, one rotating file

${clusterTable(rs, s)}

A node:cluster primary (bench/host/cluster.ts) and ${s.workers} workers, each the same app with this logger at debug,
\`log_max_size\` ${fmt(s.rotateSize)} bytes, \`log_max_files: 0\`, all on one log file; the primary hands out the connections.
Afterwards every record id of every worker must be in the log or a rotated file exactly once, every line whole, one
startup record per worker and one notice per rotation (the workers' \`log_file_followed\` debug lines, written when
another process rotated the file, are expected). The workers check the size before each write and append without a
lock, so a file can outgrow \`log_max_size\` by what the other worker appends in between: the largest file shows by how much.

### Start-up

${startup === undefined ? '(not run)' : startupTable(startup, s.startupRuns)}

Each figure in a fresh \`node\` process, ${s.startupRuns} runs, interleaved (one run of each, then the next round), medians.
require(): \`process.hrtime\` around \`require()\` of the built package (dist/index.js), pino and bunyan, and
\`process.memoryUsage.rss()\` after minus before. First record: \`createLogger({ log_file })\` (everything else default),
one \`info\` call, then a \`setImmediate\` loop reading the file until the record's text is there; the time from the
\`createLogger()\` call to that point.

### Targets (issue 8)

| target | rule | measured | result |
|---|---|---|---|
${ts.map((t) => `| ${t.name} | ${t.rule} | ${t.detail} | ${mark(t)} |`).join('\n')}

### Anomalies

${anomalies.length === 0 ? 'None: every record emitted was on disk exactly once, every request answered 200, every log whole.' : anomalies.map((a) => `- ${a}`).join('\n')}

### How to run

\`npm run bench:host\` builds (\`scripts/build.js --tests\`) and runs build/bench/host/run.js from a copy of build/ and dist/
made in a temporary directory. Settings from the environment: BENCH_HOST_ROUNDS (3), BENCH_HOST_SECONDS (6),
BENCH_HOST_WARMUP (1, seconds), BENCH_HOST_CONNECTIONS (10), BENCH_HOST_ROTATE_SIZE (bytes, 1048576), BENCH_HOST_WORKERS (2),
BENCH_HOST_STARTUP_RUNS (15; 0 skips), BENCH_HOST_VARIANTS (a comma-separated subset of ${[...APP_VARIANTS, CLUSTER_VARIANT].join(', ')}),
BENCH_HOST_DOC (the file to write this section into, docs/benchmarks.md; \`none\` writes nothing).
It exits non-zero when there is an anomaly.`
}
