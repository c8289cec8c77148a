// Messages through the host-logger bridge are cut to log_max_line like our
// own lines, after redaction (a secret straddling the cut is still masked).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger } from '../../src/index'

const KEY = 'Tq8Wv3Xy5Za7Bc9De1Fg2Hj4Kl6Mn0Pr'

test('a host-logger message is redacted, then cut to log_max_line', async () => {
  const got: string[] = []
  const host = { info (_f: unknown, msg: string) { got.push(msg) }, warn () {}, error () {}, debug () {} }
  const max = 4096
  const log = createLogger({ log_file: 'stderr', log_max_line: max, license_key: KEY }, { global: false, hostLogger: host })
  try {
    log.info('%s', 'x'.repeat(max - 10) + KEY + 'y'.repeat(20_000))
    log.info('%s', 'é'.repeat(10_000))
    const [long, wide] = got.slice(-2)
    assert.ok(long !== undefined && wide !== undefined)
    assert.ok(Buffer.byteLength(long) <= max, `${Buffer.byteLength(long)} bytes`)
    assert.ok(Buffer.byteLength(wide) <= max, `${Buffer.byteLength(wide)} bytes`)
    assert.ok(!long.includes(KEY.slice(4, 9)), long.slice(-80))
    assert.ok(long.startsWith('xxxx'))
  } finally {
    await log.close()
  }
})
