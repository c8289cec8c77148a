import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { loadConfig } from '../../src/config/load'
import { tmpDir } from '../helpers/tmp'


function writeConfig (text: string): string {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, text)
  return file
}

test('defaults when there is no file, env or code', () => {
  const cfg = loadConfig({ env: {}, cwd: tmpDir() })
  assert.equal(cfg.file, undefined)
  assert.equal(cfg.settings.log_file, 'stderr')
  assert.equal(cfg.settings.log_level, 'info')
  assert.equal(cfg.settings.log_format, 'text')
  assert.equal(cfg.settings.log_max_line, 16 * 1024)
  assert.deepEqual(cfg.entries.log_level.source, { kind: 'default' })
  assert.deepEqual(cfg.problems, [])
})

test('code beats env beats file beats default, and each value says where it came from', () => {
  const file = writeConfig('[oneapm]\nlog_level = debug\nlog_format = json\nlog_file = agent.log\napp_name = from-file\n')
  const cfg = loadConfig({
    file,
    env: { ONEAPM_LOG_LEVEL: 'warning', ONEAPM_LOG_FORMAT: 'text' },
    overrides: { log_level: 'error' }
  })
  assert.equal(cfg.settings.log_level, 'error')
  assert.deepEqual(cfg.entries.log_level.source, { kind: 'code' })
  assert.equal(cfg.settings.log_format, 'text')
  assert.deepEqual(cfg.entries.log_format.source, { kind: 'env', name: 'ONEAPM_LOG_FORMAT' })
  assert.equal(cfg.settings.app_name, 'from-file')
  assert.deepEqual(cfg.entries.app_name.source, { kind: 'file', file, section: 'oneapm', line: 5 })
  assert.deepEqual(cfg.entries.log_max_line.source, { kind: 'default' })
})

test('a relative log_file is resolved against the config file directory, not the working directory', () => {
  const file = writeConfig('[oneapm]\nlog_file = logs/agent.log\n')
  const cfg = loadConfig({ file, env: {}, cwd: '/somewhere/else' })
  assert.equal(cfg.settings.log_file, path.join(path.dirname(file), 'logs', 'agent.log'))
  assert.equal(cfg.entries.log_file.given, 'logs/agent.log')
})

test('stderr and stdout are sentinels in any case; env paths resolve against cwd', () => {
  assert.equal(loadConfig({ env: { ONEAPM_LOG_FILE: ' STDOUT ' } }).settings.log_file, 'stdout')
  const cwd = tmpDir()
  assert.equal(loadConfig({ env: { ONEAPM_LOG_FILE: 'a.log' }, cwd }).settings.log_file, path.join(cwd, 'a.log'))
})

test('ONEAPM_ENVIRONMENT selects a section that overrides [oneapm]', () => {
  const file = writeConfig('[oneapm]\nlog_level = info\napp_name = app\n[oneapm:staging]\nlog_level = debug\n')
  const cfg = loadConfig({ file, env: { ONEAPM_ENVIRONMENT: 'staging' } })
  assert.equal(cfg.environment, 'staging')
  assert.equal(cfg.settings.log_level, 'debug')
  assert.equal(cfg.settings.app_name, 'app')
  const missing = loadConfig({ file, env: { ONEAPM_ENVIRONMENT: 'prod' } })
  assert.equal(missing.settings.log_level, 'info')
  assert.equal(missing.problems[0]?.code, 'CONFIG_SECTION_MISSING')
})

test('ONEAPM_CONFIG_FILE names the file; ./agent.config is read when present', () => {
  const file = writeConfig('[oneapm]\nlog_level = trace\n')
  assert.equal(loadConfig({ env: { ONEAPM_CONFIG_FILE: file } }).settings.log_level, 'trace')
  assert.equal(loadConfig({ env: {}, cwd: path.dirname(file) }).file, file)
  assert.equal(loadConfig({ env: { ONEAPM_CONFIG_FILE: file }, file: false }).file, undefined)
})

