import assert from 'node:assert/strict'
import { test } from 'node:test'
import { jsonFormat } from '../../src/format/json'
import { MASK, Redactor, maskSecret } from '../../src/format/redact'
import { textFormat } from '../../src/format/text'
import fc from 'fast-check'
import { ctx, lineOf } from '../helpers/format'
import { growth, LINEAR } from '../helpers/growth'
import { sanitizeName } from '../../src/logger/logger'

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
  assert.equal(r.text('cookie: sid=1; other=2'), 'cookie: ****')
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

// Each starts with ': @ =' so that no "nothing to mask" shortcut skips the work.
const HOSTILE: Record<string, string> = {
  'many :// without @': "'a://'.repeat(n / 4)",
  'many :// with a colon and no @': "'a://b:c'.repeat(n / 8)",
  'a secret name repeated': "'password'.repeat(n / 8)",
  'a secret name then a long word': "'token' + 'x'.repeat(n)",
  'secret names before a separator that never comes': "'token '.repeat(n / 6)",
  'a long run of spaces after a secret name': "'password' + ' '.repeat(n)",
  'many authorization headers': "'authorization:'.repeat(n / 14)",
  'many cookie names and blanks': "'cookie   '.repeat(n / 9)",
  'many bearer words': "'Bearer '.repeat(n / 7)",
  'backslashes and quotes after a key': "'password' + '\\\\'.repeat(n / 2)",
  'an unterminated quoted value, many times': "'password=\"'.repeat(n / 10)",
  'percent signs': "'pass%77ord%3'.repeat(n / 12)",
  'many PEM openings': "'-----BEGIN PRIVATE KEY'.repeat(n / 22)",
  'many jwt prefixes': "'eyJ.'.repeat(n / 4)",
  'license key prefixes': "'a1b2c3d4e5f6a7b8c9d0'.repeat(n / 20)",
  'a long name then a secret name': "'x_'.repeat(n / 2) + 'password=pw'",
  'scheme words after secret names': "'token=Bearer '.repeat(n / 13)",
  'a scheme after a secret name, then a long credential': "'auth: Basic ' + 'Q'.repeat(n)",
  'secret XML elements': "'<password>'.repeat(n / 10)",
  'namespace-like tag openings': "'<a:'.repeat(n / 3)",
  'encoded separators and ends': "'pw%3D%26'.repeat(n / 8)",
  'scheme-relative URL openings with colons': "'//u:'.repeat(n / 4) + '@'",
  'slashes': "'/'.repeat(n) + ':x@'",
  'license key encodings, cut short': "'%61%31%62%32\\\\u0061\\\\u0031613162'.repeat(n / 32)"
}

for (const [name, expr] of Object.entries(HOSTILE)) {
  test(`redaction is linear on hostile input: ${name} (16 KB vs 1 MB)`, () => {
    const g = growth(`
const { Redactor } = mod('format/redact')
const r = new Redactor({ licenseKey: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0' })
function make (n) { return ': @ = ' + ${expr} }
function run (s) { r.text(s); r.text(s, true) }
`)
    assert.ok(g.ratio < LINEAR, `${name}: ${JSON.stringify(g)}`)
  })
}

test('URL userinfo: a password holding @ is masked up to the last @ of the authority', () => {
  const r = new Redactor()
  assert.equal(r.text('proxy http://u:p@ss@host:3128/x'), 'proxy http://u:****@host:3128/x')
  assert.equal(r.text('"http://u:p@s@s@h"'), '"http://u:****@h"')
  assert.equal(r.text('mail a@b.c and http://host/path@x'), 'mail a@b.c and http://host/path@x')
  assert.equal(r.text('http://[::1]:8080/'), 'http://[::1]:8080/')
})

test('a scheme-relative URL\'s password is masked (an INI line split at its first ":" leaves `//user:pass@host`)', () => {
  const r = new Redactor()
  assert.equal(r.text('proxy http=//user:J5lbSwPnmGKKzbzWtQ1LTzEg5MsK@proxy:3128'), 'proxy http=//user:****@proxy:3128')
  assert.equal(r.text('see //u:p@ss@host/x'), 'see //u:****@host/x')
  assert.equal(r.text('a path //x/y and mail a@b.c'), 'a path //x/y and mail a@b.c')
  assert.equal(r.text('cut //user:secr', true), 'cut //user:****')
})

