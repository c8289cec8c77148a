import assert from 'node:assert/strict'
import { test } from 'node:test'
import { recordOf } from '../../src/logger/args'
import { ctx } from '../helpers/format'
import { FLAT, growth } from '../helpers/growth'

const c = ctx()

test('only plain objects are fields: buffers, arrays, dates, maps and the like are printed', () => {
  const cases: Array<[unknown, RegExp]> = [
    [Buffer.from('abc'), /^"?\[Buffer 3 bytes\]"?$/],
    [new Uint16Array(2), /^"?\[Uint16Array 4 bytes\]"?$/],
    [new DataView(new ArrayBuffer(4)), /^"?\[DataView 4 bytes\]"?$/],
    [new ArrayBuffer(2), /^"?\[ArrayBuffer 2 bytes\]"?$/],
    [[1, 2], /^\[1,2\]$/],
    [new Date(0), /1970-01-01T00:00:00\.000Z/],
    [new Map([['a', 1]]), /^\{"a":1\}$/],
    [new Set([1]), /^\[1\]$/]
  ]
  for (const [v, msg] of cases) {
    const rec = recordOf(0, 30, [v], c)
    assert.equal(rec.fields, undefined, String(msg))
    assert.match(rec.msg, msg)
  }
  assert.deepEqual(recordOf(0, 30, [{ a: 1 }, 'm'], c).fields, { a: 1 })
  class Req { id = 1 }
  assert.ok(recordOf(0, 30, [new Req(), 'm'], c).fields instanceof Req)
})

const FIRST: Record<string, string> = {
  'a Buffer': 'Buffer.alloc(n * 16)',
  'a typed array': 'new Uint8Array(n * 16)',
  'an array': 'new Array(n * 4).fill(0)',
  'an error with a long message': "new Error('e'.repeat(n * 16))",
  'a long string': "'s'.repeat(n * 16)"
}

for (const [name, expr] of Object.entries(FIRST)) {
  test(`the first argument costs what is written: ${name} (16 KB vs 1 MB)`, () => {
    const g = growth(`
const { recordOf } = mod('logger/args')
const { Redactor } = mod('format/redact')
const { jsonFormat } = mod('format/json')
const { textFormat } = mod('format/text')
const c = { redactor: new Redactor(), maxString: 16384, maxLine: 16384 }
function make (n) { return [${expr}] }
function run (args) {
  const r = recordOf(0, 30, args, c)
  for (const f of [jsonFormat, textFormat]) f.line(r, f.header('oneapm', 30), '', c)
}
`, { small: 16 * 1024, big: 1024 * 1024 })
    assert.ok(g.ratio < FLAT, `${name}: ${JSON.stringify(g)}`)
  })
}
