import assert from 'node:assert/strict'
import test from 'node:test'
import fc from 'fast-check'
import type { LevelValue } from '../../../src/record/levels'
import { createSyslogFormatter, headerField, jsonBody, jsonBytes, msgIdOf, octetCounted, priOf, severityOf, timestampOf } from '../../../src/ship/syslog/format'
import { growth } from '../../helpers/growth'
import { record, RESOURCE, T0 } from './records'

const utf8 = new TextDecoder('utf-8', { fatal: true })
const fmt = (maxBytes = 8096, facility = 16) => createSyslogFormatter(RESOURCE, { facility, maxBytes })

function parts (buf: Buffer): { header: string[], json: Record<string, unknown> } {
  const s = utf8.decode(buf)
  const at = s.indexOf(' - @cee:')
  return { header: s.slice(0, at).split(' '), json: JSON.parse(s.slice(at + ' - @cee:'.length)) as Record<string, unknown> }
}

test('PRI: facility × 8 + severity; critical→2 error→3 warning→4 info→6 debug/trace→7', () => {
  assert.deepEqual([60, 50, 40, 30, 20, 10].map(severityOf), [2, 3, 4, 6, 7, 7])
  assert.equal(priOf(16, 30), 134)
  assert.equal(priOf(0, 60), 2)
  assert.equal(priOf(23, 10), 191)
  assert.equal(severityOf(35), 6, 'an unknown level is info')
})

test('header: RFC 5424 fields, UTC with milliseconds, MSGID the component, SD nil', () => {
  const { message, truncated } = fmt()(record({ level: 50 as LevelValue }))
  assert.equal(truncated, false)
  assert.equal(message.toString(), '<131>1 2026-11-21T05:18:00.123Z test-host oneapm 4242 collector - @cee:{"msg":"connected","thread":"main"}')
  assert.equal(timestampOf(T0), '2026-11-21T05:18:00.123Z')
  assert.equal(timestampOf(NaN), '-')
  assert.equal(timestampOf(1e20), '-')
  assert.equal(msgIdOf('oneapm'), '-')
  assert.equal(msgIdOf('oneapm.collector.http'), 'collector.http')
  assert.equal(msgIdOf('host.lib'), 'host.lib')
  assert.equal(msgIdOf('oneapm.' + 'a'.repeat(100)), 'a'.repeat(32))
  assert.equal(msgIdOf('oneapm.sp ace=ü"]'), 'sp_ace=_"]')
  assert.equal(headerField('my host ü', 255), 'my_host__')
  assert.equal(headerField('h'.repeat(300), 255).length, 255)
  assert.equal(headerField('', 255), '-')
  const odd = createSyslogFormatter({ ...RESOURCE, hostName: 'bad host\nname' }, { facility: 16, maxBytes: 8096 })(record())
  assert.equal(parts(odd.message).header[2], 'bad_host_name')
})

test('fields travel as JSON after @cee:, the message first; recorded and err as the JSON layout names them', () => {
  const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.js:1:1)' }
  const { message } = fmt()(record({ fields: { status: 503, path: '/x' }, err, recorded: true }))
  const { json } = parts(message)
  assert.deepEqual(Object.keys(json), ['msg', 'thread', 'recorded', 'status', 'path', 'err'])
  assert.deepEqual(json.err, err)
})

test('hostile strings cannot break framing, the line or the JSON: ] " \\ newlines, U+2028, NUL, C1, lone surrogates', () => {
  const hostile = 'a]b"c\\d\ne\r\nf\u2028g\u2029h\u0000i\u0085j\u007fk\ud800l\udc00m'
  const { message } = fmt()(record({ msg: hostile, thread: hostile, fields: { [hostile]: hostile, n: { deep: hostile } } }))
  for (const b of message) assert.ok(b >= 0x20 && b !== 0x7f, `byte ${b}`)
  const s = utf8.decode(message)
  assert.ok(!/[\u0080-\u009f\u2028\u2029]/.test(s))
  const { json } = parts(message)
  const expected = hostile.replace('\u0000', '\ufffd').replace('\ud800', '\ufffd').replace('\udc00', '\ufffd')
  // JSON.parse of an escaped lone surrogate gives the lone surrogate back; compare after well-forming.
  const wellFormed = (v: unknown): string => String(v).replace(/[\ud800-\udfff]/g, '\ufffd')
  assert.equal(wellFormed(json.msg), expected)
  assert.equal(wellFormed(json.thread), expected)
  assert.equal(wellFormed((json.n as { deep: string }).deep), expected)
})

