// terminal.ts: what the log tools print is made safe for a terminal. jsonSafe
// answers from one native test when the JSON holds nothing to escape; it must
// give exactly what the full scan gives, whatever the text.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { jsonSafe, terminalSafe } from '../../../src/cli/logs/terminal'

const controls = fc.constantFrom('\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u001f', ' ', '\u007e', '\u007f', '\u0080', '\u009b', '\u009f', '\u00a0', '\u2028', '\u2029', '\u202a', 'é', '😀', '\ud800')
const text = fc.array(fc.oneof(fc.string({ maxLength: 8 }), controls, fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 20 }).map((xs) => xs.join(''))

test('jsonSafe gives what terminalSafe(s, true) gives, on any text', () => {
  fc.assert(fc.property(text, (s) => {
    assert.equal(jsonSafe(s), terminalSafe(s, true))
    assert.equal(jsonSafe(JSON.stringify({ s }, null, 2)), terminalSafe(JSON.stringify({ s }, null, 2), true))
  }), { numRuns: 3000 })
})

test('jsonSafe escapes what JSON.stringify leaves raw (DEL, C1, U+2028/9) and keeps newlines', () => {
  const json = JSON.stringify({ a: 'x\u007fy\u009b[2Jz\u2028w\u2029', b: '\u001b]52;c;x\u0007' }, null, 2)
  const safe = jsonSafe(json)
  assert.doesNotMatch(safe, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/)
  assert.ok(safe.includes('\n'))
  assert.deepEqual(JSON.parse(safe), JSON.parse(json))
  const plain = JSON.stringify({ a: 'nothing to escape', n: [1, 2] }, null, 2)
  assert.equal(jsonSafe(plain), plain)
})
