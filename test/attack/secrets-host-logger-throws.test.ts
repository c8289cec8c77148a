// Attack: a host logger whose `info` throws (a winston transport or pino
// destination that is down) while createLogger() writes the startup line.
// The exception escapes writeStartup(), createLogger()'s catch-all builds a
// fresh tree from loadConfig({ env: {}, file: false }): the configured
// license_key and log_file are dropped, so every later record goes to stderr
// with the license key in clear.
// README: "No secrets. License keys ... are masked in every record"; the
// host logger is "a sink like any other ... log_file stays the fallback".
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runScript } from '../helpers/child'

const KEY = 'A1B2c3d4E5f6G7h8I9j0K1l2M3n4O5p6'

function result (lines: readonly string[]): unknown {
  const line = lines.find((l) => l.startsWith('RESULT='))
  assert.ok(line !== undefined, lines.join('\n'))
  return JSON.parse(line.slice(7))
}

test('a host logger that throws at start-up does not cost the license key its mask', () => {
  const r = runScript(`
    const host = { info () { throw new Error('host transport down') }, warn () {}, error () {}, debug () {} }
    const log = lib.createLogger({ license_key: ${JSON.stringify(KEY)}, log_file: 'stdout' }, { hostLogger: host })
    log.info('license %s', ${JSON.stringify(KEY)})
    log.flush()`)
  assert.equal(r.status, 0, r.stderr)
  const all = r.stdout + r.stderr
  assert.match(all, /license /)
  assert.ok(!all.includes(KEY.slice(4)), `license key in clear:\n${all}`)
})

test('a host logger that throws at start-up leaves log_file as the fallback', () => {
  const r = runScript(`
    const ok = { info () {}, warn () {}, error () {}, debug () {} }
    const bad = { info () { throw new Error('host transport down') }, warn () {}, error () {}, debug () {} }
    const a = lib.createLogger({ log_file: 'stdout' }, { hostLogger: ok, global: false }).stats().destination
    const b = lib.createLogger({ log_file: 'stdout' }, { hostLogger: bad, global: false }).stats().destination
    process.stdout.write('\\nRESULT=' + JSON.stringify([a, b]) + '\\n')`)
  assert.equal(r.status, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  assert.deepEqual(result(lines), ['stdout', 'stdout'], r.stdout + r.stderr)
  // The startup line the host's logger refused is in log_file, and the failure is said once.
  assert.equal(lines.filter((l) => l.includes('event=agent_start')).length, 1, r.stdout)
  assert.equal(lines.filter((l) => l.includes('cause=host_logger_failed')).length, 1, r.stdout)
})

test('a host logger that throws after start-up: records go to log_file, counted once delivered, said once', () => {
  const r = runScript(`
    let fail = false
    const host = { info () { if (fail) throw new Error('host transport down') }, warn () {}, error () {}, debug () {} }
    const log = lib.createLogger({ license_key: ${JSON.stringify(KEY)}, log_file: 'stdout' }, { hostLogger: host, global: false })
    log.info('taken by the host')
    fail = true
    log.info('first refused %s', ${JSON.stringify(KEY)})
    log.info('second refused')
    log.flush()
    process.stdout.write('\\nRESULT=' + JSON.stringify(log.stats()) + '\\n')`)
  assert.equal(r.status, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  const stats = result(lines) as { records: { info: number, warning: number }, interference: Record<string, number> }
  assert.ok(!r.stdout.includes(KEY.slice(4)), r.stdout)
  assert.ok(lines.some((l) => l.includes('first refused')), r.stdout)
  assert.ok(lines.some((l) => l.includes('second refused')), r.stdout)
  assert.ok(!lines.some((l) => l.includes('taken by the host')), r.stdout)
  assert.equal(lines.filter((l) => l.includes('cause=host_logger_failed')).length, 1, r.stdout)
  assert.equal(stats.interference.host_logger_failed, 2)
  // The startup line and the first record went to the host; the two refused ones to stdout.
  assert.equal(stats.records.info, 4, JSON.stringify(stats))
  assert.equal(stats.records.warning, 1, JSON.stringify(stats))
})
