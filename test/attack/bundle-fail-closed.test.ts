// The bundle fails closed: whatever the redaction misses, the read-back scan
// finds on its own; the archive is then deleted and the command exits 1,
// naming member and rule, never the value.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { BEARER, KEY, PROXY_PW, fixture, runBundleIn } from '../helpers/bundle'

const CASES = [
  { plant: `connecting with license ${KEY.toLowerCase()}`, rule: 'license-key' },
  { plant: `via http://bob:${PROXY_PW}@proxy.example:3128`, rule: 'url-password' },
  { plant: `headers Authorization: Bearer ${BEARER}`, rule: 'auth-token' },
  { plant: 'login {"password":"hunter2hunter2"}', rule: 'secret-field' }
]

for (const c of CASES) {
  test(`bundle: a ${c.rule} the redaction missed (fault put in through a hook) makes it exit 1 and leave no archive`, async () => {
    const f = fixture()
    fs.writeFileSync(f.log, `2026 INFO (1/main) oneapm: ${c.plant}\n`)
    // The fault: log lines are not redacted at all. The scan is all that is left.
    const r = await runBundleIn(['--config', f.config, '--out', f.out], { redactLine: (_m, s) => s })
    assert.equal(r.status, 1, r.stdout)
    assert.equal(r.archive, undefined)
    assert.deepEqual(fs.readdirSync(f.out), [], 'no archive, partial or staging dir is left')
    assert.match(r.stderr, new RegExp(`logs/agent\\.log: ${c.rule} left in clear`))
    assert.match(r.stderr, /refused: the archive was deleted/)
    for (const secret of [KEY, PROXY_PW, BEARER, 'hunter2hunter2']) assert.ok(!r.stderr.toLowerCase().includes(secret.toLowerCase()), 'never the value')
  })
}

test('bundle: the same plants with redaction on give an archive (the scan does not flag what was masked)', async () => {
  const f = fixture()
  fs.writeFileSync(f.log, CASES.map((c) => `2026 INFO (1/main) oneapm: ${c.plant}`).join('\n') + '\n')
  const r = await runBundleIn(['--config', f.config, '--out', f.out])
  assert.equal(r.status, 0, r.stderr)
})

test('bundle: the plant the redactor once missed (`%acredentials=`, %ac read as an escape) is masked now, and the bundle finishes', async () => {
  const f = fixture()
  const value = 'Qm9vZ2llV29vZ2llMTIzNDU2'
  fs.writeFileSync(f.log, `2026 INFO (1/main) oneapm.http: query 50%acredentials=${value}\n`)
  const r = await runBundleIn(['--config', f.config, '--out', f.out])
  assert.equal(r.status, 0, r.stderr)
  assert.ok(!r.stdout.includes(value) && !r.stderr.includes(value))
  assert.equal(fs.readdirSync(f.out).length, 1)
})
