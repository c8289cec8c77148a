// summary's scan split across worker threads (scan-parallel.ts): whole
// gzipped files and byte ranges of plain files cut at line boundaries, each
// read by a worker into a partial summary, folded in order by the main
// thread. Over generated rotated sets (several pids, text and JSON, CRLF,
// gzip, every event the summary keeps state for, secrets, long lines,
// garbage, --since/--until) and random split sizes (down to a few bytes, so
// lines straddle every cut), it must give exactly the single-thread summary,
// text and --json, redacted the same. Failures inside a worker (truncated
// gzip, an unreadable or vanished file) give the same problems; the CLI
// never hangs and exits cleanly on EPIPE.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { test } from 'node:test'
import fc from 'fast-check'
import { describeFile, planFiles } from '../../../src/cli/logs/files'
import { outputRedactor } from '../../../src/cli/logs/redact-output'
import { summarize, summarizeParallel } from '../../../src/cli/logs/summarize'
import { summaryText } from '../../../src/cli/logs/summary-text'
import type { Summary } from '../../../src/cli/logs/model'
import { SET_KEY, SET_T0, genLine, genSetArb, writeSet } from '../../helpers/log-sets'
import { cleanEnv } from '../../helpers/child'
import { tmpDir } from '../../helpers/tmp'

const CLI = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js')

function same (a: Summary, b: Summary): void {
  assert.equal(JSON.stringify(a, null, 2), JSON.stringify(b, null, 2))
  assert.equal(summaryText(a), summaryText(b))
}

test('the parallel summary equals the single-thread one: text and JSON, random split points, gzip, CRLF, --since/--until', async () => {
  const dir = tmpDir()
  const config = path.join(dir, 'agent.config')
  fs.writeFileSync(config, `[oneapm]\nlicense_key = ${SET_KEY}\nlog_file = ${path.join(dir, 'unused.log')}\n`)
  let parallel = 0
  await fc.assert(fc.asyncProperty(genSetArb, fc.integer({ min: 1, max: 400 }), fc.integer({ min: 2, max: 3 }), fc.boolean(), async (set, unitBytes, threads, redacted) => {
    const sub = fs.mkdtempSync(path.join(dir, 'set-'))
    try {
      const paths = writeSet(sub, set)
      const since = set.since === undefined ? -Infinity : SET_T0 + set.since
      const until = set.until === undefined ? Infinity : SET_T0 + set.until
      const planned = planFiles(paths.map(describeFile), since, until)
      const range = { since, until }
      const redaction = redacted ? outputRedactor(config) : undefined
      const scan = { threads, unitBytes, redact: redacted ? { config } : undefined }
      const single = await summarize(planned, range, redaction, { threads: 1 })
      const par = await summarizeParallel(planned, range, redaction, scan)
      // Overlapping files (layout 2) are merged by time on one thread; rising ones never are.
      if (set.layout !== 2) assert.notEqual(par, undefined, 'files in time order were not read in parallel')
      if (par !== undefined) {
        parallel++
        same(par, single)
      }
      same(await summarize(planned, range, redaction, scan), single)
      if (redacted) assert.ok(!JSON.stringify(single).includes(SET_KEY))
    } finally {
      fs.rmSync(sub, { recursive: true, force: true })
    }
  }), { numRuns: 40 })
  assert.ok(parallel > 20, `parallel path taken ${parallel} times`)
})

/** A rotated set of `files` files of `lines` lines each, the older half gzipped. */
function plainSet (dir: string, files: number, lines: number): string[] {
  const out: string[] = []
  let t = SET_T0
  for (let k = 0; k < files; k++) {
    const recs = Array.from({ length: lines }, (_, i) => ({ dt: 1000, pid: 100 + (i % 3) * 100, kind: i % 16, json: i % 9 === 0, n: i }))
    const text = recs.map((r) => genLine((t += r.dt), r, false)).join('')
    const p = path.join(dir, k === files - 1 ? 'agent.log' : `agent.log.${k}${k < files / 2 ? '.gz' : ''}`)
    fs.writeFileSync(p, k < files / 2 && k < files - 1 ? zlib.gzipSync(text) : text)
    fs.utimesSync(p, t / 1000, t / 1000)
    t += 1
    out.push(p)
  }
  return out
}

const ALL = { since: -Infinity, until: Infinity }

