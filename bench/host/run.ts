// `npm run bench:host`: the host-level benchmark of issue 8. A node:http app
// with the agent's logger inside, under autocannon, one variant per process,
// in interleaved rounds; a cluster variant on one rotating file; start-up
// figures. A table on stdout and a section of docs/benchmarks.md.
//
// Environment: BENCH_HOST_ROUNDS (3), BENCH_HOST_SECONDS (6), BENCH_HOST_WARMUP
// (1), BENCH_HOST_CONNECTIONS (10), BENCH_HOST_ROTATE_SIZE (1048576),
// BENCH_HOST_WORKERS (2), BENCH_HOST_RATE (5000 req/s for the CPU window; 0
// skips it), BENCH_HOST_RATE_SECONDS (3), BENCH_HOST_STARTUP_RUNS (15; 0 skips),
// BENCH_HOST_VARIANTS (comma-separated subset of VARIANTS), BENCH_HOST_DOC
// (docs/benchmarks.md; 'none' writes nothing), BENCH_HOST_PROFILE (a directory:
// each app process writes a V8 CPU profile there).

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { withHostBlock, wrapHost } from './doc-block'
import { hostEnv, measure, type MeasureSettings, type RunResult } from './measure'
import { clusterTable, hostTable, mark, rows, section, startupTable, targets, type HostSettings } from './report'
import { measureStartup, type StartupRuns } from './startup'
import { isVariant, VARIANTS, type Variant } from './variants'

const ROOT = path.resolve(__dirname, '..', '..', '..')

function envNumber (name: string, fallback: number, min: number): number {
  const raw = process.env[name]
  const n = Number(raw)
  return raw !== undefined && raw !== '' && Number.isFinite(n) && n >= min ? n : fallback
}

function variantsFromEnv (): Variant[] {
  const raw = process.env.BENCH_HOST_VARIANTS
  if (raw === undefined || raw.trim() === '') return [...VARIANTS]
  const asked = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const unknown = asked.filter((s) => !isVariant(s))
  if (unknown.length > 0) throw new Error(`BENCH_HOST_VARIANTS: unknown ${unknown.join(', ')}; accepted: ${VARIANTS.join(', ')}`)
  return VARIANTS.filter((v) => asked.includes(v))
}

/**
 * Copies the compiled bench/ and src/ and the built package (dist/) into
 * `dir`, so that a rebuild during the run (npm test removes build/ and
 * dist/) changes nothing under the app. Returns the copy's root.
 */
function snapshot (dir: string): string {
  const app = path.join(dir, 'app')
  for (const sub of ['bench', 'src']) fs.cpSync(path.join(ROOT, 'build', sub), path.join(app, 'build', sub), { recursive: true })
  fs.cpSync(path.join(ROOT, 'dist'), path.join(app, 'dist'), { recursive: true })
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'))
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir')
  return app
}