test('a secret parameter inside a URL authority (no @) is masked: JDBC `;password=`, `,token=`, `&token=`', () => {
  // The authority ran to the first `/ ? #` or blank and was skipped whole when it held no `@`,
  // so parameters glued to it went out in clear.
  const r = new Redactor()
  assert.equal(r.text('jdbc:sqlserver://db.example.com:1433;databaseName=app;user=sa;password=hunter2;'),
    'jdbc:sqlserver://db.example.com:1433;databaseName=app;user=sa;password=****;')
  assert.equal(r.text('url=https://db.example.com,password=hunter2'), 'url=https://db.example.com,password=****')
  assert.equal(r.text('url=https://host&token=s3cr3tvalue'), 'url=https://host&token=****')
  assert.equal(r.text('smb://host;password=hunter2 next'), 'smb://host;password=**** next')
  assert.equal(r.text('see //host;password=hunter2'), 'see //host;password=****')
  // After the userinfo's @ too, and the URL itself stays readable.
  assert.equal(r.text('db://u:pw@host;password=hunter2'), 'db://u:****@host;password=****')
  assert.equal(r.text('https://host:8080/path'), 'https://host:8080/path')
})

test('cookies with several pairs and Set-Cookie are masked whole', () => {
  const r = new Redactor()
  assert.equal(r.text('Cookie: a=1; b=2; c=3'), 'Cookie: ****')
  assert.equal(r.text('GET / HTTP/1.1\r\nCookie: a=1; b=2\r\nHost: x'), 'GET / HTTP/1.1\r\nCookie: ****\r\nHost: x')
  assert.equal(r.text('Set-Cookie: sid=abc; Path=/; HttpOnly'), 'Set-Cookie: ****')
  assert.equal(r.text('{"cookie":"a=1; b=2","x":1}'), '{"cookie":"****","x":1}')
})

test('Bearer, Basic, Token and Digest credentials in free text', () => {
  const r = new Redactor()
  assert.equal(r.text('sent Bearer abc.def.ghi to x'), 'sent Bearer **** to x')
  assert.equal(r.text('using basic dXNlcjpwYXNz now'), 'using basic **** now')
  assert.equal(r.text('Token ghp_16C7e42F292c6912E7710c8'), 'Token ****')
  assert.equal(r.text('Digest username="u", response="6629fae49393a05397450978507c4ef1"'), 'Digest ****')
  assert.equal(r.text('a Bearer token expired; Basic realm needed'), 'a Bearer token expired; Basic realm needed')
  // Percent-encoded or mangled credentials are masked to the end of the value, not to the first odd character.
  assert.equal(r.text('sent with Bearer 7iq3X99AQovC%40IRjMXAHeegKGi and rejected'), 'sent with Bearer **** and rejected')
  assert.equal(r.text('Bearer dXNlcjpw%2BYXNz%3D%3D, retry'), 'Bearer ****, retry')
  assert.equal(r.text('Basic 7iq3X99AQovC@IRjMXAHee:gKGi'), 'Basic ****')
  assert.equal(r.text('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig-nature_x here'), 'jwt **** here')
})

test('URL-encoded forms and percent-encoded key names', () => {
  const r = new Redactor()
  assert.equal(r.text('password=x&user=y'), 'password=****&user=y')
  assert.equal(r.text('pass%77ord=hunter2&u=1'), 'pass%77ord=****&u=1')
  assert.equal(r.text('user%5Bpassword%5D=hunter2&u=1'), 'user%5Bpassword%5D=****&u=1')
  assert.equal(r.text('next=%2Flogin%3Fpassword%3Dhunter2%26a%3D1'), 'next=%2Flogin%3Fpassword%3D****%26a%3D1')
})

test('JSON embedded in a string, escaped or not', () => {
  const r = new Redactor()
  assert.equal(r.text('body {"password":"x y","user":"u"}'), 'body {"password":"****","user":"u"}')
  assert.equal(r.text('body {\\"password\\":\\"x\\\\\\"y\\",\\"u\\":1}'), 'body {\\"password\\":\\"****\\",\\"u\\":1}')
  assert.equal(r.text("{'secret': 'abc', ok: 1}"), "{'secret': '****', ok: 1}")
  assert.equal(r.text('{"token": 12345}'), '{"token": ****}')
})

test('near-miss names of secret keys, as fields and in text', () => {
  const r = new Redactor()
  for (const name of ['passwd', 'pasword', 'passwrd', 'licence_key', 'Authorisation', 'x-auth-token', 'secret_access_key', 'private_key', 'client_secret', 'db_pwd', 'sessid', 'refresh_token']) {
    assert.ok(r.isSecretKey(name), name)
    assert.equal(r.text(`${name}=hunter2&x=ok`), `${name}=****&x=ok`)
  }
  for (const name of ['user', 'host', 'passed', 'compass', 'author', 'keyboard']) assert.ok(!r.isSecretKey(name), name)
})

