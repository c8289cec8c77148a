import assert from 'node:assert/strict'
import { test } from 'node:test'
import { jsonFormat } from '../../src/format/json'
import { MASK, Redactor, maskSecret } from '../../src/format/redact'
import { textFormat } from '../../src/format/text'
import { ctx, lineOf } from '../helpers/format'

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0'

test('the license key is never written in full, wherever it appears', () => {
  const c = ctx({ licenseKey: KEY })
  for (const format of [textFormat, jsonFormat]) {
    const line = lineOf(format, [{ cfg: { license_key: KEY }, note: `key is ${KEY}` }, 'POST /invoke?method=connect&license_key=%s and %s', KEY, KEY], { ctx: c })
    assert.ok(!line.includes(KEY), line)
    assert.ok(!line.includes(KEY.slice(0, 12)), line)
    assert.ok(line.includes('a1b2****'), line)
  }
})

test('masking keeps a short prefix of long secrets only', () => {
  assert.equal(maskSecret(KEY), 'a1b2****')
  assert.equal(maskSecret('short'), MASK)
})

test('URL passwords, secret query parameters and auth headers are masked in any string', () => {
  const r = new Redactor()
  assert.equal(r.text('proxy https://user:s3cret@proxy.local:3128/x'), 'proxy https://user:****@proxy.local:3128/x')
  assert.equal(r.text('GET /a?token=abc&x=1&api_key=zzz#f'), 'GET /a?token=****&x=1&api_key=****#f')
  assert.equal(r.text('db_password=hunter2 user=bob'), 'db_password=**** user=bob')
  assert.equal(r.text('Authorization: Bearer abc.def.ghi'), 'Authorization: ****')
  assert.equal(r.text('cookie: sid=1; other=2'), 'cookie: ****; other=2')
  assert.equal(r.text('x-license-key=abcd'), 'x-license-key=****')
  assert.equal(r.text('nothing to see here'), 'nothing to see here')
})

test('fields named like secrets are masked at any depth, plus log_redact names', () => {
  const c = ctx({ extraNames: ['X-Session'] })
  const fields = {
    password: 'p1', nested: { deeper: { apiKey: 'k', Authorization: 'Basic x', client_secret: 's', accessToken: 't' } },
    headers: { cookie: 'c=1', 'set-cookie': 'c=2', 'x-session': 'abc' },
    list: [{ passwd: 'x' }],
    map: new Map([['token', 'v']]),
    fine: 'visible'
  }
  const rec = JSON.parse(lineOf(jsonFormat, [fields, 'm'], { ctx: c })) as Record<string, unknown>
  assert.deepEqual(rec.password, MASK)
  assert.deepEqual(rec.nested, { deeper: { apiKey: MASK, Authorization: MASK, client_secret: MASK, accessToken: MASK } })
  assert.deepEqual(rec.headers, { cookie: MASK, 'set-cookie': MASK, 'x-session': MASK })
  assert.deepEqual(rec.list, [{ passwd: MASK }])
  assert.deepEqual(rec.map, { token: MASK })
  assert.equal(rec.fine, 'visible')
  const text = lineOf(textFormat, [fields, 'm'], { ctx: c })
  for (const secret of ['p1', 'Basic x', 'c=1', 'abc"']) assert.ok(!text.includes(secret), `${secret} in ${text}`)
})

test('secrets inside an error message, stack and fields are masked', () => {
  const err = Object.assign(new Error('connect to https://u:pw123@proxy failed'), { token: 'tok-123' })
  const line = lineOf(jsonFormat, [err], { level: 50 })
  assert.ok(!line.includes('pw123'), line)
  assert.ok(!line.includes('tok-123'), line)
})

test('masking is linear: a long adversarial string is handled quickly enough to finish', () => {
  const r = new Redactor()
  const s = 'a.'.repeat(200_000) + '://x:' + 'y'.repeat(100_000) + ' password' + '='.repeat(10)
  assert.equal(typeof r.text(s), 'string')
})
