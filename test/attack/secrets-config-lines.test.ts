// Attack: config lines without '=' that hold the license key, in shapes the
// "first word names a secret" rule does not catch. doctor prints only the
// problem's message, but the problem's `value` (public in loadConfig() and
// written as the `value=` field of the `config_problem` record) is the raw line:
//   license_key =            (configparser continuation, as the Python agent
//       <key>                 reads it: the key on the next, indented line)
//   - license_key <key>       (a YAML habit)
//   license_key<NBSP><key>    (a non-breaking space pasted from a web page)
// docs/configuration.md: "Secret values are never repeated in a problem".
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../../src/index'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const KEY = 'Zq9XW3rT7uV1pL0kM8nB6cD5eF4gH2jA'
const FILES: Record<string, string> = {
  continuation: `[oneapm]\nlicense_key =\n    ${KEY}\n`,
  dash: `[oneapm]\n- license_key ${KEY}\n`,
  nbsp: `[oneapm]\nlicense_key\u00a0${KEY}\n`,
  'continuation, deeper': `[oneapm]\n  license_key = ${KEY.slice(0, 4)}\n      ${KEY.slice(4)}\n`,
  set: `[oneapm]\nset license_key ${KEY}\n`,
  'dashed name': `[oneapm]\nlicense-key\u2003${KEY}\n`,
  'bad header': `[${KEY}\n`,
  'bad header, key inside': `[oneapm ${KEY.slice(0, 11)} ${KEY.slice(11, 22)} ${KEY.slice(22)}\n`
}

for (const [name, text] of Object.entries(FILES)) {
  test(`${name}: neither loadConfig().problems nor the config_problem record holds the key`, (t) => {
    const dir = tmpDir()
    t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
    const file = path.join(dir, 'agent.config')
    fs.writeFileSync(file, text)
    const cfg = loadConfig({ file, env: {} })
    assert.ok(cfg.problems.some((p) => p.code === 'CONFIG_SYNTAX'), JSON.stringify(cfg.problems))
    const shown = JSON.stringify(cfg.problems)
    assert.ok(!shown.includes(KEY.slice(4)), JSON.stringify(cfg.problems, null, 1))
    // No run of 6 characters of the key's tail is shown anywhere (parts of it, cut or spaced).
    for (let i = 4; i + 6 <= KEY.length; i++) assert.ok(!shown.includes(KEY.slice(i, i + 6)), `${KEY.slice(i, i + 6)} in ${shown}`)
    // The line number is said.
    assert.match(cfg.problems.find((p) => p.code === 'CONFIG_SYNTAX')?.message ?? '', /agent\.config:\d+:/)
    const r = runScript(`lib.createLogger(lib.loadConfig({ file: ${JSON.stringify(file)}, env: { ONEAPM_LOG_FILE: 'stdout' } })).flush()`)
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /config_problem/)
    const leaked = r.stdout.split('\n').filter((l) => l.includes(KEY.slice(4)))
    assert.deepEqual(leaked, [], leaked.join('\n'))
  })
}
