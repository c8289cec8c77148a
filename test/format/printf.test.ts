import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatMessage } from '../../src/format/printf'
import { ctx } from '../helpers/format'
import { FLAT, growth } from '../helpers/growth'

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

const PRINTF = `
const { formatMessage } = mod('format/printf')
const { Redactor } = mod('format/redact')
const c = { redactor: new Redactor(), maxString: 4096 }
function check (m) { if (m.length > 4096 + 64) throw new Error('message of ' + m.length) }
`
const CALLS: Record<string, string> = {
  "'%s' with a long string": "['got %s', 'x'.repeat(n)]",
  'a long format string': "['%s ' + 'y'.repeat(n), 1]",
  'a long format string full of directives': "['%s%d%%'.repeat(n / 6), 1, 2]",
  'a long format string alone': "['z'.repeat(n)]",
  'many extra arguments': "['m', ...Array.from({ length: n / 64 }, () => 'w'.repeat(64))]",
  "'%d' and '%i' with long strings": "['%d %i %f', '1'.repeat(n), '2'.repeat(n), '3'.repeat(n)]",
  "'%d' and '%i' with huge arrays": "['%d %i %f', new Array(n).fill(7), new Array(n).fill(8), new Array(n).fill(9)]",
  "'%j' and '%o' with a big object": "['%j %o', new Array(n).fill('abcdefgh'), new Map(Array.from({ length: n / 16 }, (_, i) => [i, i]))]"
}

for (const [name, expr] of Object.entries(CALLS)) {
  test(`printf costs what is written: ${name} (16 KB vs 1 MB)`, () => {
    const g = growth(PRINTF + `function make (n) { return ${expr} }\nfunction run (a) { check(formatMessage(a, 0, c)) }`)
    assert.ok(g.ratio < FLAT, `${name}: ${JSON.stringify(g)}`)
  })
}

test('a cut message is marked, and a secret straddling the cut is masked whole', () => {
  const c = ctx({ maxLine: 1024 })
  const m = formatMessage(['%s', 'a'.repeat(1010) + ' ://user:hunter2hunter2@host/' + 'z'.repeat(3000)], 0, c)
  assert.ok(!m.includes('hunter'), m)
  assert.match(m, /…\[\+\d+ chars\]$/)
  const long = formatMessage(['b'.repeat(1000) + ' password=%s', 'p'.repeat(5000)], 0, c)
  assert.ok(!long.includes('pp'), long)
})

test('%d, %i and %f keep util.format results for arrays and long numeric strings', () => {
  assert.equal(f('%d %d %d', [], [5], [1, 2]), '0 5 NaN')
  assert.equal(f('%i %f', [5.5, 6], ['7.25', 1]), '5 7.25')
})
