import fc from 'fast-check'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { checkNodeVersion, createLogger, loadConfig } from '../../src/index'
import { runScript } from '../helpers/child'
import { readLines, tmpDir } from '../helpers/tmp'

test('the startup line: version, node, platform, pid, config file, each setting with its source', () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, '[oneapm]\nlog_file = agent.log\nlog_format = json\nlicense_key = a1b2c3d4e5f6a7b8c9d0e1f2\napp_name = shop\nproxy = http://u:pw@proxy:3128\n')
  const log = createLogger(loadConfig({ file, env: { ONEAPM_LOG_LEVEL: 'warning' } }), { global: false })
  log.flush()
  const [first, ...rest] = readLines(path.join(dir, 'agent.log')).map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.equal(rest.length, 0)
  assert.equal(first?.event, 'agent_start')
  assert.equal(first?.level, 'info')
  assert.match(String(first?.msg), new RegExp(`oneapm-agent-log \\d+\\.\\d+\\.\\d+ started: node ${process.version} on ${process.platform}/${process.arch}, pid ${process.pid}; logging at warning to ${path.join(dir, 'agent.log').replace(/[/.]/g, '\\$&')}`))
  assert.equal(first?.config_file, file)
  assert.equal(first?.app_name, 'shop')
  assert.equal(first?.proxy, 'http://u:****@proxy:3128')
  const settings = first?.settings as Record<string, string>
  assert.equal(settings.log_level, 'warning (env ONEAPM_LOG_LEVEL)')
  assert.equal(settings.log_format, `json (${file}:3 [oneapm])`)
  assert.equal(settings.log_max_line, '16KB (default)')
  assert.equal(settings.log_buffer_max, '8MB (default)')
  // Its first 4 characters, and where it came from, like every other setting.
  assert.equal(settings.license_key, `a1b2**** (${file}:4 [oneapm])`)
  assert.doesNotMatch(JSON.stringify(first), /c3d4e5/)
})

test('each config problem becomes one warning once the logger is up', () => {
  const dir = tmpDir()
  const log = createLogger({ log_file: path.join(dir, 'a.log'), log_level: 'verbos', log_format: 'xml' }, { global: false })
  log.flush()
  const lines = readLines(path.join(dir, 'a.log'))
  const problems = lines.filter((l) => l.includes('event=config_problem'))
  assert.equal(problems.length, 2)
  assert.match(problems[0] ?? '', /oneapm\.config WARNING - log_level = "verbos" \(code\) is not valid; accepted: critical, error, warning, info, debug, trace, off .*; using info instead/)
  assert.match(problems[1] ?? '', /log_format = "xml" \(code\) is not valid; accepted: text, json; using text instead/)
})

test('the startup line is written at any level but off', () => {
  for (const [level, expected] of [['error', 1], ['off', 0]] as const) {
    const file = path.join(tmpDir(), 'a.log')
    createLogger({ log_file: file, log_level: level }, { global: false }).flush()
    assert.equal(fs.existsSync(file) ? readLines(file).length : 0, expected, level)
  }
})

test('the Node version check uses the engines range, prereleases included', () => {
  assert.equal(checkNodeVersion('v20.18.1').supported, true)
  assert.equal(checkNodeVersion('v18.19.0').supported, false)
  assert.equal(checkNodeVersion('v24.0.0-nightly20260101').supported, true)
  assert.equal(checkNodeVersion('not a version').supported, false)
  assert.equal(checkNodeVersion().required, '>=20.18.1')
})

test('an unsupported Node version gets a warning right after the startup line', () => {
  const res = runScript(`
    Object.defineProperty(process, 'version', { value: 'v18.19.0' })
    lib.createLogger({ log_file: 'stderr' }).info('still works')
  `)
  const lines = res.stderr.split('\n')
  assert.match(lines[1] ?? '', /oneapm WARNING - Node v18\.19\.0 is outside the supported range >=20\.18\.1; .* event=node_unsupported/)
  assert.match(lines[2] ?? '', /INFO - still works/)
})

test('the startup line shows an unset license_key as (unset), and a short one as **** only', () => {
  for (const [key, shown] of [[undefined, '(unset) (default)'], ['short-key', '**** (code)'], ['a1b2c3d4e5f6a7b8c9d0e1f2', 'a1b2**** (code)']] as const) {
    const dir = tmpDir()
    try {
      const log = createLogger({ log_file: path.join(dir, 'a.log'), log_format: 'json', ...(key === undefined ? {} : { license_key: key }) }, { global: false })
      log.flush()
      const [first] = readLines(path.join(dir, 'a.log')).map((l) => JSON.parse(l) as { settings: Record<string, string> })
      assert.equal(first?.settings.license_key, shown)
      if (key !== undefined) assert.ok(!readLines(path.join(dir, 'a.log')).join('\n').includes(key.slice(4)))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
})

test('the >=X.Y.Z fast path agrees with semver (prereleases included) on any version; other ranges go to semver', () => {
  const satisfies = require('semver/functions/satisfies') as (v: string, r: string, o: object) => boolean
  const num = fc.integer({ min: 0, max: 3 })
  const version = fc.tuple(num, num, num, fc.constantFrom('', '-nightly20260101', '-rc.1', '+build5')).map(([a, b, c, pre]) => `v${a}.${b}.${c}${pre}`)
  fc.assert(fc.property(version, num, num, num, (v, a, b, c) => {
    const range = `>=${a}.${b}.${c}`
    assert.equal(checkNodeVersion(v, range).supported, satisfies(v, range, { includePrerelease: true }), `${v} ${range}`)
  }), { numRuns: 2000 })
  assert.equal(checkNodeVersion('v22.1.0', '^20 || ^22').supported, true)
  assert.equal(checkNodeVersion('v21.1.0', '^20 || ^22').supported, false)
  assert.equal(checkNodeVersion('v20.1.0', '>= 20.0.0').supported, true)
  assert.equal(checkNodeVersion('v20.1', '>=20.0.0').supported, false)
  // Found by the property (1 in ~1,000 runs draws the same X.Y.Z): a prerelease of the minimum is below it.
  assert.equal(checkNodeVersion('v3.2.8-nightly20260101', '>=3.2.8').supported, false)
  assert.equal(checkNodeVersion('v3.2.8+build5', '>=3.2.8').supported, true)
})
