// The spool of earlier processes against the replay budget: a spool larger
// than the queues can take loses nothing silently (what does not fit is
// written back for a later start, said with a number), and a spool file that
// is huge or hostile (1 GB sparse, one 100 MB line, binary, a FIFO, a
// symlink) is read in bounded time and memory, never blocking start-up.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { SPOOL_MAX, readSpools, writeSpool } from '../../src/ship/spool'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const DOWN = 'syslog+tcp://127.0.0.1:9'
const lineOf = (i: number, pad = 300): string => JSON.stringify({ time: '2026-12-01T00:00:00.000Z', level: 'info', name: 'oneapm', pid: 1, thread: 'main', msg: `spooled ${i}`, pad: 'p'.repeat(pad) })

function spooledMessages (dir: string): string[] {
  const r = readSpools(dir, 1, SPOOL_MAX)
  return r.sections.flatMap((s) => s.lines).map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => m.startsWith('spooled '))
}

function events (logFile: string, name: string): Array<Record<string, unknown>> {
  return fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.event === name)
}

test('a spool larger than the queue: what the queue takes is queued, the rest is written back for a later start, and the local log says both numbers; no record is lost', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const n = 3000
  const w = writeSpool(dir, [{ destination: DOWN, lines: Array.from({ length: n }, (_, i) => lineOf(i)) }], 4001)
  assert.ok('file' in w && w.lines === n)
  const logFile = path.join(dir, 'agent.log')
  const r = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(logFile)}, log_format: 'json', log_ship: ${JSON.stringify(DOWN)}, log_ship_queue: '128KB', log_ship_level: 'critical' })
    const s = log.stats().ship[0]
    process.stdout.write(JSON.stringify({ queued: s.queued, dropped: s.dropped }))
  `)
  assert.equal(r.status, 0, r.stderr)
  const stats = JSON.parse(r.stdout) as { queued: number, dropped: Record<string, number> }
  assert.deepEqual(stats.dropped, { queue_full: 0, rejected: 0, closed: 0 }, 'replayed records that do not fit are not dropped')
  const read = events(logFile, 'ship_spool_read')
  assert.equal(read.length, 1, fs.readFileSync(logFile, 'utf8'))
  const e = read[0] as { records: number, left: number, dropped: number, msg: string }
  assert.ok(e.records > 0 && e.records < n, JSON.stringify(e))
  assert.equal(e.records + e.left, n, JSON.stringify(e))
  assert.equal(e.records, stats.queued)
  assert.match(e.msg, new RegExp(`${e.left} did not fit the queue \\(log_ship_queue\\) and were written back to .*oneapm-unsent-\\d+.*\\.jsonl for a later start`))
  // The child spooled its queue again at exit: between that and what was written back, every record once.
  const msgs = spooledMessages(dir)
  assert.equal(msgs.length, n)
  assert.equal(new Set(msgs).size, n)
})

test('a spool file over the spool cap (not one the agent wrote): read up to the budget at a line boundary, never a partial line; the rest is counted in bytes and records and said', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const line = lineOf(0, 1000)
  const n = Math.ceil(SPOOL_MAX / (line.length + 1)) + 2000
  fs.writeFileSync(path.join(dir, 'oneapm-unsent-77.jsonl'), `{"oneapm_unsent":1,"destination":"x","count":${n}}\n` + (line + '\n').repeat(n))
  const budget = 1024 * 1024
  const r = readSpools(dir, 1, budget)
  const lines = r.sections.flatMap((s) => s.lines)
  for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), 'every line whole')
  assert.ok(lines.length > 0 && lines.length <= Math.floor(budget / line.length))
  assert.equal(r.skipped, 0)
  assert.ok(r.dropped.bytes > SPOOL_MAX - budget, JSON.stringify(r.dropped))
  // Estimated from the lines read: within a few percent of the truth.
  assert.ok(Math.abs(r.dropped.records - (n - lines.length)) < n * 0.05, `${r.dropped.records} vs ${n - lines.length}`)
  assert.deepEqual(fs.readdirSync(dir), [], 'claimed and removed')
})

test('a spool file within the cap but over the budget, first in line, is read whole (the caller writes back what does not fit)', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const lines = Array.from({ length: 2000 }, (_, i) => lineOf(i))
  writeSpool(dir, [{ destination: 'x', lines }], 5)
  const r = readSpools(dir, 1, 64 * 1024)
  assert.deepEqual(r.sections.flatMap((s) => s.lines), lines)
  assert.deepEqual(r.dropped, { bytes: 0, records: 0 })
})

test('hostile spool files: 1 GB sparse, one 100 MB line, binary, a FIFO, a symlink: start-up takes bounded time and memory, nothing blocks, each is said', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const sparse = path.join(dir, 'oneapm-unsent-1.jsonl')
  fs.closeSync(fs.openSync(sparse, 'w'))
  fs.truncateSync(sparse, 1024 * 1024 * 1024)
  const oneLine = path.join(dir, 'oneapm-unsent-2.jsonl')
  fs.writeFileSync(oneLine, `{"oneapm_unsent":1,"destination":${JSON.stringify(DOWN)},"count":1}\n{"msg":"`)
  fs.truncateSync(oneLine, 100 * 1024 * 1024)
  fs.writeFileSync(path.join(dir, 'oneapm-unsent-3.jsonl'), Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 7919) % 256)))
  execFileSync('mkfifo', [path.join(dir, 'oneapm-unsent-4.jsonl')])
  fs.symlinkSync('/dev/zero', path.join(dir, 'oneapm-unsent-5.jsonl'))
  writeSpool(dir, [{ destination: DOWN, lines: [lineOf(42)] }], 6)
  const logFile = path.join(dir, 'agent.log')
  // A hang (a FIFO opened for reading, a read of /dev/zero) would time the child out.
  const r = runScript(`
    const before = process.memoryUsage().rss
    const log = lib.createLogger({ log_file: ${JSON.stringify(logFile)}, log_format: 'json', log_ship: ${JSON.stringify(DOWN)}, log_ship_level: 'critical' })
    process.stdout.write(JSON.stringify({ grew: process.memoryUsage().rss - before }))
    log.close()
  `, { timeout: 60_000 })
  assert.equal(r.status, 0, r.stderr)
  const { grew } = JSON.parse(r.stdout) as { grew: number }
  // The reads are bounded by the replay budget (1 MB) and the spool cap (16 MB), not by the files' sizes.
  assert.ok(grew < 100 * 1024 * 1024, `rss grew ${grew}`)
  const read = events(logFile, 'ship_spool_read')
  assert.equal(read.length, 1, fs.readFileSync(logFile, 'utf8'))
  const e = read[0] as { unreadBytes: number, unreadRecords: number, waiting: number, msg: string }
  assert.ok(e.unreadBytes >= 1024 * 1024 * 1024 - 1024 * 1024, JSON.stringify(e))
  assert.ok(e.unreadRecords >= 1, JSON.stringify(e))
  assert.match(e.msg, /\d+ bytes \(about \d+ records?\) of spool files over the 16 MB spool cap were dropped unread/)
  assert.ok(e.waiting >= 1, 'files past the budget stay for a later start, and are said')
  assert.match(e.msg, /\d+ more spool files? left for a later start/)
  const ignored = events(logFile, 'ship_spool_ignored').map((x) => path.basename(x.file as string)).sort()
  assert.deepEqual(ignored, ['oneapm-unsent-4.jsonl', 'oneapm-unsent-5.jsonl'])
  assert.ok(fs.lstatSync(path.join(dir, 'oneapm-unsent-4.jsonl')).isFIFO() && fs.lstatSync(path.join(dir, 'oneapm-unsent-5.jsonl')).isSymbolicLink(), 'left alone')
  // Later starts take the rest, a budget at a time: the one good record arrives exactly once.
  const msgs: string[] = []
  for (let i = 0; i < 20; i++) {
    const more = readSpools(dir, 1, 1024 * 1024)
    msgs.push(...more.sections.flatMap((s) => s.lines).map((l) => { try { return (JSON.parse(l) as { msg: string }).msg } catch { return '' } }))
    if (more.files.length === 0) break
  }
  assert.deepEqual(msgs.filter((m) => m.startsWith('spooled ')), ['spooled 42'])
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('oneapm-unsent-')).sort(), ['oneapm-unsent-4.jsonl', 'oneapm-unsent-5.jsonl'])
})
