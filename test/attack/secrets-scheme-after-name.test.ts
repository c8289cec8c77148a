// Attack: a secret name whose value is a scheme word (`token: Bearer <t>`,
// `auth=Basic <b64>`). The name rule masks the word `Bearer`/`Basic` as the
// value, scanning resumes after it, and the credential that follows is never
// seen by the Bearer/Basic rule: it is written in clear.
// docs/formats.md#redaction promises both "the value after a secret name"
// and "the credential after Bearer, Basic, Token or Digest in free text".
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runScript } from '../helpers/child'

const TOKEN = 'q7Rk2Lw9Zp4Xv8Nc1Ty6'
const B64 = Buffer.from('bob:hunter2-Secret').toString('base64')

const MESSAGES = [
  `token: Bearer ${TOKEN}`,
  `api_token=Bearer ${TOKEN}`,
  `auth=Bearer ${TOKEN}`,
  `proxy_auth=Basic ${B64}`,
  `x-auth: Basic ${B64}`
]

for (const format of ['text', 'json']) {
  test(`${format}: a credential after "<secret name>= Bearer|Basic" is masked in the message and in a field`, () => {
    const r = runScript(`
      const log = lib.createLogger({ log_file: 'stdout', log_format: ${JSON.stringify(format)} })
      for (const m of ${JSON.stringify(MESSAGES)}) { log.info(m); log.info({ detail: m }, 'field') }
      log.flush()`)
    assert.equal(r.status, 0, r.stderr)
    for (const secret of [TOKEN, B64]) {
      const line = r.stdout.split('\n').find((l) => l.includes(secret))
      assert.equal(line, undefined, `${secret} written in clear:\n${line}`)
    }
  })
}

test('the host-logger bridge (pino) gets the credential after "token: Bearer" masked', () => {
  const r = runScript(`
    const pino = require(${JSON.stringify(require.resolve('pino'))})
    let out = ''
    const host = pino({ level: 'trace' }, { write (s) { out += s } })
    const log = lib.createLogger({ log_file: 'stderr' }, { hostLogger: host, global: false })
    log.warning('token: Bearer ${TOKEN}')
    log.flush()
    process.stdout.write(out)`)
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.stdout.includes('****'), r.stdout)
  assert.ok(!r.stdout.includes(TOKEN), `token in the host logger's line:\n${r.stdout}`)
})
