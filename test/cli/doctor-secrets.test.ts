// doctor's text and --json never hold a secret, whatever the config holds.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runDoctor } from '../../src/cli/doctor'
import { tmpDir } from '../helpers/tmp'

const KEY = 'Zq9XW3rT7uV1pL0kM8nB6cD5eF4gH2jA'
const PW = 'pa@ss:w0rd!Q'

function doctor (args: string[]): string {
  let out = ''
  runDoctor(args, (s) => { out += s })
  return out
}

test('doctor text and --json hold no license key (any case), proxy password or misspelt secret', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, [
    '[oneapm]',
    `license_key = ${KEY}`,
    `licence_key = ${KEY.toLowerCase()}`,
    `license_key ${KEY}`,
    `proxy = http://user:${PW}@proxy.local:3128`,
    `app_name = ${KEY.toUpperCase()}`,
    `auth_tokn = ${PW}x`,
    `log_file = ${path.join(dir, 'agent.log')}`,
    `[${KEY}]`
  ].join('\n') + '\n')
  for (const args of [['--config', file], ['--config', file, '--json']]) {
    const out = doctor(args)
    assert.match(out, /license_key/)
    for (const secret of [KEY, PW, 'ss:w0rd', KEY.slice(4)]) {
      assert.ok(!out.toLowerCase().includes(secret.toLowerCase()), `${args.join(' ')}: ${secret} found in\n${out}`)
    }
  }
})
