import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseIni } from '../../src/config/ini'

test('sections, both separators, whole-line and inline comments', () => {
  const doc = parseIni([
    '; a comment',
    '# another',
    '[oneapm]',
    'log_file = /var/log/a#b.log',
    'log_level: debug ; inline comment',
    'app_name = "My App"   # quoted, then a comment',
    '',
    '[oneapm:staging]',
    'LOG_LEVEL = trace'
  ].join('\n'))
  assert.deepEqual(doc.problems, [])
  assert.deepEqual(doc.sections.get('oneapm')?.map((e) => [e.key, e.value, e.line]), [
    ['log_file', '/var/log/a#b.log', 4],
    ['log_level', 'debug', 5],
    ['app_name', 'My App', 6]
  ])
  assert.deepEqual(doc.sections.get('oneapm:staging')?.map((e) => [e.key, e.value]), [['log_level', 'trace']])
})

test('lines that are neither settings nor headers are reported with their line number', () => {
  const doc = parseIni('orphan = 1\n[oneapm]\njust words\nok = 1\r\n')
  assert.deepEqual(doc.problems.map((p) => [p.line, p.reason]), [
    [1, 'setting before any [section] header'],
    [3, 'not a "key = value" line or a [section] header']
  ])
  assert.equal(doc.sections.get('oneapm')?.[0]?.value, '1')
})

test('a byte-order mark and CRLF line ends are accepted', () => {
  const doc = parseIni('\uFEFF[oneapm]\r\nlog_level = warning\r\n')
  assert.equal(doc.sections.get('oneapm')?.[0]?.value, 'warning')
})
