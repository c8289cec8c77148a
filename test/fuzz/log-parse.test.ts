// The log reader against the logger's own formatter: parseLine never throws
// on anything, and reads back what the real text and JSON layouts wrote.

import assert from 'node:assert/strict'
import fc from 'fast-check'
import { TEXT_IN_PLACE_MIN, parseLine, textHeader, textHeaderBytes, type TextHeader } from '../../src/cli/logs/parse'
import { escapeText } from '../../src/format/escape'
import { LEVELS as LIB_LEVELS, type LevelValue } from '../../src/record/levels'
import { jsonFormat } from '../../src/format/json'
import { textFormat } from '../../src/format/text'
import { lineOf } from '../helpers/format'
import { property } from './harness'

const LEVELS = Object.entries(LIB_LEVELS).map(([name, value]) => [value, name] as [LevelValue, string])

property('parseLine never throws, and gives a record or null', { runs: 300 }, [fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ maxLength: 100 }).map((s) => `2026-11-21 13:18:00,123+0800 (42/main) a INFO - ${s}`),
  fc.string({ maxLength: 100 }).map((s) => `{"time":"2026-11-21T05:18:00.123Z","level":"info","name":"a","pid":1,"thread":"main",${s}`))], (line) => {
  const r = parseLine(line)
  if (r !== null) {
    assert.ok(Number.isFinite(r.time))
    void r.msg
    void r.fields
    void r.event
  }
})

// Keys the formatter writes as they are (secret-looking names would be masked, which is not the reader's business).
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/).filter((k) => !/pass|pw|secret|token|auth|key|cookie|sid|cred|sess|sign|bearer|jwt|^(time|level|name|pid|thread|msg|event|err|recorded|fields)$/.test(k))
const value = fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean(), fc.constant(null),
  fc.dictionary(key, fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxKeys: 3 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }))
// A message that cannot be taken for fields (the one documented ambiguity: ` key=value` at its end).
const message = fc.string({ maxLength: 60 }).filter((m) => !m.includes('='))

property('text and JSON lines written by the real formatter read back: header, message, fields', { runs: 300 }, [
  fc.constantFrom(...LEVELS), message, fc.dictionary(key, value, { maxKeys: 6 }), fc.integer({ min: 0, max: 4e12 })
], ([levelValue, levelName], msg, fields, time) => {
  const args = Object.keys(fields).length === 0 ? [msg] : [fields, msg]
  const json = lineOf(jsonFormat, args, { level: levelValue, time, name: 'oneapm.collector.x' }).slice(0, -1)
  const text = lineOf(textFormat, args, { level: levelValue, time, name: 'oneapm.collector.x' }).slice(0, -1)
  const truth = JSON.parse(json) as Record<string, unknown>
  for (const line of [json, text]) {
    const r = parseLine(line, 'f')
    assert.ok(r !== null, line)
    assert.equal(r.time, time)
    assert.equal(r.level, levelName)
    assert.equal(r.name, 'oneapm.collector.x')
    assert.equal(r.pid, process.pid)
    assert.equal(r.thread, 'main')
    assert.equal(r.format, line === json ? 'json' : 'text')
    assert.equal(r.msg, line === json ? truth.msg : escapeText(truth.msg as string), line)
    const want: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(truth)) {
      if (!['time', 'level', 'name', 'pid', 'thread', 'msg'].includes(k)) want[k] = typeof v === 'string' ? v : JSON.parse(JSON.stringify(v))
    }
    const got: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(r.fields)) got[k] = typeof want[k] === 'string' ? v : JSON.parse(v)
    assert.deepEqual(got, want, line)
  }
})

// The byte-level header reader (summary's scan of ASCII pieces) against the string one, on lines the
// real formatter wrote (joined, read in place) and on hostile ASCII bytes: the same answer, never a throw.
property('textHeaderBytes reads formatter-written and hostile ASCII lines as textHeader does, in place', { runs: 300 }, [
  fc.array(fc.oneof(
    fc.tuple(fc.constantFrom(...LEVELS), message, fc.dictionary(key, value, { maxKeys: 3 }), fc.integer({ min: 0, max: 4e12 }))
      .map(([[level], msg, fields, time]) => lineOf(textFormat, Object.keys(fields).length === 0 ? [msg] : [fields, msg], { level, time, name: 'oneapm.collector.x' }).slice(0, -1)),
    fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b.map((x) => x & 0x7f)).toString('latin1')),
    fc.string({ maxLength: 60 }).map((s) => `2026-11-21 13:18:00,123+0800 (42/main) a INFO - ${s}`)
  ).map((l) => l.replace(/[^\x00-\x7f]/g, '?').replaceAll('\n', ' ')), { minLength: 1, maxLength: 5 })
], (lines) => {
  const text = lines.join('\n')
  const bytes = Buffer.from(text, 'latin1')
  let at = 0
  for (const line of lines) {
    const end = at + line.length
    if (line.length >= TEXT_IN_PLACE_MIN) {
      assert.deepEqual(textHeaderBytes(bytes, at, end, { ...HEAD }), textHeader(text, at, end, { ...HEAD }), line)
    }
    at = end + 1
  }
})

const HEAD: TextHeader = { time: 0, level: 'info', pid: 0, threadAt: 0, threadEnd: 0, nameAt: 0, nameEnd: 0, bodyAt: 0 }