test('the license key in another letter case and in common encodings', () => {
  const r = new Redactor({ licenseKey: KEY })
  const basic = Buffer.from(`user:${KEY}`).toString('base64')
  for (const s of [KEY.toUpperCase(), `k=${encodeURIComponent(KEY)}`, `{\\"k\\":\\"${KEY}\\"}`, `creds ${basic} end`, `x${Buffer.from('ab' + KEY).toString('base64')}`]) {
    const out = r.text(s)
    assert.ok(!out.toLowerCase().includes(KEY.slice(4, 16)), out)
    assert.ok(!out.includes(basic.slice(8, 40)), out)
  }
})

test('PEM private keys are masked, and unterminated ones to the end', () => {
  const r = new Redactor()
  const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----'
  assert.equal(r.text(`key ${pem} loaded`), 'key -----BEGIN RSA PRIVATE KEY-----****-----END RSA PRIVATE KEY----- loaded')
  assert.equal(r.text('-----BEGIN PRIVATE KEY-----\nMIIEpAIB'), '-----BEGIN PRIVATE KEY-----****')
})

test('a cut window fails closed: a credential reaching the edge is masked to the end', () => {
  const r = new Redactor({ licenseKey: KEY })
  assert.equal(r.text('proxy ://user:pa', true), 'proxy ://user:****')
  assert.equal(r.text('proxy ://user:pa'), 'proxy ://user:pa')
  assert.equal(r.text('x {"password":"abc', true), 'x {"password":"****')
  assert.equal(r.text(`key ${KEY.slice(0, 20)}`, true), 'key ****')
  assert.equal(r.text('auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIi', true), 'auth ****')
})

test('redaction is idempotent and never grows a string much', () => {
  const r = new Redactor({ licenseKey: KEY })
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
    const once = r.text(s)
    assert.equal(r.text(once), once)
    assert.ok(once.length <= s.length + 8)
  }), { numRuns: 500 })
})

const SECRET = 'S3cr3tV4lue9Q'
const plantings = fc.constantFrom<(s: string) => string>(
  (s) => `password=${s}`,
  (s) => `pasword: ${s}`,
  (s) => `https://user:${s}@host/x`,
  (s) => `http://u:p@${s}@host/`,
  (s) => `Authorization: Bearer ${s}`,
  (s) => `Bearer ${s}`,
  (s) => `Cookie: a=1; b=${s}; c=3`,
  (s) => `{"client_secret":"${s}"}`,
  (s) => JSON.stringify(JSON.stringify({ password: s })),
  (s) => `user=u&pass%77ord=${s}&x=1`,
  (s) => `?api_key=${s}#f`,
  (s) => `token='${s}'`,
  (s) => `X-Auth-Token: ${s}`,
  // A secret name whose value starts with an auth scheme: the credential, not the word.
  (s) => `token: Bearer ${s}`,
  (s) => `api_token=Bearer ${s}`,
  (s) => `proxy_auth=Basic ${s}`,
  (s) => `x-auth: Basic ${s}`,
  (s) => `{auth=Negotiate ${s}}`,
  (s) => `a=1%26auth%3DBearer%20${s}%26b%3D2`,
  (s) => `auth=Token+${s}`,
  // Long names are judged by their end as well as their start.
  (s) => `${'x_'.repeat(150)}password=${s}`,
  (s) => `${'-'.repeat(300)}password=${s}`,
  (s) => `next=%2Fcb%3Fstate%3D${'a'.repeat(300)}%26password%3D${s}`,
  (s) => `state%3Dx%26pw%3D${s}`,
  // Short suffixes, brackets in a value, XML elements.
  (s) => `proxy_pw=${s}`,
  (s) => `user_pass: ${s}`,
  (s) => `password=p)${s}`,
  (s) => `password=(${s})`,
  (s) => `<password>${s}</password>`,
  (s) => `<ns:client_secret type="x">${s}</ns:client_secret>`
)
const filler = fc.string({ unit: fc.constantFrom('a', ' ', '\n', ',', ':', '=', '/', '"', '.', '@', 'é'), maxLength: 40 })

test('property: a secret planted at a random position in any shape never survives', () => {
  const r = new Redactor()
  fc.assert(fc.property(filler, plantings, filler, (before, plant, after) => {
    const out = r.text(before + ' ' + plant(SECRET) + ' ' + after)
    assert.ok(!out.includes(SECRET), out)
    assert.ok(!out.includes(SECRET.slice(0, 6)), out)
  }), { numRuns: 2000 })
})

