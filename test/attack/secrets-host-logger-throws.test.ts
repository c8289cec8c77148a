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
    process.stdout.write(JSON.stringify([a, b]))`)
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), ['stdout', 'stdout'], r.stderr)
})
