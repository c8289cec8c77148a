// The fail-closed display of proxy values and of config lines that failed to parse.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { LINE_SHOWN, SecretScrubber, maskProxy, proxySecrets } from '../../src/config/secrets'
import { parseIni } from '../../src/config/ini'

test('maskProxy masks up to the last @, keeps the user, masks what it cannot read', () => {
  assert.equal(maskProxy('http://bob:p#ss/w?rd @x@proxy:3128'), 'http://bob:****@proxy:3128')
  assert.equal(maskProxy('http://token123@proxy:3128'), 'http://****@proxy:3128')
  assert.equal(maskProxy('http://proxy:3128'), 'http://proxy:3128')
  assert.equal(maskProxy('bob:secret@proxy:3128'), '****')
  assert.equal(maskProxy('x@y://bob:pw@host'), 'x@y://bob:****@host')
  assert.deepEqual(proxySecrets('http://bob:p#ssw0rd@proxy:3128'), ['p#ssw0rd'])
  assert.deepEqual(proxySecrets('bob:secret@proxy'), ['bob:secret'])
})

test('property: a password of any characters never survives maskProxy', () => {
  fc.assert(fc.property(fc.string({ minLength: 6, maxLength: 40 }).filter((p) => !p.includes('@') && /[A-Za-z0-9]{6}/.test(p)), (pw) => {
    const shown = maskProxy(`http://bob:${pw}@proxy.local:3128`)
    return !shown.includes(pw)
  }))
})

test('a failed config line: up to the first secret name, long or mixed tokens masked, cut', () => {
  const s = new SecretScrubber()
  assert.equal(s.line('- license_key ABCDEFGHIJ1234567890'), '- license_key ****')
  assert.equal(s.line('set api-key\u00a0abcdefgh'), 'set api-key ****')
  assert.equal(s.line('[oneapm Zq9XW3rT'), '[oneapm ****')
  assert.equal(s.line('[abcdefghijklmnopqrstuv'), '[****')
  assert.equal(s.line('whatever', LINE_SHOWN, 'license_key'), '****')
  assert.equal(s.line('just words here'), 'just words here')
  assert.ok(s.line('word '.repeat(50)).length <= LINE_SHOWN + 1)
  assert.equal(SecretScrubber.secretOfLine('- license_key ABCD1234'), 'ABCD1234')
  assert.equal(SecretScrubber.secretOfLine('   ABCD1234', 'license_key'), 'ABCD1234')
})

test('a line indented below a setting is its continuation, never a setting of its own', () => {
  const doc = parseIni('[oneapm]\nlicense_key =\n    abc:def\n  log_level = debug\nlog_file = a.log\n  [x]\n')
  const keys = doc.sections.get('oneapm')?.map((e) => e.key)
  assert.deepEqual(keys, ['license_key', 'log_file'])
  assert.deepEqual(doc.problems.map((p) => [p.line, p.continues]), [[3, 'license_key'], [4, 'license_key'], [6, 'log_file']])
  // Equally indented settings are settings (configparser reads them so too).
  const flat = parseIni('[oneapm]\n  license_key = k\n  log_level = debug\n')
  assert.deepEqual(flat.sections.get('oneapm')?.map((e) => e.key), ['license_key', 'log_level'])
  assert.equal(flat.problems.length, 0)
})
