// Attack on summary's parallel scan (scan-parallel.ts, read.ts lineRangeChunks):
// a line much longer than a range, and a file replaced by a FIFO between the
// plan and the read. The first must be read about once, not once per range it
// spans (time linear in the input); the second must not hang the CLI.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { describeFile, planFiles } from '../../src/cli/logs/files'
import { lineRangeChunks } from '../../src/cli/logs/read'
import { summarize, summarizeParallel } from '../../src/cli/logs/summarize'
import { summaryText } from '../../src/cli/logs/summary-text'
import { cleanEnv } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const ALL = { since: -Infinity, until: Infinity }
/** A text-layout record; every 7th an error event, so the summaries compared have records, kinds and events. */
const LINE = (i: number): string => `2026-11-21 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},000+0000 (7/main) oneapm.collector ${i % 7 === 0 ? 'ERROR' : 'INFO'} - line ${i}${i % 7 === 0 ? ` err.type=Error err.code=E${i % 5} event=collector_error cause="HTTP 503" status=503` : ''}\n`

/** Bytes read through fs.promises.open handles while `fn` runs. */
async function bytesRead (fn: () => Promise<void>): Promise<number> {
  const open = fs.promises.open
  let total = 0
  fs.promises.open = (async (...args: Parameters<typeof open>) => {
    const fh = await open(...args)
    const read = fh.read.bind(fh) as (...a: unknown[]) => Promise<{ bytesRead: number }>
    ;(fh as unknown as { read: typeof read }).read = async (...a: unknown[]) => {
      const r = await read(...a)
      total += r.bytesRead
      return r
    }
    return fh
  }) as typeof open
  try {
    await fn()
  } finally {
    fs.promises.open = open
  }
  return total
}

test('a range inside a line longer than it stops at its end: a long line is not read once per range it spans', async () => {
  const dir = tmpDir()
  const p = path.join(dir, 'agent.log')
  // 8 MB of one line (garbage with no newline), between two records.
  fs.writeFileSync(p, LINE(0) + 'x'.repeat(8 * 1024 * 1024) + '\n' + LINE(1))
  const f = planFiles([describeFile(p)], -Infinity, Infinity)[0]
  assert.ok(f !== undefined)
  const c = { records: 0, otherLines: 0, problem: undefined }
  const from = 2 * 1024 * 1024
  const n = await bytesRead(async () => {
    const got: Buffer[] = []
    for await (const b of lineRangeChunks(f, c, from, from + 64 * 1024)) got.push(b)
    assert.equal(Buffer.concat(got).length, 0, 'no line starts in the range')
  })
  // One or two read chunks (1 MB each) past the range, not the 6 MB to the line's end.
  assert.ok(n <= 3 * 1024 * 1024, `read ${n} bytes for a 64 KB range`)
  // Ranges that meet at their ends, 1 MB each over the 8 MB line: together they read the file about
  // once (a seeking range reads at most a chunk and the one read ahead), not 8 + 7 + ... + 1 MB.
  const unit = 1024 * 1024
  const all = await bytesRead(async () => {
    for (let k = 0; k * unit < f.size; k++) {
      for await (const b of lineRangeChunks(f, c, k * unit, (k + 1) * unit)) assert.ok(b.length >= 0)
    }
  })
  assert.ok(all <= 3 * f.size, `ranges read ${all} bytes of a ${f.size}-byte file`)
  // And the parallel scan in such units gives the single-thread summary.
  const single = await summarize([f], ALL, undefined, { threads: 1 })
  const par = await summarizeParallel([f], ALL, undefined, { threads: 2, unitBytes: 256 * 1024 })
  assert.ok(par !== undefined)
  assert.equal(single.records, 2)
  assert.equal(JSON.stringify(par), JSON.stringify(single))
  assert.equal(summaryText(par), summaryText(single))
})

