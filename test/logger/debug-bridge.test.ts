// A real debug in the host: the same copy as the agent's, and a separate copy
// of another version (4.3.7, installed as debug-host).

import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { readLines, tmpDir } from '../helpers/tmp'

const ROOT = path.join(__dirname, '..', '..', '..')
const SHARED = JSON.stringify(path.join(ROOT, 'node_modules', 'debug'))
const OTHER = JSON.stringify(path.join(ROOT, 'node_modules', 'debug-host'))

function hostRun (copy: string, action: string): { file: string, stderr: string } {
  const file = path.join(tmpDir(), 'agent.log')
  const res = runScript(`
    const hostDebug = require(${copy})
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)} }, { hooks: { watchMs: 30 } })
    log.info('before')
    hostDebug('app:main')('host app line')
    ${action}
    log.info('right after')
    setTimeout(() => { log.info('later'); log.info('much later') }, 150)
  `, { env: { DEBUG: 'oneapm:*,app:*' } })
  return { file, stderr: res.stderr }
}

for (const [copy, name, cause] of [[SHARED, 'the same copy', 'debug_disabled'], [OTHER, 'a separate copy (4.3.7)', 'debug_env_changed']] as const) {
  for (const action of ['hostDebug.disable()', "hostDebug.enable('app:*')"]) {
    test(`host's debug, ${name}, calls ${action}: exactly one warning, agent file output unaffected`, () => {
      const { file } = hostRun(copy, action)
      const lines = readLines(file)
      const warnings = lines.filter((l) => l.includes('event=host_interference'))
      assert.equal(warnings.length, 1, warnings.join('\n'))
      assert.match(warnings[0] ?? '', new RegExp(`cause=${cause}`))
      assert.match(warnings[0] ?? '', /DEBUG was "oneapm:\*,app:\*"|changed DEBUG from "oneapm:\*,app:\*"/)
      assert.match(warnings[0] ?? '', /Agent diagnostics continue in /)
      for (const msg of ['before', 'right after', 'later', 'much later']) assert.ok(lines.some((l) => l.endsWith(` - ${msg}`)), msg)
    })
  }
}

test('DEBUG=oneapm:* shows agent records at debug and above through debug; the file keeps its own level', () => {
  const file = path.join(tmpDir(), 'agent.log')
  const res = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_level: 'info' })
    const c = log.child('collector', { run_id: 'ab12' })
    c.debug('debug detail %d', 1)
    c.info({ status: 200 }, 'connected')
    c.trace('too fine')
  `, { env: { DEBUG: 'oneapm:*', DEBUG_COLORS: 'no' } })
  assert.match(res.stderr, /oneapm:collector debug detail 1 run_id=ab12/)
  assert.match(res.stderr, /oneapm:collector connected run_id=ab12 status=200/)
  assert.doesNotMatch(res.stderr, /too fine/)
  const lines = readLines(file)
  assert.ok(lines.some((l) => l.endsWith('INFO - connected run_id=ab12 status=200')))
  assert.ok(!lines.some((l) => l.includes('debug detail') && !l.includes('[recorded]')))
})

test('with log_file = stderr a record never reaches stderr twice', () => {
  const res = runScript(`
    const log = lib.createLogger({ log_file: 'stderr' })
    log.child('collector').info('once only')
  `, { env: { DEBUG: 'oneapm:*', DEBUG_COLORS: 'no' } })
  assert.equal(res.stderr.split('once only').length - 1, 1, res.stderr)
})
