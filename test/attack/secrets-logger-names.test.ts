// Attack: secrets in logger names. The header's logger name is escaped and cut
// but never redacted: child(licenseKey) writes the whole license key in every
// record's header, and child('token=...') writes the token (the '=' becomes
// '_'). The same name goes to a host logger as the `logger` field.
// README: "No secrets. License keys (in any case or encoding) ... are masked
// in every record"; issue 7: "Every output goes through the same redaction".
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runScript } from '../helpers/child'

const KEY = 'A1B2c3d4E5f6G7h8I9j0K1l2M3n4O5p6'
const TOKEN = 'tK9vQ2mX7pL4wZ8r'

for (const format of ['text', 'json']) {
  test(`${format}: the license key and a token in a logger name are masked in the header`, () => {
    const r = runScript(`
      const log = lib.createLogger({ log_file: 'stdout', log_format: ${JSON.stringify(format)}, license_key: ${JSON.stringify(KEY)} })
      log.child(${JSON.stringify(KEY)}).info('by license key')
      log.child('tenant-' + ${JSON.stringify(KEY.toLowerCase())}).info('lower case')
      log.child('token=${TOKEN}').info('by token')
      lib.getLogger('session.token=${TOKEN}').info('getLogger')
      log.flush()`)
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /by license key/)
    for (const secret of [KEY.slice(4), TOKEN]) {
      const line = r.stdout.split('\n').find((l) => l.toLowerCase().includes(secret.toLowerCase()))
      assert.equal(line, undefined, `${secret} in a header:\n${line}`)
    }
  })
}

test('host-logger bridge: the `logger` field holds no license key', () => {
  const r = runScript(`
    const pino = require(${JSON.stringify(require.resolve('pino'))})
    let out = ''
    const host = pino({ level: 'trace' }, { write (s) { out += s } })
    const log = lib.createLogger({ log_file: 'stderr', license_key: ${JSON.stringify(KEY)} }, { hostLogger: host, global: false })
    log.child(${JSON.stringify(KEY)}).info('named')
    log.flush()
    process.stdout.write(out)`)
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /named/)
  assert.ok(!r.stdout.includes(KEY.slice(4)), r.stdout)
})
