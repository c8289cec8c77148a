// Member names are redacted like content, before the name's length cap: a
// key (in any encoding the Redactor knows) is masked, and a key cut by the
// cap does not leave its start in the name.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Redactor } from '../../src/index'
import { memberName } from '../../src/cli/bundle/sources'

const KEY = 'Zq9XW3rT7uV1pL0kM8nB6cD5eF4gH2jA'
const r = new Redactor({ licenseKey: KEY })
const redact = (s: string, cut: boolean): string => r.text(s, cut)

test('bundle memberName: the key raw, hex, base64 or percent-encoded in a file name is masked; a plain name is kept', () => {
  assert.equal(memberName('oneapm-debug-123.log', redact), 'oneapm-debug-123.log')
  for (const form of [KEY, Buffer.from(KEY).toString('hex'), Buffer.from(KEY).toString('base64').replace(/=+$/, ''), encodeURIComponent(KEY)]) {
    const name = memberName(`oneapm-debug-${form}.log`, redact)
    assert.ok(!name.toLowerCase().includes(form.toLowerCase().slice(0, 12)), name)
    assert.match(name, /^[A-Za-z0-9._*-]+$/)
  }
})

test('bundle memberName: a key cut by the 200-character cap leaves no more than its shown prefix', () => {
  const name = memberName(`oneapm-debug-${'x'.repeat(200 - 13 - 10)}${KEY}.log`, redact)
  assert.ok(name.length <= 200 + 4)
  assert.ok(!name.includes(KEY.slice(0, 6)), name)
})