test('a message over the cap: within the cap, valid UTF-8 and JSON, the marker at the end of msg, fields and err kept', () => {
  const err = { type: 'TypeError', message: 'bad', stack: 'TypeError: bad\n    at x (/a.js:1:1)\n'.repeat(1000) }
  const { message, truncated } = fmt(2048)(record({ msg: '€'.repeat(5000), fields: { run: 'r1', seq: 7 }, err }))
  assert.equal(truncated, true)
  assert.ok(message.length <= 2048 && message.length > 2000, `${message.length}`)
  const { json } = parts(message)
  const m = /^(€*)…\[truncated (\d+) bytes\]$/.exec(String(json.msg))
  assert.ok(m !== null, String(json.msg).slice(-60))
  assert.equal(json.run, 'r1')
  assert.equal(json.seq, 7)
  const e = json.err as { type: string, message: string, stack: string }
  assert.equal(e.type, 'TypeError')
  assert.equal(e.message, 'bad')
  assert.ok(e.stack.length > 100 && e.stack.startsWith('TypeError: bad\n'), 'part of the stack, escaped')
  // N is what was left out: the full message minus what was kept.
  const full = fmt(10_000_000)(record({ msg: '€'.repeat(5000), fields: { run: 'r1', seq: 7 }, err })).message.length
  const marker = Buffer.byteLength(`…[truncated ${m[2]} bytes]`)
  assert.equal(Number(m[2]), full - (message.length - marker))
})

test('any record, any cap: the message fits, is valid UTF-8, parses, and says when it was cut (fast-check)', () => {
  const str = fc.string({ unit: 'binary', maxLength: 3000 })
  fc.assert(fc.property(str, str, fc.dictionary(str, fc.jsonValue(), { maxKeys: 5 }), fc.integer({ min: 480, max: 4096 }), fc.option(fc.record({ type: str, message: str, stack: fc.option(str, { nil: undefined }) }), { nil: undefined }),
    (msg, thread, fields, max, err) => {
      const { message, truncated } = fmt(max)(record({ msg, thread, fields, err }))
      assert.ok(message.length <= max)
      const { json } = parts(message)
      assert.equal(typeof json.msg, 'string')
      if (truncated) assert.match(String(json.msg), /…\[truncated \d+ bytes\]$/)
      else assert.equal(String(json.msg).replace(/[\ud800-\udfff]/g, '?'), msg.replace(/\0/g, '\ufffd').replace(/[\ud800-\udfff]/g, '?'))
    }), { numRuns: 300 })
})

test('jsonBody cuts on a character boundary, never inside an escape, and counts bytes as UTF-8', () => {
  assert.deepEqual(jsonBody('ab"c', 3), { text: 'ab', bytes: 2 })
  assert.deepEqual(jsonBody('ab"c', 4), { text: 'ab\\"', bytes: 4 })
  assert.deepEqual(jsonBody('a\u0001', 6), { text: 'a', bytes: 1 })
  assert.deepEqual(jsonBody('a🎉b', 4), { text: 'a', bytes: 1 })
  assert.deepEqual(jsonBody('a🎉b', 5), { text: 'a🎉', bytes: 5 })
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
    const whole = jsonBody(s)
    assert.equal(whole.bytes, jsonBytes(s))
    assert.equal(Buffer.byteLength(whole.text), whole.bytes)
    JSON.parse('"' + whole.text + '"')
  }))
})

test('octet counting: LEN SP MSG, LEN in bytes', () => {
  assert.equal(octetCounted(Buffer.from('héllo')).toString(), '6 héllo')
})

test('formatting is linear: a 1 MB message costs about 64x a 16 KB one, not more', () => {
  const g = growth(`
const { createSyslogFormatter } = mod('ship/syslog/format')
const f = createSyslogFormatter({ hostName: 'h', pid: 1 }, { facility: 16, maxBytes: 8096 })
function make (n) { return { time: 0, level: 30, logger: 'oneapm.x', pid: 1, thread: 'main', msg: 'é"\\n'.repeat(n / 3), fields: { a: 'x'.repeat(n) }, err: { type: 'E', message: 'm', stack: 's\\n'.repeat(n / 2) }, recorded: false, json: '' } }
function run (r) { f(r) }
`)
  assert.ok(g.ratio < 64 * 8, `ratio ${g.ratio.toFixed(1)} (${g.smallMs.toFixed(2)} ms → ${g.bigMs.toFixed(2)} ms)`)
})
