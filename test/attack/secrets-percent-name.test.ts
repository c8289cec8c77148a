// Attack (found by the bundle's read-back scan): a secret name after a `%`
// that reads as a percent escape (`%ac` + `redentials`) was decoded into a
// non-secret name, so `%acredentials=<v>` went out in clear. A name is
// secret if it is secret read either way, decoded or as written.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Redactor } from '../../src/index'

const SECRET = 'Zq9Xv8Nc1Ty6Lw4P'

test('a secret name right after a %-escape-like prefix is masked in free text and as a field name', () => {
  const r = new Redactor()
  for (const name of ['%acredentials', '%aapassword', 'x%7Etoken', '%bepasswd', '%AAapi_key']) {
    const text = r.text(`login ${name}=${SECRET} done`)
    assert.ok(!text.includes(SECRET), `${name}: ${text}`)
    assert.ok(r.isSecretKey(name), name)
  }
  // Decoding still finds names that are only secret once decoded.
  assert.ok(r.isSecretKey('pass%77ord'))
  assert.ok(!r.text(`pass%77ord=${SECRET}`).includes(SECRET))
})
