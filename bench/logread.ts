// Workload 14 of `npm run bench`: `summary` over a rotated log set (10 files,
// the older half gzipped) against `zcat -f | grep -c` over the same files,
// in the same run; and `summary --since` that leaves only the current file.
// BENCH_SUMMARY_BYTES sets the uncompressed size (1 GB by default).

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { pipeline } from 'node:stream/promises'

export interface LogSet {
  readonly dir: string
  readonly files: readonly string[]
  /** The current file's first record: --since this leaves only that file. */
  readonly lastStart: number
  readonly bytes: number
  readonly records: number
}

const FILES = 10
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'INFO', 'WARNING', 'INFO', 'DEBUG', 'INFO', 'ERROR'] as const
const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

function stamp (ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}+0000`
}

/** Text-layout lines as the logger writes them, a few pids, some events; ~`bytes` in 10 files over 10 hours. */
export async function generateLogSet (dir: string, bytes: number): Promise<LogSet> {
  const start = Date.UTC(2026, 10, 21, 0, 0, 0)
  const hour = 3_600_000
  const per = Math.ceil(bytes / FILES)
  const files: string[] = []
  let total = 0
  let records = 0
  for (let k = 0; k < FILES; k++) {
    const from = start + k * hour
    const lines: string[] = []
    let size = 0
    let n = 0
    // Build one buffer of lines, then repeat it with fresh times: fast enough for a gigabyte.
    const chunks: Buffer[] = []
    const est = Math.max(1, Math.round(per / 160))
    for (let i = 0; size < per; i++, n++) {
      // Each file's records span 59 minutes, so its mtime (its last record) is before the next file's first.
      const t = from + Math.floor(i * 59 * 60_000 / est)
      const level = LEVELS[i % LEVELS.length] as string
      const pid = 4000 + (i % 3)
      const body = i % 97 === 0
        ? `collector answered 503 to POST http://collector.example/agent_listener/invoke_raw_method?method=metric_data in 35 ms event=collector_error cause="HTTP 503" method=POST url="http://collector.example/agent_listener/invoke_raw_method?method=metric_data" status=503`
        : `harvest cycle ${i} done in ${i % 50} ms records=${i % 1000} batch=b${i % 17}`
      const line = `${stamp(t)} (${pid}/main) oneapm.${i % 5 === 0 ? 'collector' : 'harvest'} ${i % 97 === 0 ? 'WARNING' : level} - ${body}\n`
      lines.push(line)
      size += line.length
      if (lines.length === 4096) { chunks.push(Buffer.from(lines.join(''))); lines.length = 0 }
    }
    chunks.push(Buffer.from(lines.join('')))
    records += n
    total += size
    const current = k === FILES - 1
    const name = current ? 'agent.log' : `agent.log.2026-11-21T${pad(k)}-59-59.001`
    const gz = k < FILES / 2
    const file = path.join(dir, name + (gz ? '.gz' : ''))
    if (gz) {
      await pipeline(async function * () { yield * chunks }, zlib.createGzip(), fs.createWriteStream(file))
    } else {
      const fd = fs.openSync(file, 'w')
      for (const c of chunks) fs.writeSync(fd, c)
      fs.closeSync(fd)
    }
    const end = (from + 59 * 60_000) / 1000
    fs.utimesSync(file, end, end)
    files.push(file)
  }
  return { dir, files, lastStart: start + (FILES - 1) * hour, bytes: total, records }
}

function timed (cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<{ ms: number, out: string, status: number | null }> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: env ?? process.env })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { if (out.length < 256 * 1024 * 1024) out += d.toString() })
    child.on('close', (status) => { resolve({ ms: performance.now() - t0, out, status }) })
  })
}

export interface LogReadResult {
  readonly summaryMs: number
  readonly sinceMs: number
  readonly zcatGrepMs: number
  readonly records: number
  readonly sinceRecords: number
  readonly grepCount: number
  readonly problems: string[]
}

/** One run: summary (full), summary --since (only the current file), zcat | grep -c; problems when counts disagree. */
export async function measureLogRead (set: LogSet, cli: string): Promise<LogReadResult> {
  const problems: string[] = []
  const full = await timed(process.execPath, [cli, 'summary', '--json', ...set.files])
  const since = await timed(process.execPath, [cli, 'summary', '--json', '--since', new Date(set.lastStart).toISOString(), ...set.files])
  const grep = await timed('sh', ['-c', 'zcat -f "$@" | grep -c " ERROR - "', 'sh', ...set.files])
  const records = full.status === 0 ? (JSON.parse(full.out) as { records: number }).records : NaN
  const sinceRecords = since.status === 0 ? (JSON.parse(since.out) as { records: number }).records : NaN
  if (records !== set.records) problems.push(`summary counted ${records} records of ${set.records}`)
  const skipped = since.status === 0 ? (JSON.parse(since.out) as { files: Array<{ skipped: boolean }> }).files.filter((f) => f.skipped).length : NaN
  if (skipped !== set.files.length - 1) problems.push(`summary --since skipped ${skipped} files, not ${set.files.length - 1}`)
  const grepCount = Number(grep.out.trim())
  if (!(grepCount > 0)) problems.push(`zcat | grep -c gave ${grep.out.trim()}`)
  return { summaryMs: full.ms, sinceMs: since.ms, zcatGrepMs: grep.ms, records, sinceRecords, grepCount, problems }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] as number : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2
}

/** The table for docs/benchmarks.md and stdout, and the two targets. */
export function logReadTable (set: LogSet | undefined, runs: readonly LogReadResult[]): { table: string, targets: Array<{ name: string, pass: boolean | undefined, detail: string }> } {
  if (set === undefined || runs.length === 0) return { table: '(workload 15, summary, not run)', targets: [] }
  const full = median(runs.map((r) => r.summaryMs))
  const since = median(runs.map((r) => r.sinceMs))
  const grep = median(runs.map((r) => r.zcatGrepMs))
  const gb = (set.bytes / 1e9).toFixed(2)
  const table = `| ${gb} GB, ${set.files.length} files (${Math.floor(set.files.length / 2)} gzipped), ${set.records.toLocaleString('en-US')} records | ms (median of ${runs.length}) | vs zcat \\| grep -c |
|---|---|---|
| \`zcat -f \\| grep -c " ERROR - "\` | ${grep.toFixed(0)} | 1.00x |
| \`summary\` (full scan) | ${full.toFixed(0)} | ${(full / grep).toFixed(2)}x |
| \`summary --since\` (only the current file in range) | ${since.toFixed(0)} | ${(since / grep).toFixed(2)}x |`
  return {
    table,
    targets: [
      { name: 'summary full scan', pass: full <= 2 * grep, detail: `${full.toFixed(0)} ms vs zcat | grep -c ${grep.toFixed(0)} ms (target: within 2x)` },
      { name: 'summary --since (one file left)', pass: since < 1000, detail: `${since.toFixed(0)} ms (target: under 1 s)` }
    ]
  }
}