test('the events table past its size: parts with more rows than it keeps, and parts with fewer, fold to the single-thread table', async () => {
  const dir = tmpDir()
  const config = path.join(dir, 'agent.config')
  fs.writeFileSync(config, `[oneapm]\nlicense_key = ${SET_KEY}\nlog_file = ${path.join(dir, 'unused.log')}\n`)
  const paths = plainSet(dir, 3, 16_000)
  const planned = planFiles(paths.map(describeFile), -Infinity, Infinity)
  const redaction = outputRedactor(config)
  const single = await summarize(planned, ALL, redaction, { threads: 1 })
  assert.ok(single.eventsOmitted > 0)
  for (const unitBytes of [300_000, 2_000_000]) {
    const par = await summarizeParallel(planned, ALL, redaction, { threads: 2, unitBytes, redact: { config } })
    assert.ok(par !== undefined)
    same(par, single)
  }
})

/** Cuts `file` to `keep(its size)` bytes, its mtime as rotation left it: a later one would read as overlapping the next file. */
function truncateKeepingTime (file: string, keep: (size: number) => number): void {
  const whole = fs.readFileSync(file)
  const mtime = fs.statSync(file).mtime
  fs.writeFileSync(file, whole.subarray(0, keep(whole.length)))
  fs.utimesSync(file, mtime, mtime)
}

test('a truncated gzip member read by a worker gives the problem and records the single-thread read gives', async () => {
  const dir = tmpDir()
  const paths = plainSet(dir, 4, 3000)
  const gz = paths[0] as string
  truncateKeepingTime(gz, (n) => Math.floor(n / 2))
  const planned = planFiles(paths.map(describeFile), -Infinity, Infinity)
  const single = await summarize(planned, ALL, undefined, { threads: 1 })
  const par = await summarizeParallel(planned, ALL, undefined, { threads: 2, unitBytes: 50_000 })
  assert.ok(par !== undefined)
  assert.match(String(par.files[0]?.problem), /truncated gzip/)
  same(par, single)
})

test('an unreadable and a vanished file read by workers give the problems the single-thread read gives', async (t) => {
  if (process.getuid?.() === 0) { t.skip('root reads a mode-000 file'); return }
  const dir = tmpDir()
  const paths = plainSet(dir, 4, 3000)
  const planned = planFiles(paths.map(describeFile), -Infinity, Infinity)
  // After planning: the file was there when listed, and is gone or closed when read.
  fs.chmodSync(paths[1] as string, 0)
  fs.rmSync(paths[2] as string)
  fs.rmSync(paths[3] as string)
  try {
    const single = await summarize(planned, ALL, undefined, { threads: 1 })
    const par = await summarizeParallel(planned, ALL, undefined, { threads: 2, unitBytes: 50_000 })
    assert.ok(par !== undefined)
    assert.match(String(par.files[1]?.problem), /EACCES/)
    assert.match(String(par.files[2]?.problem), /ENOENT/)
    assert.match(String(par.files[3]?.problem), /ENOENT/)
    same(par, single)
  } finally {
    fs.chmodSync(paths[1] as string, 0o600)
  }
})

function cli (args: string[], pipeTo?: string): Promise<{ status: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    const cmd = pipeTo === undefined ? process.execPath : 'sh'
    const argv = pipeTo === undefined ? [CLI, ...args] : ['-c', `"$NODE" "$CLI" "$@" | ${pipeTo}`, 'sh', ...args]
    const child = spawn(cmd, argv, { env: { ...cleanEnv(), NODE: process.execPath, CLI } })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => { child.kill('SIGKILL') }, 60_000)
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }) })
  })
}

test('summary --threads: the CLI with workers prints what it prints with one thread, ends on its own, and exits cleanly on EPIPE', async () => {
  const dir = tmpDir()
  const paths = plainSet(dir, 4, 4000)
  // A file removed while listed would be a usage problem; a truncated member is read up to its cut.
  const gz = paths[0] as string
  truncateKeepingTime(gz, (n) => n - 100)
  const one = await cli(['summary', '--json', '--threads', '1', ...paths])
  const two = await cli(['summary', '--json', '--threads', '2', ...paths])
  assert.equal(one.status, 0, one.stderr)
  assert.equal(two.status, 0, two.stderr)
  assert.deepEqual(JSON.parse(two.stdout), JSON.parse(one.stdout))
  assert.equal(two.stdout, one.stdout)
  assert.equal(two.stderr, one.stderr)
  const text = await cli(['summary', '--threads', '2', ...paths], 'head -1')
  assert.equal(text.status, 0)
  assert.equal(text.stdout.split('\n').length, 2)
  assert.doesNotMatch(text.stderr, /EPIPE|Error|at /)
  const bad = await cli(['summary', '--threads', 'many', ...paths])
  assert.equal(bad.status, 2)
})
