import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { jsonFormat } from '../../src/format/json'
import { valueJson } from '../../src/format/serialize'
import { textFormat } from '../../src/format/text'
import { ctx, lineOf } from '../helpers/format'

const c = ctx()
const json = (v: unknown): unknown => JSON.parse(valueJson(v, c))

test('cycles, throwing getters and toJSON, revoked proxies, BigInt, Symbol, null prototypes', () => {
  const circular: Record<string, unknown> = { a: 1 }
  circular.self = circular
  assert.deepEqual(json(circular), { a: 1, self: '[Circular]' })
  const getter = Object.defineProperty({}, 'x', { enumerable: true, get () { throw new Error('nope') } })
  assert.deepEqual(json(getter), { x: '[Getter threw: Error: nope]' })
  assert.equal(json({ toJSON () { throw new Error('bad') } }), '[toJSON threw: Error: bad]')
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  assert.match(String(json(proxy)), /^\[Unserializable: TypeError/)
  const trapping = new Proxy({}, { ownKeys () { throw new Error('trap') } })
  assert.match(String(json(trapping)), /^\[Unserializable: Error: trap/)
  assert.deepEqual(json({ n: 10n, s: Symbol('q'), f () {}, u: undefined }), { n: '10', s: 'Symbol(q)' })
  const bare = Object.assign(Object.create(null) as object, { k: 'v' })
  assert.deepEqual(json(bare), { k: 'v' })
  assert.deepEqual(json([NaN, Infinity, -0]), ['NaN', 'Infinity', 0])
  assert.deepEqual(json(new Set([1, 2])), [1, 2])
  assert.equal(json(Buffer.from('abc')), '[Buffer 3 bytes]')
  assert.equal(json(new Date(0)), '1970-01-01T00:00:00.000Z')
})

test('depth, keys, items and string length are bounded', () => {
  let deep: Record<string, unknown> = {}
  const top = deep
  for (let i = 0; i < 20; i++) deep = (deep.next = {}) as Record<string, unknown>
  assert.ok(valueJson(top, c).includes('[Object]'))
  const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]))
  assert.equal((json(wide) as Record<string, unknown>)['…'], '36 more keys')
  assert.equal((json(Array.from({ length: 100 }, () => 0)) as unknown[]).length, 65)
  const long = json('z'.repeat(100_000)) as string
  assert.ok(long.length < 17_000)
  assert.match(long, /…\[\+\d+ chars\]$/)
})

const hostile = fc.oneof(
  fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withDate: true, withBoxedValues: true }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constant(new Proxy({}, { get () { throw new Error('get') }, ownKeys () { throw new Error('keys') } })),
  fc.constant(Object.defineProperty({}, 'toJSON', { get () { throw new Error('toJSON getter') } }))
)

test('property: any arguments give exactly one parseable line per record in both layouts', () => {
  fc.assert(fc.property(fc.array(hostile, { maxLength: 5 }), fc.constantFrom(10, 30, 50), (args, level) => {
    const j = lineOf(jsonFormat, args, { level: level as 10 | 30 | 50 })
    assert.equal(j.indexOf('\n'), j.length - 1)
    const rec = JSON.parse(j) as { level: string }
    assert.equal(typeof rec.level, 'string')
    const t = lineOf(textFormat, args, { level: level as 10 | 30 | 50 })
    assert.equal(t.indexOf('\n'), t.length - 1)
    assert.match(t, / \(\d+\/main\) oneapm\.collector (INFO|ERROR|TRACE) - /)
    assert.doesNotMatch(t.slice(0, -1), /[\r\u2028\u2029\u0085\u001b]/)
  }), { numRuns: 1000 })
})
