// A destination's frame made at take from the JSON layout's parts (the fast
// path) says what the frame made from the same line parsed back says: same
// bytes for syslog, the same logRecord for OTLP. Both start from one
// redaction, so a secret is masked in the frame as in the line (rule 5).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { jsonString } from '../../src/format/escape'
import { jsonFormat, jsonParts } from '../../src/format/json'
import { recordOf } from '../../src/logger/args'
import type { LevelValue } from '../../src/record/levels'
import { fragmentFromParts, fragmentFromRecord } from '../../src/ship/otlp/encode'
import { shippedRecord } from '../../src/ship/shipped-record'
import { createSyslogFramer } from '../../src/ship/syslog/format'
import type { RecordParts } from '../../src/ship/transport'
import { ctx } from '../helpers/format'
import { RESOURCE } from './syslog/records'

const T = Date.UTC(2026, 10, 21, 5, 18, 0, 123)

function both (args: unknown[], level: LevelValue = 30, name = 'oneapm.collector'): { parts: RecordParts | undefined, line: string } {
  const c = ctx()
  const rec = recordOf(T, level, args, c)
  const p = jsonParts(rec, jsonFormat.header(name, level), '', c)
  const parts = p.whole && rec.err === undefined ? { time: rec.time, iso: p.time, level, logger: name, msg: p.msg, thread: jsonString('main'), fields: p.rest } : undefined
  return { parts, line: p.line }
}

test('syslog: the frame from parts is byte for byte the frame from the line parsed back (octet counted and not)', () => {
  for (const octets of [true, false]) {
    const framer = createSyslogFramer({ ...RESOURCE, pid: process.pid }, { facility: 16, maxBytes: 8096 }, octets)
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean())), fc.constantFrom<LevelValue>(10, 20, 30, 40, 50, 60), (msg, fields, level) => {
      const { parts, line } = both([fields, '%s', msg], level)
      if (parts === undefined) return
      const fast = framer.fromParts(parts)
      if (fast === undefined) return // the long way: a NUL, or over the cap
      const slow = framer.fromRecord(shippedRecord(line, 'all'))
      assert.equal(fast.text, slow.text)
      assert.equal(fast.bytes, Buffer.byteLength(fast.text))
    }), { numRuns: 300 })
  }
})

test('syslog: a record over the cap or holding a NUL takes the long way (cut with the marker; NUL as U+FFFD)', () => {
  const framer = createSyslogFramer(RESOURCE, { facility: 16, maxBytes: 480 }, true)
  assert.equal(framer.fromParts(both(['x'.repeat(600)]).parts!), undefined)
  assert.equal(framer.fromParts(both(['a\0b']).parts!), undefined)
})

test('OTLP: the logRecord from parts is the one from the line parsed back; fields and lone surrogates take the long way', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.constantFrom<LevelValue>(10, 20, 30, 40, 50, 60), (msg, level) => {
    const { parts, line } = both(['%s', msg], level)
    const fast = fragmentFromParts(parts!, process.pid)
    if (fast === undefined) return
    const slow = fragmentFromRecord(shippedRecord(line, 'all'), T)
    assert.deepEqual(JSON.parse(fast.text), JSON.parse(slow.text))
    assert.equal(fast.group, slow.group)
  }), { numRuns: 300 })
  assert.equal(fragmentFromParts(both([{ a: 1 }, 'm']).parts!, process.pid), undefined)
  assert.equal(fragmentFromParts(both(['\ud800']).parts!, process.pid), undefined)
})

test('one redaction: a secret in the message is masked in every frame as in the line', () => {
  const { parts, line } = both(['login password=hunter2-secret token=abcdefghijklmnop'])
  assert.doesNotMatch(line, /hunter2|abcdefghijklmnop/)
  const framer = createSyslogFramer(RESOURCE, { facility: 16, maxBytes: 8096 }, true)
  for (const text of [framer.fromParts(parts!)?.text, fragmentFromParts(parts!, process.pid)?.text]) {
    assert.ok(text !== undefined)
    assert.doesNotMatch(text, /hunter2|abcdefghijklmnop/)
  }
})