test('a bad value becomes a problem naming key, value, what is accepted and what is used', () => {
  const file = writeConfig('[oneapm]\nlog_level = verbos\nlog_max_line = huge\n')
  const cfg = loadConfig({ file, env: {} })
  assert.equal(cfg.settings.log_level, 'info')
  assert.equal(cfg.settings.log_max_line, 16384)
  const [level, size] = cfg.problems
  assert.equal(level?.code, 'CONFIG_INVALID_VALUE')
  assert.equal(level?.key, 'log_level')
  assert.equal(level?.value, 'verbos')
  assert.equal(level?.used, 'info')
  assert.match(level?.accepted ?? '', /critical, error, warning, info, debug, trace, off/)
  assert.match(level?.message ?? '', /log_level = "verbos" \(.*agent\.config:2 \[oneapm\]\) is not valid; accepted: .*; using info instead/)
  assert.equal(size?.key, 'log_max_line')
})

test('a secret value that fails to parse is not repeated in the problem', () => {
  const cfg = loadConfig({ env: {}, overrides: { license_key: { nested: 'abcdef0123456789abcdef' } } })
  assert.equal(cfg.problems[0]?.value, '(secret)')
  assert.doesNotMatch(cfg.problems[0]?.message ?? '', /abcdef0123/)
})

test('unknown keys are kept; a near miss of a known key is reported with the likely key', () => {
  const file = writeConfig('[oneapm]\nlog_levle = debug\ntransaction_tracer.enabled = true\n')
  const cfg = loadConfig({ file, env: { ONEAPM_LOG_FIEL: '/tmp/x.log', ONEAPM_CAPTURE_PARAMS: 'true' } })
  assert.equal(cfg.unknown.log_levle?.value, 'debug')
  assert.equal(cfg.unknown['transaction_tracer.enabled']?.value, 'true')
  assert.equal(cfg.unknown.capture_params?.value, 'true')
  const messages = cfg.problems.map((p) => p.message)
  assert.ok(messages.some((m) => /unknown key log_levle .*did you mean log_level\?/.test(m)), messages.join('\n'))
  assert.ok(messages.some((m) => /unknown key ONEAPM_LOG_FIEL .*did you mean ONEAPM_LOG_FILE\?/.test(m)), messages.join('\n'))
  assert.equal(cfg.problems.length, 2)
})

test('a named config file that is missing or unreadable is a problem, not a crash', () => {
  const dir = tmpDir()
  const missing = loadConfig({ file: path.join(dir, 'nope.config'), env: {} })
  assert.equal(missing.problems[0]?.code, 'CONFIG_FILE_MISSING')
  assert.equal(missing.settings.log_level, 'info')
  const unreadable = loadConfig({ file: dir, env: {} })
  assert.equal(unreadable.problems[0]?.code, 'CONFIG_FILE_UNREADABLE')
  assert.match(unreadable.problems[0]?.message ?? '', /a directory, not a regular file/)
})

test('syntax errors are reported and the rest of the file still applies', () => {
  const file = writeConfig('[oneapm]\nthis is not a setting\nlog_level = warning\n')
  const cfg = loadConfig({ file, env: {} })
  assert.equal(cfg.settings.log_level, 'warning')
  assert.equal(cfg.problems[0]?.code, 'CONFIG_SYNTAX')
  assert.match(cfg.problems[0]?.message ?? '', /agent\.config:2:/)
})

test('property: any file text, env or overrides load without throwing', () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.config')
  fc.assert(fc.property(
    fc.string({ maxLength: 300 }),
    fc.dictionary(fc.constantFrom('ONEAPM_LOG_LEVEL', 'ONEAPM_LOG_FILE', 'ONEAPM_LOG_MAX_LINE', 'ONEAPM_LOG_LEVELS', 'ONEAPM_X'), fc.string()),
    fc.dictionary(fc.constantFrom('log_level', 'log_file', 'log_redact', 'log_levels', 'license_key'), fc.anything()),
    (text, env, overrides) => {
      fs.writeFileSync(file, '[oneapm]\n' + text)
      const cfg = loadConfig({ file, env, overrides })
      assert.equal(typeof cfg.settings.log_level, 'string')
    }
  ), { numRuns: 300 })
})

test('a problem message is one line whatever the value, key or file name holds', () => {
  const seps = ['\n', '\r', '\u0085', '\u2028', '\u2029', '\u001b[2J']
  for (const sep of seps) {
    const cfg = loadConfig({ file: false, env: { ONEAPM_LOG_ROTATE: `daily${sep}2026-01-01 00:00:00,000 (1/main) oneapm ERROR - forged`, [`ONEAPM_LOG_LEVLE${sep}X`]: 'info' } })
    assert.ok(cfg.problems.length >= 1)
    for (const p of cfg.problems) assert.doesNotMatch(p.message, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, JSON.stringify(p.message))
  }
})
