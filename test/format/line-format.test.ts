import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { jsonFormat } from '../../src/format/json'
import { textFormat } from '../../src/format/text'
import { ctx, lineOf } from '../helpers/format'

// Strings rich in what breaks lines or encodings: lone surrogates, U+2028/9, NEL, ESC, CR, emoji.
const nasty = fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r', '\u2028', '\u2029', '\u0085', '\u001b', '\ud800', '\udc00', '😀', '"', '\\', '€', '=', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 3000 })
const value = fc.oneof(nasty, fc.integer(), fc.constant(null), fc.array(nasty, { maxLength: 3 }), fc.dictionary(nasty, nasty, { maxKeys: 4 }))
const layouts = [textFormat, jsonFormat]

test('property: every line is one line, at most log_max_line bytes, in both layouts', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1024, max: 4096 }), nasty, fc.dictionary(nasty, value, { maxKeys: 6 }), nasty, fc.dictionary(nasty, value, { maxKeys: 3 }), fc.boolean(),
    (maxLine, name, fields, msg, bound, asError) => {
      const c = ctx({ maxLine })
      const args = asError ? [Object.assign(new Error(msg), fields)] : [fields, msg]
      for (const format of layouts) {
        const line = lineOf(format, args, { ctx: c, name, bindings: bound })
        assert.ok(Buffer.byteLength(line) <= maxLine, `${format.name}: ${Buffer.byteLength(line)} > ${maxLine}`)
        assert.equal(line.indexOf('\n'), line.length - 1)
        assert.doesNotMatch(line.slice(0, -1), /[\r\u2028\u2029\u0085\u001b]/)
        if (format === jsonFormat) JSON.parse(line)
      }
    }), { numRuns: 300 })
})