test('property: the license key in a random case and encoding never survives', () => {
  const r = new Redactor({ licenseKey: KEY })
  const encodings = fc.constantFrom<(k: string) => string>(
    (k) => k, (k) => k.toUpperCase(), (k) => encodeURIComponent(k), (k) => JSON.stringify(k),
    (k) => `Basic ${Buffer.from('u:' + k).toString('base64')}`, (k) => Buffer.from(k).toString('base64'),
    (k) => Buffer.from('x' + k).toString('base64'), (k) => Buffer.from('xy' + k).toString('base64'),
    (k) => Buffer.from(k).toString('hex'), (k) => Buffer.from(k).toString('hex').toUpperCase(),
    (k) => [...k].map((c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).join(''),
    (k) => [...k].map((c) => '%' + c.charCodeAt(0).toString(16)).join(''),
    (k) => [...k].map((c) => '\\u00' + c.charCodeAt(0).toString(16)).join(''),
    (k) => JSON.stringify(k).replace(/[a-z0-9]/gi, (c) => '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0'))
  )
  fc.assert(fc.property(filler, encodings, filler, (before, enc, after) => {
    const encoded = enc(KEY)
    const out = r.text(before + encoded + after)
    const mid = Math.floor(encoded.length / 2)
    assert.ok(!out.toLowerCase().includes(KEY.slice(6, 18)), out)
    assert.ok(!out.includes(encoded.slice(mid - 6, mid + 6)), out)
  }), { numRuns: 500 })
})

test('a secret name whose value is an auth scheme masks through the credential', () => {
  const r = new Redactor()
  assert.equal(r.text('token: Bearer q7Rk2Lw9Zp4Xv8Nc1Ty6 next'), 'token: **** next')
  assert.equal(r.text('auth=Basic Ym9iOmh1bnRlcjI=&x=1'), 'auth=****&x=1')
  assert.equal(r.text('x-auth: Basic Ym9iOmh1bnRlcjI='), 'x-auth: ****')
  assert.equal(r.text('auth%3DBearer%20abc123%26x%3D1'), 'auth%3D****%26x%3D1')
  // The scheme word alone, or with nothing credential-like after it, is still the value.
  assert.equal(r.text('token=Bearer'), 'token=****')
  assert.equal(r.text('token: Bearer "'), 'token: **** "')
  // Outside a secret name's value, prose keeps its words.
  assert.equal(r.text('basic auth is off'), 'basic auth is off')
})

test('long field and text names are judged by their end too', () => {
  const r = new Redactor()
  assert.equal(r.isSecretKey('x_'.repeat(150) + 'password'), true)
  assert.equal(r.isSecretKey('_'.repeat(5000) + 'db_password'), true)
  assert.equal(r.isSecretKey('x_'.repeat(150) + 'name'), false)
  assert.equal(r.text('-'.repeat(300) + 'password=hunter2'), '-'.repeat(300) + 'password=****')
  for (const format of [textFormat, jsonFormat]) {
    const line = lineOf(format, [{ ['x_'.repeat(150) + 'password']: 'hunter2-x', form: { ['_'.repeat(300) + 'db_password']: 'hunter2-y' } }, 'm'])
    assert.ok(!line.includes('hunter2'), line)
  }
})

test('pw as a suffix, brackets inside a value and XML elements', () => {
  const r = new Redactor()
  assert.equal(r.isSecretKey('proxy_pw'), true)
  assert.equal(r.isSecretKey('dbPw'), true)
  assert.equal(r.isSecretKey('user_pass'), true)
  assert.equal(r.isSecretKey('passenger'), false)
  assert.equal(r.isSecretKey('cache_bypass'), false)
  assert.equal(r.text('password=p)ss next'), 'password=**** next')
  assert.equal(r.text('<password>x</password> <user>bob</user>'), '<password>****</password> <user>bob</user>')
  assert.equal(r.text('<a:token>x</a:token>'), '<a:token>****</a:token>')
  assert.equal(r.text('<password>unterminated'), '<password>****')
  assert.equal(r.text('<b>bold</b>'), '<b>bold</b>')
})

