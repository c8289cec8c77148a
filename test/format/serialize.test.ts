import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { jsonFormat } from '../../src/format/json'
import { valueJson } from '../../src/format/serialize'
import { textFormat } from '../../src/format/text'
import { ctx, lineOf } from '../helpers/format'
import { FLAT, growth, SRC } from '../helpers/growth'
import { runScript } from '../helpers/child'
import { MASK } from '../../src/format/redact'

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

const SERIALIZE = `
const { valueJson } = mod('format/serialize')
const { Redactor } = mod('format/redact')
const c = { redactor: new Redactor(), maxString: 16384 }
`
const SIZED: Record<string, string> = {
  'a Buffer': 'Buffer.alloc(n)',
  'a typed array': 'new Float64Array(n)',
  'a DataView': 'new DataView(new ArrayBuffer(n))',
  'an ArrayBuffer': 'new ArrayBuffer(n)',
  'an array': 'new Array(n).fill(1)',
  'a Map': 'new Map(Array.from({ length: n / 16 }, (_, i) => [i, i]))',
  'a Set': 'new Set(Array.from({ length: n / 16 }, (_, i) => i))',
  'a long string': "'x'.repeat(n)",
  'a long key name': "({ ['k'.repeat(n)]: 1 })",
  'an array of long strings': "[ 'a'.repeat(n), 'b'.repeat(n) ]",
  'a long Map key': "new Map([[ 'k'.repeat(n), 1 ], [ ['x'.repeat(n)], 2 ]])"
}

for (const [name, expr] of Object.entries(SIZED)) {
  test(`serializing ${name} costs what is written, not its size (16 KB vs 1 MB)`, () => {
    const g = growth(SERIALIZE + `function make (n) { return ${expr} }\nfunction run (v) { if (valueJson(v, c).length > 40000) throw new Error('too long') }`)
    assert.ok(g.ratio < FLAT, `${name}: ${JSON.stringify(g)}`)
  })
}

test('a deeply nested 64-wide object stops at the output budget', () => {
  const res = runScript(`
const { valueJson } = require(${JSON.stringify(SRC)} + '/format/serialize')
const { Redactor } = require(${JSON.stringify(SRC)} + '/format/redact')
let o = { leaf: 'x'.repeat(16) }
for (let d = 0; d < 6; d++) { const next = {}; for (let k = 0; k < 64; k++) next['k' + k] = o; o = next }
const out = valueJson(o, { redactor: new Redactor(), maxString: 16384 })
JSON.parse(out)
process.stdout.write(String(out.length))
`, { timeout: 20_000 })
  assert.equal(res.status, 0, `${String(res.signal)} ${res.stderr}`)
  assert.ok(Number(res.stdout) < 2 * 16384, res.stdout)
})

test('header arrays, tuples, Headers and URLSearchParams have their secret values masked', () => {
  const raw = ['Host', 'x', 'Authorization', 'Bearer abc', 'Cookie', 'a=b', 'Accept', '*/*']
  assert.deepEqual(json(raw), ['Host', 'x', 'Authorization', MASK, 'Cookie', MASK, 'Accept', '*/*'])
  assert.deepEqual(json([['authorization', 'Basic eA=='], ['accept', 'x']]), [['authorization', MASK], ['accept', 'x']])
  assert.deepEqual(json(new Map([['Set-Cookie', ['a=1', 'b=2']]])), { 'Set-Cookie': MASK })
  const headers = new Headers({ authorization: 'Bearer abc', accept: 'x' })
  assert.deepEqual(json(headers), { accept: 'x', authorization: MASK })
  assert.deepEqual(json(new URLSearchParams('password=x&user=y')), { password: MASK, user: 'y' })
})

test('ArrayBuffers and DataViews are described, never spelt out', () => {
  assert.equal(json(new ArrayBuffer(8)), '[ArrayBuffer 8 bytes]')
  assert.equal(json(new DataView(new ArrayBuffer(4))), '[DataView 4 bytes]')
})

test('written names in one object are distinct: Map keys that print alike, long cut keys', () => {
  const m = json(new Map<unknown, unknown>([[1, 'a'], ['1', 'b']])) as Record<string, unknown>
  assert.equal(Object.keys(m).length, 2)
  const long = 'k'.repeat(5000)
  const o = json({ [long + 'a']: 1, [long + 'b']: 2 }) as Record<string, unknown>
  assert.equal(Object.keys(o).length, 2)
  for (const k of Object.keys(o)) assert.ok(k.length < 400, String(k.length))
})

test('a key holding the license key or a credential is masked', () => {
  const k = ctx({ licenseKey: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0' })
  const out = valueJson({ 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0': 1, 'https://u:pw@h': 2 }, k)
  assert.ok(!out.includes('e5f6a7b8'), out)
  assert.ok(!out.includes(':pw@'), out)
})

test('property: valueJson never throws, is valid JSON and stays within the budget', () => {
  const small = ctx({ maxLine: 1024 })
  fc.assert(fc.property(fc.array(hostile, { maxLength: 8 }), (vs) => {
    for (const v of vs) {
      const out = valueJson(v, small)
      JSON.parse(out)
      assert.ok(out.length < 1024 * 2 + 512, String(out.length))
    }
  }), { numRuns: 500 })
})

test('an error whose message or errors is a revoked proxy still gives its one line, in both layouts', () => {
  const revoked = Proxy.revocable(new Error(''), {})
  revoked.revoke()
  const viaMessage = new Error('x')
  Object.defineProperty(viaMessage, 'message', { value: revoked.proxy, enumerable: false, writable: true, configurable: true })
  const viaErrors = Object.assign(new Error('y'), { errors: revoked.proxy })
  for (const format of [textFormat, jsonFormat]) {
    for (const err of [viaMessage, viaErrors]) {
      const line = lineOf(format, [err], { level: 60 })
      assert.equal(line.split('\n').length, 2, line)
      if (format === jsonFormat) assert.doesNotThrow(() => JSON.parse(line))
    }
  }
})
