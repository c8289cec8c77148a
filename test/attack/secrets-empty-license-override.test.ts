// Attack: an empty ONEAPM_LICENSE_KEY= (a deployment template that blanks
// it) overrides the file's license_key, so settings.license_key is unset and
// the logger's Redactor, built from it, does not know the key the file holds:
// a record quoting it (an agent echoing its config) shows it in clear, while
// doctor masks it. The logger must mask every secret the config was given.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const KEY = 'Hk7Lm2Np9Qr4St6Uv8Wx0Yz3Ab5Cd1Ef'
const PW = 'pr0xyPassW0rd'

test('an empty ONEAPM_LICENSE_KEY does not unmask the file\'s key, nor a proxy password, in records', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, `[oneapm]\nlicense_key = ${KEY}\nproxy = http://bob:${PW}@proxy.local:3128\n`)
  const r = runScript(`
    const cfg = lib.loadConfig({ file: ${JSON.stringify(file)}, env: { ONEAPM_LICENSE_KEY: '', ONEAPM_LOG_FILE: 'stdout' } })
    const log = lib.createLogger(cfg, { global: false })
    log.info('key %s and %s', ${JSON.stringify(KEY)}, ${JSON.stringify(KEY.toLowerCase())})
    log.info('password %s', ${JSON.stringify(PW)})
    log.flush()`)
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /key /)
  assert.match(r.stdout, /password /)
  const all = (r.stdout + r.stderr).toLowerCase()
  assert.ok(!all.includes(KEY.slice(4).toLowerCase()), r.stdout)
  assert.ok(!all.includes(PW.toLowerCase()), r.stdout)
})
