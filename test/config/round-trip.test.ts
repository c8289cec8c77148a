// The settings loadConfig() returns are valid input for createLogger() and
// loadConfig({ overrides }): no key comes back as a problem.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { loadConfig } from '../../src/config/load'
import { SETTING_KEYS } from '../../src/config/keys'
import { createLogger } from '../../src/index'
import { readLines, tmpDir } from '../helpers/tmp'

const VALUES: Record<string, fc.Arbitrary<string>> = {
  log_file: fc.constantFrom('stderr', 'STDOUT', 'logs/agent.log', '/var/log/a#b.log', '~/agent.log'),
  log_level: fc.constantFrom('critical', 'error', 'warning', 'warn', 'info', 'debug', 'trace', 'off', 'INFO'),
  log_format: fc.constantFrom('text', 'json', ' JSON '),
  log_levels: fc.constantFrom('', 'collector:debug', 'oneapm:trace', 'oneapm.collector:debug,instrumentation.http:trace', 'oneapm:info,collector:off'),
  log_redact: fc.constantFrom('', 'x-session', 'x-session, db_password', 'a b c'),
  log_max_line: fc.constantFrom('1KB', '16KB', '1MB', '2048', '1.5KB'),
  log_buffer_max: fc.constantFrom('64KB', '8MB', '256MB'),
  log_max_size: fc.constantFrom('0', '4KB', '100MB', '5000'),
  log_rotate: fc.constantFrom('none', 'hourly', 'daily'),
  log_max_files: fc.constantFrom('0', '1', '5', '10000'),
  log_compress: fc.constantFrom('true', 'no', 'on', '0'),
  log_flight_recorder: fc.constantFrom('0', '16KB', '1MB', '64MB', '20000'),
  log_flight_recorder_window: fc.constantFrom('1s', '30s', '1500ms', '2m', '10m', '45', '2.5'),
  log_ignore_host_logger: fc.constantFrom('true', 'false'),
  log_debug_dir: fc.constantFrom('', '/tmp/oneapm-debug', '/var/log/app'),
  log_ship: fc.constantFrom('', 'syslog+udp://127.0.0.1:9', 'syslog+tcp://127.0.0.1:9, otlp+http://127.0.0.1:9', 'syslog+unix:///nonexistent/log'),
  log_ship_level: fc.constantFrom('info', 'warning', 'debug', 'off'),
  log_ship_fields: fc.constantFrom('all', 'event,cause', 'status'),
  log_ship_queue: fc.constantFrom('64KB', '1MB', '64MB'),
  log_ship_headers: fc.constantFrom('', 'api-key=abcd1234,x-team=core'),
  license_key: fc.constantFrom('', 'abcd', '0123456789abcdef0123456789abcdef'),
  app_name: fc.constantFrom('', 'My App', '"quoted app"', 'x#y'),
  host: fc.constantFrom('', 'collector.oneapm.com', 'collector.oneapm.com:443', '127.0.0.1:8080'),
  proxy: fc.constantFrom('', 'http://proxy:3128', 'https://u:p@proxy.local:8443')
}

test('every key has a value generator', () => {
  assert.deepEqual(Object.keys(VALUES).sort(), [...SETTING_KEYS].sort())
})

test('property: loadConfig({ overrides: { ...loadConfig().settings } }) reports no problem and gives the same settings', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.config')
  const record = fc.record(VALUES, { requiredKeys: [] })
  fc.assert(fc.property(record, fc.boolean(), (values, viaFile) => {
    let first
    if (viaFile) {
      fs.writeFileSync(file, '[oneapm]\n' + Object.entries(values).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n')
      first = loadConfig({ file, env: {} })
    } else {
      first = loadConfig({ file: false, env: Object.fromEntries(Object.entries(values).map(([k, v]) => [`ONEAPM_${k.toUpperCase()}`, v])), cwd: dir })
    }
    assert.deepEqual(first.problems, [])
    const again = loadConfig({ overrides: { ...first.settings }, env: {}, file: false, cwd: '/elsewhere' })
    assert.deepEqual(again.problems, [])
    assert.deepEqual({ ...again.settings }, { ...first.settings })
  }), { numRuns: 150 })
})

test('createLogger({ ...loadConfig().settings }) writes no config problem', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const logFile = path.join(dir, 'agent.log')
  const cfg = loadConfig({ file: false, env: {}, overrides: { log_file: logFile, log_format: 'json', log_flight_recorder_window: '45s', log_levels: 'oneapm:debug,collector:trace', host: 'h:1', proxy: 'http://p:1' } })
  assert.deepEqual(cfg.problems, [])
  const log = createLogger({ ...cfg.settings }, { global: false })
  log.flush()
  const problems = readLines(logFile).map((l) => JSON.parse(l) as { event?: string }).filter((r) => r.event === 'config_problem')
  assert.deepEqual(problems, [])
})