test('a log replaced by a FIFO after the plan: summary on one thread and on two ends on its own', (t) => {
  if (process.platform === 'win32') { t.skip('no mkfifo'); return }
  const dir = tmpDir()
  const plain = path.join(dir, 'agent.log')
  const gz = path.join(dir, 'agent.log.1.gz')
  fs.writeFileSync(plain, Array.from({ length: 2000 }, (_, i) => LINE(i)).join(''))
  fs.writeFileSync(gz, '')
  const logs = path.join(__dirname, '..', '..', 'src', 'cli', 'logs')
  for (const threads of [1, 2]) {
    for (const target of [plain, gz]) {
      const body = `
        const fs = require('node:fs'); const { execFileSync } = require('node:child_process')
        const { describeFile, planFiles } = require(${JSON.stringify(path.join(logs, 'files.js'))})
        const { summarize } = require(${JSON.stringify(path.join(logs, 'summarize.js'))})
        const target = ${JSON.stringify(target)}
        const keep = fs.readFileSync(target)
        const planned = planFiles([describeFile(target)], -Infinity, Infinity)
        fs.rmSync(target); execFileSync('mkfifo', [target])
        summarize(planned, { since: -Infinity, until: Infinity }, undefined, { threads: ${threads}, unitBytes: 4096 })
          .then((s) => { fs.rmSync(target); fs.writeFileSync(target, keep); process.stdout.write(JSON.stringify(s.files)) })`
      const r = spawnSync(process.execPath, ['-e', body], { encoding: 'utf8', env: cleanEnv(), timeout: 20_000 })
      // A hang leaves the FIFO in place: put the file back for the next round.
      if (fs.statSync(target).isFIFO()) { fs.rmSync(target); fs.writeFileSync(target, target === gz ? '' : Array.from({ length: 2000 }, (_, i) => LINE(i)).join('')) }
      assert.equal(r.signal, null, `threads ${threads}, ${path.basename(target)}: killed after 20 s (hung opening the FIFO)`)
      assert.equal(r.status, 0, r.stderr)
      const files = JSON.parse(r.stdout) as Array<{ problem?: string }>
      assert.match(String(files[0]?.problem), /not a regular file|FIFO/)
    }
  }
})

test('a log rotated (renamed, a new one created) between two of its ranges: the later range reads nothing and says so, and the summary is read on one thread', async () => {
  const dir = tmpDir()
  const p = path.join(dir, 'agent.log')
  const lines = (from: number, n: number): string => Array.from({ length: n }, (_, i) => LINE(from + i)).join('')
  fs.writeFileSync(p, lines(0, 4000))
  const f = planFiles([describeFile(p)], -Infinity, Infinity)[0]
  assert.ok(f !== undefined)
  const half = Math.floor(f.size / 2)
  const c0 = { records: 0, otherLines: 0, problem: undefined }
  let first = 0
  for await (const b of lineRangeChunks(f, c0, 0, half)) first += b.length
  assert.ok(first >= half)
  // Rotation by rename, as logrotate's `create` does: the path now names a new, longer file.
  fs.renameSync(p, p + '.1')
  fs.writeFileSync(p, lines(5000, 8000))
  const c1: { records: number, otherLines: number, problem: string | undefined, replaced?: boolean } = { records: 0, otherLines: 0, problem: undefined }
  let second = 0
  for await (const b of lineRangeChunks(f, c1, half, Infinity)) second += b.length
  assert.equal(second, 0, 'the second range read another file than the first')
  assert.equal(c1.replaced, true)
  // The whole scan: the same summary as one thread reading the path now.
  const single = await summarize([f], ALL, undefined, { threads: 1 })
  assert.equal(await summarizeParallel([f], ALL, undefined, { threads: 2, unitBytes: 64 * 1024 }), undefined)
  const auto = await summarize([f], ALL, undefined, { threads: 2, unitBytes: 64 * 1024 })
  assert.equal(single.records, 8000)
  assert.equal(JSON.stringify(auto), JSON.stringify(single))
})
