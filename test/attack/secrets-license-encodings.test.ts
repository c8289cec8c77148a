// Attack: the configured license key in encodings other than the four the
// Redactor derives (as written, encodeURIComponent, JSON-escaped, base64):
// hex (Buffer#toString('hex'), as a debug dump shows bytes), every character
// percent-encoded (a form body from a client that encodes everything) and
// JSON \u escapes (a JSON encoder with ensure_ascii-style output). README:
// "License keys (in any case or encoding) ... are masked in every record".
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runScript } from '../helpers/child'

const KEY = 'A1B2c3d4E5f6G7h8I9j0K1l2M3n4O5p6'
const ENCODED: Record<string, string> = {
  hex: Buffer.from(KEY).toString('hex'),
  percent: [...KEY].map((c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).join(''),
  unicodeEscapes: [...KEY].map((c) => '\\u00' + c.charCodeAt(0).toString(16)).join('')
}

test('the license key is masked when hex-, fully percent- or \\u-escaped', () => {
  const r = runScript(`
    const log = lib.createLogger({ log_file: 'stdout', license_key: ${JSON.stringify(KEY)} })
    for (const [how, s] of Object.entries(${JSON.stringify(ENCODED)})) log.info('%s: %s', how, s)
    log.flush()`)
  assert.equal(r.status, 0, r.stderr)
  for (const [how, s] of Object.entries(ENCODED)) {
    assert.ok(!r.stdout.toLowerCase().includes(s.slice(8).toLowerCase()), `${how} form in clear:\n${r.stdout.split('\n').find((l) => l.includes(how + ':')) ?? ''}`)
  }
})