test('the license key hex-, fully percent- and \\u-escaped', () => {
  const r = new Redactor({ licenseKey: KEY })
  const hex = Buffer.from(KEY).toString('hex')
  assert.equal(r.text(`dump ${hex.toUpperCase()} end`), `dump ${MASK} end`)
  const pct = [...KEY].map((c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).join('')
  assert.equal(r.text(`k=${pct}`), `k=${MASK}`)
  const uni = [...KEY].map((c) => '\\u00' + c.charCodeAt(0).toString(16)).join('')
  assert.ok(!r.text(`"${uni}"`).includes(uni.slice(6, 60)))
  // A window cut inside an encoded key masks its start.
  assert.equal(r.text('x ' + hex.slice(0, 20), true), 'x ' + MASK)
})

test('logger names: the license key and <secret name>_<value> segments are masked, others kept', () => {
  const r = new Redactor({ licenseKey: KEY })
  assert.equal(r.name('oneapm.collector.http'), 'oneapm.collector.http')
  assert.equal(r.name('oneapm.req-42'), 'oneapm.req-42')
  assert.equal(r.name('oneapm.token_tK9vQ2mX7pL4wZ8r'), 'oneapm.token_****')
  assert.equal(r.name('oneapm.session.db_password_hunter2'), 'oneapm.session.db_password_****')
  assert.equal(r.name('oneapm.' + KEY), 'oneapm.' + maskSecret(KEY))
  assert.equal(r.name('oneapm.tenant-' + KEY.toUpperCase()), 'oneapm.tenant-' + maskSecret(KEY))
  assert.equal(r.name('oneapm.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'), 'oneapm.****.****.sig')
  // Cut at the end of a segment or of the whole name.
  assert.equal(r.name('oneapm.' + 'x'.repeat(100) + KEY.slice(0, 20)), 'oneapm.' + 'x'.repeat(100) + MASK)
})

test('property: a secret in a logger name, sanitized as child() does, never survives', () => {
  const r = new Redactor({ licenseKey: KEY })
  const token = 'tK9vQ2mX7pL4wZ8r'
  const shapes = fc.constantFrom<(k: string, t: string) => string>(
    (k) => k, (k) => k.toUpperCase(), (k) => 'tenant-' + k.toLowerCase(), (k) => Buffer.from(k).toString('hex'),
    (k) => [...k].map((c) => '%' + c.charCodeAt(0).toString(16)).join(''),
    (k) => encodeURIComponent(':' + k), (_k, t) => 'token=' + t, (_k, t) => 'session.token=' + t,
    (_k, t) => 'db_password:' + t, (_k, t) => 'Bearer ' + t
  )
  const part = fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', '_', ':', '1'), maxLength: 20 })
  fc.assert(fc.property(part, shapes, part, (before, shape, after) => {
    const out = r.name('oneapm.' + sanitizeName(before + shape(KEY, token) + after))
    assert.ok(!out.toLowerCase().includes(KEY.slice(6, 18)), out)
    assert.ok(!out.includes(Buffer.from(KEY).toString('hex').slice(12, 40)), out)
    assert.ok(!out.includes(token.slice(0, 8)), out)
  }), { numRuns: 1000 })
})

test('a long text scrubbed again (an error stack logged twice) gives the same answer, whatever strings it came from', () => {
  const r = new Redactor({ licenseKey: 'abcd1234abcd1234abcd' })
  const stack = 'Error: boom token=s3cr3tvalue\n' + '    at fn (/srv/app/x.js:1:2)\n'.repeat(20)
  const parent = 'x'.repeat(100_000) + stack
  const first = r.text(stack)
  assert.ok(!first.includes('s3cr3tvalue'))
  assert.equal(r.text(parent.slice(100_000)), first)
  assert.equal(r.text(stack), first)
  // A text that needs no change comes back as the caller's own string.
  const clean = '    at fn (/srv/app/y.js:1:2)\n'.repeat(20)
  assert.equal(r.text(clean), clean)
  assert.equal(r.text(clean), clean)
  // Many distinct texts: the cache starts over rather than grow.
  for (let i = 0; i < 100; i++) assert.ok(!r.text(`${i} password=hunter2 ` + clean).includes('hunter2'))
})

test('misspelt license key names are secret names, in fields and in free text', () => {
  const r = new Redactor()
  for (const name of ['lisence_key', 'lisense-key', 'licsence_key', 'lycenseKey', 'license_kye', 'LISENCEKEY']) {
    assert.ok(r.isSecretKey(name), name)
    assert.ok(!r.text(`request ${name}=aynq2oyaRfAqmrjFnSvZMhR5Mj`).includes('aynq2oya'), name)
  }
  assert.ok(!r.isSecretKey('licensed_seats'))
})

test('a window cut inside a URL password (its @ past the cut) is masked to the end, pre-filter or not', () => {
  const r = new Redactor()
  assert.equal(r.text('proxy http://agent:s3cretPassw', true), 'proxy http://agent:****')
  assert.equal(r.text('proxy http://agent:s3cretPassw', false), 'proxy http://agent:s3cretPassw', 'whole text: no @, no password')
})
