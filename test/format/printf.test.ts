import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatMessage } from '../../src/format/printf'
import { ctx } from '../helpers/format'

const f = (...args: unknown[]): string => formatMessage(args, 0, ctx())

test('the util.format directives', () => {
  assert.equal(f('%s|%d|%i|%f|%%|%j', 'a', 42.5, 42.9, '1.5x', { a: 1 }), 'a|42.5|42|1.5|%|{"a":1}')
  assert.equal(f('%o %O', [1, 2], { b: 'x' }), '[1,2] {"b":"x"}')
  assert.equal(f('%c styled', 'color: red'), ' styled')
  assert.equal(f('%d and %s', 10n, 11n), '10n and 11n')
  assert.equal(f('%d', Symbol('s')), 'NaN')
  assert.equal(f('%s', Symbol('s')), 'Symbol(s)')
})

test('missing arguments leave the directive; extra ones are appended', () => {
  assert.equal(f('%s and %s', 'one'), 'one and %s')
  assert.equal(f('msg', 1, 'two', { three: 3 }), 'msg 1 two {"three":3}')
  assert.equal(f('%x %s', 'a'), '%x a')
  assert.equal(f('trailing %', 'x'), 'trailing % x')
})

test('a non-string first argument is printed like the rest', () => {
  assert.equal(f(42, 'x'), '42 x')
  assert.equal(f(null), 'null')
  assert.equal(f(undefined, 1), 'undefined 1')
})

test('arguments that throw when converted do not escape', () => {
  const hostile = { valueOf () { throw new Error('no') }, toString () { throw new Error('no') } }
  assert.equal(f('%d', hostile), 'NaN')
  assert.equal(f('%i', hostile), 'NaN')
  assert.match(f('%s', hostile), /^\{\}$/)
})
