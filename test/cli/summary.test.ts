// `summary` over logs written by a real process (helpers/agent-logs.ts): a
// 413 episode, an outage with recovery, host interference, early drops, size
// rotation with gzip; text and JSON layouts. Counts are exact.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { test } from 'node:test'
import { main } from '../../src/cli/main'
import type { Summary } from '../../src/cli/logs/model'
import { PACKAGE } from '../../src/index'
import { logFilesIn, outageScenario, type Scenario } from '../helpers/agent-logs'

export async function cli (argv: string[]): Promise<{ status: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const status = await main(argv, (s) => { out += s }, (s) => { err += s })
  return { status, out, err }
}

function linesOf (file: string): string[] {
  const raw = fs.readFileSync(file)
  const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8')
  return text.split('\n').filter((l) => l !== '')
}

function checkSummary (s: Summary, sc: Scenario, files: string[]): void {
  const lines = files.flatMap(linesOf)
  assert.equal(s.records, lines.length)
  assert.ok(s.files.some((f) => f.gzip), 'some rotated files are gzipped')
  assert.deepEqual(s.files.map((f) => f.problem), s.files.map(() => undefined))
  assert.deepEqual(s.processes.map((p) => [p.pid, p.version, p.app, p.records]), [[sc.pid, PACKAGE.version, 'shop', lines.length]])
  assert.deepEqual(s.settings.log_max_size, { value: '16KB', source: 'code' })
  assert.deepEqual(s.settings.license_key, { value: 'a1b2****', source: 'code' })
  // The outage's length in whole seconds depends on the machine's speed: only its form is checked.
  assert.ok(s.connectivity.filter((c) => c.state === 'recovered').every((c) => /^after \d+ failures over \d+ s$/.test(c.cause ?? '')))
  const timeline = s.connectivity.map((c) => [c.pid, c.state, c.state === 'recovered' ? c.cause?.replace(/ over \d+ s$/, '') : c.cause, c.count, c.diagnosis?.id])
  assert.deepEqual(timeline, [
    [sc.pid, 'connected', undefined, 0, undefined],
    [sc.pid, 'failing', 'HTTP 413', 5, 'payload_too_large'],
    [sc.pid, 'recovered', 'after 5 failures', 5, undefined],
    [sc.pid, 'failing', `ECONNREFUSED connect 127.0.0.1:${sc.port}`, 4, 'connection_refused'],
    [sc.pid, 'recovered', 'after 4 failures', 4, undefined]
  ], JSON.stringify(s.connectivity))
  assert.deepEqual(Object.fromEntries(Object.entries(s.lastStatus).map(([k, v]) => [k, v.status])), { connect: 200, metric_data: 200, error_data: 200 })
  assert.deepEqual(s.findings.map((f) => [f.id, f.count]), [['payload_too_large', 5], ['connection_refused', 4], ['host_silenced', 1]])
  assert.match(s.findings[0]?.cause ?? '', /^the collector answered 413 to metric_data: the payload is too large \(5 times since \d{4}-\d\d-\d\d \d\d:\d\d\)$/)
  assert.deepEqual(s.interference.map((i) => [i.pid, i.cause]), [[sc.pid, 'stderr_write_replaced']])
  assert.ok(sc.earlyDropped > 0)
  assert.deepEqual(s.drops.map((d) => [d.reason, d.dropped]), [['early_queue_full', sc.earlyDropped]])
  assert.equal(s.rotations.length, files.length - 1)
  assert.ok(s.rotations.every((r) => r.reason === 'size'))
  assert.deepEqual(s.topErrors.map((e) => [e.kind, e.level, e.count]), [['TypeError E_BOOM', 'error', 2]])
  const histogram = s.histogram.buckets.reduce((a, b) => a + Object.values(b.counts).reduce((x, y) => x + y, 0), 0)
  assert.equal(histogram, lines.length)
  assert.equal(s.histogram.buckets.reduce((a, b) => a + b.counts.error, 0), 2)
  // Every warning and every record with an event is a row.
  assert.equal(s.events.length, lines.filter((l) => /event[=":]/.test(l) || / (WARNING|ERROR|CRITICAL) - |"level":"(warning|error|critical)"/.test(l)).length)
  assert.equal(s.eventsOmitted, 0)
}

for (const format of ['text', 'json'] as const) {
  test(`summary --json over a real ${format} log with rotation, gzip, outage, recovery, interference and drops: exact timeline and counts`, async () => {
    const sc = outageScenario(format)
    const files = logFilesIn(sc.dir).filter((f) => !f.endsWith('.state'))
    const r = await cli(['summary', '--json', ...files])
    assert.equal(r.status, 0, r.err)
    assert.equal(r.err, '')
    checkSummary(JSON.parse(r.out) as Summary, sc, files)

    // The same through --config: the log_file and the rotated files next to it.
    const config = path.join(sc.dir, 'agent.ini')
    fs.writeFileSync(config, `[oneapm]\nlog_file = ${sc.file}\n`)
    const c = await cli(['summary', '--json', '--config', config])
    assert.equal(c.status, 0, c.err)
    checkSummary(JSON.parse(c.out) as Summary, sc, files)

    const text = await cli(['summary', '--config', config])
    assert.equal(text.status, 0)
    assert.match(text.out, /^Findings\n {2}! the collector answered 413 to metric_data: the payload is too large \(5 times since/m)
    assert.match(text.out, /failing: ECONNREFUSED connect 127\.0\.0\.1:\d+ \(4 failures\) - 127\.0\.0\.1:\d+ refused the connection/)
    assert.match(text.out, /recovered after 4 failures/)
    assert.match(text.out, /last HTTP status: connect 200 .*metric_data 200/)
    assert.match(text.out, /dropped records: \d+ in 1 report \(early_queue_full\)/)
    assert.match(text.out, /^Records per level \(1 min buckets/m)
    assert.doesNotMatch(text.out, new RegExp('a1b2c3d4e5f6'))
  })
}

test('summary --since skips rotated files older than the range without opening them', async () => {
  const sc = outageScenario('text')
  const files = logFilesIn(sc.dir).filter((f) => !f.endsWith('.state'))
  const old = (Date.now() - 3 * 3600_000) / 1000
  const rotated = files.filter((f) => f !== sc.file)
  for (const f of rotated) fs.utimesSync(f, old, old)
  const r = await cli(['summary', '--json', '--since', '1h', ...files])
  assert.equal(r.status, 0, r.err)
  const s = JSON.parse(r.out) as Summary
  assert.deepEqual(s.files.filter((f) => f.skipped).map((f) => f.path).sort(), rotated.sort())
  assert.equal(s.records, linesOf(sc.file).length)
  // Until before everything: every file is skipped by its first record's time.
  const none = await cli(['summary', '--json', '--until', '2000-01-01T00:00:00Z', ...files])
  const n = JSON.parse(none.out) as Summary
  assert.equal(n.records, 0)
  assert.ok(n.files.every((f) => f.skipped))
})

test('summary: usage errors exit 2; no log exits 1 with a message', async () => {
  assert.equal((await cli(['summary', '--since', 'yesterday-ish', '/nonexistent'])).status, 2)
  assert.equal((await cli(['summary', '--bogus'])).status, 2)
  const missing = await cli(['summary', '/nonexistent/agent.log'])
  assert.equal(missing.status, 1)
  assert.match(missing.err, /\/nonexistent\/agent\.log: no such file/)
})
