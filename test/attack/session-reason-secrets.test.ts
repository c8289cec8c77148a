// Promise: no secret in any output (README, docs/support.md). `debug start
// --reason` text is printed back by the CLI and kept in the control file.
// The CLI's output goes only through configRedactor(cfg).final(), which masks
// the configured secrets (license key, proxy password) but not the generic
// rules the main log applies (password=..., Bearer tokens, URL passwords):
// the same reason is masked in agent.log but printed in clear by
// `debug start` and `debug status [--json]`. The control file (an output of
// ours, copied by anyone reading the debug dir) holds the reason raw,
// configured license key included.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { cli, setup } from '../helpers/debug-session'

const KEY = 'abcdef0123456789abcdef0123456789abcdef01'
const REASON = `case 1 password=hunter2xyz Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig0123 https://bob:s3cretpw@host/x key ${KEY}`
const CLEAR = ['hunter2xyz', 'eyJhbGciOi.eyJzdWIi.sig0123', 's3cretpw', KEY]

test('debug start/status never print a secret given in --reason (masked as in the main log)', async (t) => {
  const s = setup(`license_key = ${KEY}\n`)
  t.after(() => { fs.rmSync(s.dir, { recursive: true, force: true }) })
  const started = await cli(['debug', 'start', '--config', s.config, '--for', '1m', '--reason', REASON])
  assert.equal(started.status, 0, started.err)
  const status = await cli(['debug', 'status', '--config', s.config])
  const json = await cli(['debug', 'status', '--config', s.config, '--json'])
  for (const [what, text] of [['debug start', started.out], ['debug status', status.out], ['debug status --json', json.out]] as const) {
    for (const secret of CLEAR) assert.ok(!text.includes(secret), `${what} printed ${secret} in clear:\n${text}`)
  }
})

test('the control file written by debug start holds no secret of --reason in clear', async (t) => {
  const s = setup(`license_key = ${KEY}\n`)
  t.after(() => { fs.rmSync(s.dir, { recursive: true, force: true }) })
  const started = await cli(['debug', 'start', '--config', s.config, '--for', '1m', '--reason', REASON])
  assert.equal(started.status, 0, started.err)
  const control = fs.readFileSync(path.join(s.dir, 'oneapm-debug-session.json'), 'utf8')
  for (const secret of CLEAR) assert.ok(!control.includes(secret), `the control file holds ${secret} in clear:\n${control}`)
})
