// Attack: a proxy password with an unencoded '#', '/', '?' or space, as
// operators type them (`proxy = http://bob:p#ssw0rd@proxy:3128`). The URL
// does not parse, so the value is a problem, and userinfoPassword() stops the
// authority at the first '#', '/', '?' or space: no '@' is found, nothing is
// masked, and the password is quoted in the problem (log record, doctor text,
// doctor --json) and in createCollectorDispatcher's warning.
// docs/configuration.md: "Secret values are never repeated in a problem ...
// URL passwords (an @ inside one included), every secret value the config
// holds (license_key, proxy passwords ...)"; README: proxy "its password is
// masked everywhere".
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runDoctor } from '../../src/cli/doctor'
import { loadConfig } from '../../src/index'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const SECRET = 'ssw0rdQ7'
const PROXIES = ['#', '/', '?', ' '].map((c) => `http://bob:p${c}${SECRET}@proxy.local:3128`)

test('loadConfig: an unparsable proxy URL never shows its password in a problem', () => {
  for (const proxy of PROXIES) {
    const cfg = loadConfig({ file: false, env: { ONEAPM_PROXY: proxy } })
    const shown = JSON.stringify(cfg.problems)
    assert.ok(cfg.problems.length > 0)
    assert.ok(!shown.includes(SECRET), `${proxy}: ${shown}`)
  }
})

test('doctor text and --json never show the password of an unparsable proxy URL', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, `[oneapm]\nproxy = ${PROXIES[0] as string}\n`)
  for (const args of [['--config', file], ['--config', file, '--json']]) {
    let out = ''
    runDoctor(args, (s) => { out += s })
    assert.match(out, /proxy/)
    assert.ok(!out.includes(SECRET), `${args.join(' ')}:\n${out}`)
  }
})

test('the config_problem record and the collector warning never show that password', () => {
  const r = runScript(`
    const log = lib.createLogger(lib.loadConfig({ file: false, env: { ONEAPM_PROXY: ${JSON.stringify(PROXIES[0])}, ONEAPM_LOG_FILE: 'stdout' } }))
    const c = lib.createCollectorDispatcher(log, { host: '127.0.0.1:1', protocol: 'http', proxy: ${JSON.stringify(PROXIES[1])} })
    c.close().then(() => log.flush())`)
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /config_problem/)
  assert.match(r.stdout, /collector_config_ignored/)
  const leaked = r.stdout.split('\n').filter((l) => l.includes(SECRET))
  assert.deepEqual(leaked, [], leaked.join('\n'))
})
