import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  editDistance, formatSize, parseBoolean, parseFormat, parseLevelValue, parseNameList, parseNamespaceLevels, parseSize, relativeNamespace
} from '../../src/config/values'

test('sizes: plain bytes and binary units, bounded', () => {
  assert.deepEqual(parseSize('16384'), { ok: true, value: 16384 })
  assert.deepEqual(parseSize('16KB'), { ok: true, value: 16384 })
  assert.deepEqual(parseSize('10mb'), { ok: true, value: 10 * 1024 * 1024 })
  assert.deepEqual(parseSize('1.5 GiB'), { ok: true, value: 1.5 * 1024 ** 3 })
  assert.deepEqual(parseSize(4096), { ok: true, value: 4096 })
  assert.equal(parseSize('ten', 0).ok, false)
  assert.equal(parseSize('1KB', 2048).ok, false)
  assert.equal(parseSize(-1).ok, false)
})

test('sizes display as they are usually written', () => {
  assert.equal(formatSize(16384), '16KB')
  assert.equal(formatSize(8 * 1024 * 1024), '8MB')
  assert.equal(formatSize(1000), '1000')
  assert.deepEqual(parseSize(formatSize(3 * 1024 ** 3)), { ok: true, value: 3 * 1024 ** 3 })
})

test('levels and formats accept their names in any case', () => {
  assert.deepEqual(parseLevelValue(' WARN '), { ok: true, value: 'warning' })
  assert.deepEqual(parseFormat('JSON'), { ok: true, value: 'json' })
  const bad = parseLevelValue('verbos')
  assert.equal(bad.ok, false)
  assert.match(bad.ok ? '' : bad.accepted, /critical, error, warning, info, debug, trace, off/)
})

test('per-namespace levels from a string or an object, relative to oneapm', () => {
  assert.deepEqual(parseNamespaceLevels('collector:debug, instrumentation.http:TRACE,oneapm.harvest:warn'),
    { ok: true, value: Object.assign(Object.create(null), { collector: 'debug', 'instrumentation.http': 'trace', harvest: 'warning' }) })
  assert.deepEqual(parseNamespaceLevels({ collector: 'error' }), { ok: true, value: Object.assign(Object.create(null), { collector: 'error' }) })
  assert.equal(parseNamespaceLevels('collector').ok, false)
  assert.equal(parseNamespaceLevels('collector:loud').ok, false)
  assert.equal(parseNamespaceLevels('bad name!:debug').ok, false)
  assert.equal(relativeNamespace('oneapm'), '')
  assert.equal(relativeNamespace('oneapm:collector:http'), 'collector.http')
})

test('name lists, booleans', () => {
  assert.deepEqual(parseNameList('x-session, db_dsn  other'), { ok: true, value: ['x-session', 'db_dsn', 'other'] })
  assert.deepEqual(parseNameList(['a', 'b']), { ok: true, value: ['a', 'b'] })
  assert.equal(parseNameList([1]).ok, false)
  assert.deepEqual(parseBoolean('Yes'), { ok: true, value: true })
  assert.deepEqual(parseBoolean('off'), { ok: true, value: false })
  assert.equal(parseBoolean('maybe').ok, false)
})

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.equal(editDistance('log_levle', 'log_level'), 1)
  assert.equal(editDistance('log_fil', 'log_file'), 1)
  assert.equal(editDistance('abc', 'abc'), 0)
})

test('property: no parser throws, whatever it is given', () => {
  const parsers = [parseSize, parseLevelValue, parseFormat, parseNamespaceLevels, parseNameList, parseBoolean]
  fc.assert(fc.property(fc.anything(), (input) => {
    for (const p of parsers) {
      const r = p(input)
      assert.equal(typeof r.ok, 'boolean')
    }
  }), { numRuns: 500 })
})
