// Section headers, duplicate keys and encodings.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { parseIni } from '../../src/config/ini'
import { loadConfig } from '../../src/config/load'
import { tmpDir } from '../helpers/tmp'

function withFile (t: { after: (fn: () => void) => void }, content: string | Buffer): string {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, content)
  return file
}

test('an inline comment after a section header is accepted', () => {
  for (const header of ['[oneapm] ; production', '[oneapm]   # note', '[ oneapm ];x']) {
    const doc = parseIni(`${header}\nlog_level = debug\n`)
    assert.deepEqual(doc.problems, [], header)
    assert.deepEqual(doc.sections.get('oneapm')?.map((e) => e.key), ['log_level'], header)
  }
})

test('keys after a malformed header never land in the previous section', (t) => {
  for (const bad of ['[oneapm:staging', '[oneapm:staging] extra', '[]', '[oneapm:staging]]']) {
    const doc = parseIni(`[oneapm]\nlog_level = info\n${bad}\nlog_level = trace\napp_name = x\n`)
    assert.deepEqual(doc.sections.get('oneapm')?.map((e) => [e.key, e.value]), [['log_level', 'info']], bad)
    assert.ok(doc.problems.some((p) => p.line === 3), `${bad}: the header line is reported`)
    const file = withFile(t, `[oneapm]\nlog_level = info\n${bad}\nlog_level = trace\n`)
    const cfg = loadConfig({ file, env: { ONEAPM_ENVIRONMENT: 'staging' } })
    assert.equal(cfg.settings.log_level, 'info', bad)
  }
})

test('keys of unknown sections are not settings', (t) => {
  const file = withFile(t, '[oneapm]\nlog_level = info\n[other]\nlog_level = trace\nlicense_key = abcd\n')
  const cfg = loadConfig({ file, env: {} })
  assert.equal(cfg.settings.log_level, 'info')
  assert.equal(cfg.settings.license_key, undefined)
})

test('a duplicate key is a problem that names the key and says which line wins', (t) => {
  const file = withFile(t, '[oneapm]\nlog_level = info\napp_name = a\nLOG_LEVEL = debug\n[other]\nx = 1\nx = 2\n')
  const cfg = loadConfig({ file, env: {} })
  assert.equal(cfg.settings.log_level, 'debug')
  const dup = cfg.problems.filter((p) => p.code === 'CONFIG_DUPLICATE_KEY')
  assert.equal(dup.length, 1, JSON.stringify(cfg.problems))
  assert.equal(dup[0]?.key, 'log_level')
  assert.match(dup[0]?.message ?? '', /log_level.*lines 2 and 4/)
})

test('a UTF-16 file (with a BOM, or without one) is decoded and reported', (t) => {
  const text = '[oneapm]\r\nlog_level = debug\r\napp_name = Café\r\n'
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
  const be = Buffer.from(le)
  be.swap16()
  const noBom = Buffer.from(text, 'utf16le')
  for (const [name, content] of [['le', le], ['be', be], ['le without BOM', noBom]] as const) {
    const cfg = loadConfig({ file: withFile(t, content), env: {} })
    assert.equal(cfg.settings.log_level, 'debug', name)
    assert.equal(cfg.settings.app_name, 'Café', name)
    assert.deepEqual(cfg.problems.map((p) => p.code), ['CONFIG_FILE_ENCODING'], name)
    assert.match(cfg.problems[0]?.message ?? '', /UTF-16/)
  }
})

test('a binary file is reported, not parsed line by line', (t) => {
  const cfg = loadConfig({ file: withFile(t, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0])), env: {} })
  assert.deepEqual(cfg.problems.map((p) => p.code), ['CONFIG_FILE_UNREADABLE'])
})