function versionOf (name: string): string {
  try {
    const file = name === 'oneapm-agent-log' ? path.join(ROOT, 'package.json') : require.resolve(`${name}/package.json`, { paths: [ROOT] })
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

const message = (err: unknown): string => err instanceof Error ? err.message : String(err)

async function main (): Promise<void> {
  const started = Date.now()
  const s: HostSettings = {
    rounds: envNumber('BENCH_HOST_ROUNDS', 3, 1),
    seconds: envNumber('BENCH_HOST_SECONDS', 6, 1),
    warmupSeconds: envNumber('BENCH_HOST_WARMUP', 1, 0),
    connections: envNumber('BENCH_HOST_CONNECTIONS', 10, 1),
    rotateSize: envNumber('BENCH_HOST_ROTATE_SIZE', 1024 * 1024, 4096),
    workers: envNumber('BENCH_HOST_WORKERS', 2, 1),
    fixedRate: envNumber('BENCH_HOST_RATE', 5000, 0),
    fixedSeconds: envNumber('BENCH_HOST_RATE_SECONDS', 3, 1),
    startupRuns: envNumber('BENCH_HOST_STARTUP_RUNS', 15, 0),
    variants: variantsFromEnv()
  }
  const doc = process.env.BENCH_HOST_DOC === 'none' ? undefined : path.resolve(ROOT, process.env.BENCH_HOST_DOC ?? path.join('docs', 'benchmarks.md'))
  const load = [os.loadavg()[0] ?? NaN]
  const results: RunResult[] = []
  const anomalies: string[] = []
  let startup: StartupRuns | undefined
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneapm-bench-host-'))
  try {
    const app = snapshot(dir)
    if (s.startupRuns > 0) {
      process.stderr.write(`start-up: ${s.startupRuns} runs of each figure\n`)
      startup = measureStartup(s.startupRuns, app, dir, hostEnv())
      anomalies.push(...startup.problems.map((p) => `start-up: ${p}`))
    }
    const settings: MeasureSettings = {
      connections: s.connections,
      seconds: s.seconds,
      warmupSeconds: s.warmupSeconds,
      rotateSize: s.rotateSize,
      workers: s.workers,
      fixedRate: s.fixedRate,
      fixedSeconds: s.fixedSeconds,
      appJs: path.join(app, 'build', 'bench', 'host', 'app.js'),
      clusterJs: path.join(app, 'build', 'bench', 'host', 'cluster.js')
    }
    for (let round = 1; round <= s.rounds; round++) {
      process.stderr.write(`round ${round}/${s.rounds}\n`)
      for (let i = 0; i < s.variants.length; i++) {
        const variant = s.variants[(i + round - 1) % s.variants.length] as Variant
        try {
          const r = await measure(variant, round, dir, settings)
          results.push(r)
          process.stderr.write(`  ${variant.padEnd(20)} ${Math.round(r.load.perSec)} req/s, p99 ${r.load.p99Ms.toFixed(2)} ms, app CPU ${r.cpuUsPerRequest.toFixed(1)} µs/req, ` +
            `peak RSS ${r.closed.peakRssMb.toFixed(0)} MB, records ${r.readback.emitted} emitted / ${r.readback.found} on disk, ${r.readback.rotated} rotations\n`)
          if (r.problems.length > 0) anomalies.push(`${variant} round ${round}: ${r.problems.join('; ')}`)
        } catch (err) {
          anomalies.push(`${variant} round ${round}: ${message(err)}`)
        }
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  load.push(os.loadavg()[0] ?? NaN)
  const seconds = (Date.now() - started) / 1000
  const rs = rows(results, s.variants)
  const ts = targets(rs, startup, results)
  const versions = ['oneapm-agent-log', 'pino', 'sonic-boom', 'bunyan', 'autocannon'].map((n) => `${n} ${versionOf(n)}`).join(', ')

  process.stdout.write(`\n${hostTable(rs, s.fixedRate)}\n\n${clusterTable(rs, s)}\n\n${startup === undefined ? '' : `${startupTable(startup, s.startupRuns)}\n\n`}`)
  for (const t of ts) process.stdout.write(`${mark(t).padEnd(4)}  ${t.name}: ${t.rule}; ${t.detail}\n`)
  process.stdout.write(anomalies.length === 0 ? '\nNo anomalies.\n' : `\nAnomalies:\n${anomalies.map((a) => `  ${a}`).join('\n')}\n`)
  if (doc !== undefined) {
    const previous = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n'
    fs.mkdirSync(path.dirname(doc), { recursive: true })
    fs.writeFileSync(doc, withHostBlock(previous, wrapHost(section(rs, startup, ts, anomalies, s, { load, versions, seconds }))))
  }
  process.stdout.write(`\n${seconds.toFixed(0)} s${doc === undefined ? '' : `; wrote the host section of ${path.relative(process.cwd(), doc)}`}\n`)
  if (anomalies.length > 0) process.exitCode = 1
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:host: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
