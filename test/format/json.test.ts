import assert from 'node:assert/strict'
import { test } from 'node:test'
import { jsonFormat } from '../../src/format/json'
import { ctx, lineOf } from '../helpers/format'

test('one object per line with time, level, name, pid, thread, msg, then fields', () => {
  const line = lineOf(jsonFormat, [{ status: 200, url: '/x' }, 'request %s', 'done'], { bindings: { run_id: 'ab12' } })
  assert.equal(line.indexOf('\n'), line.length - 1)
  const rec = JSON.parse(line) as Record<string, unknown>
  assert.deepEqual(Object.keys(rec), ['time', 'level', 'name', 'pid', 'thread', 'msg', 'run_id', 'status', 'url'])
  assert.equal(rec.time, '2026-11-21T05:18:00.123Z')
  assert.equal(rec.level, 'info')
  assert.equal(rec.name, 'oneapm.collector')
  assert.equal(rec.pid, process.pid)
  assert.equal(rec.thread, 'main')
  assert.equal(rec.msg, 'request done')
})

test('fields named like the record keys do not shadow them', () => {
  const rec = JSON.parse(lineOf(jsonFormat, [{ time: 1, level: 'x', msg: 'm' }, 'real'])) as Record<string, unknown>
  assert.equal(rec.level, 'info')
  assert.equal(rec.msg, 'real')
  assert.equal(rec.field_time, 1)
  assert.equal(rec.field_msg, 'm')
})

test('an error goes under err with type, message, code, stack and cause', () => {
  const err = Object.assign(new Error('outer', { cause: new Error('inner') }), { code: 'E_OUTER' })
  const rec = JSON.parse(lineOf(jsonFormat, [err], { level: 50 })) as { msg: string, err: Record<string, unknown> }
  assert.equal(rec.msg, 'outer')
  assert.equal(rec.err.type, 'Error')
  assert.equal(rec.err.code, 'E_OUTER')
  assert.match(String(rec.err.stack), /^Error: outer\n {4}at /)
  assert.equal((rec.err.cause as Record<string, unknown>).message, 'inner')
})

test('line separators and C1 controls are escaped even though JSON allows them raw', () => {
  const line = lineOf(jsonFormat, ['a\u2028b\u0085c\u001b[1m'])
  assert.doesNotMatch(line.slice(0, -1), /[\u2028\u0085\u001b\n]/)
  assert.equal((JSON.parse(line) as { msg: string }).msg, 'a\u2028b\u0085c\u001b[1m')
})

test('lone surrogates come out as valid JSON escapes', () => {
  const line = lineOf(jsonFormat, ['bad \ud800 pair', { k: 'x\udc00' }])
  const rec = JSON.parse(line) as { msg: string }
  assert.equal(rec.msg.length > 0, true)
  assert.ok(Buffer.from(line).toString('utf8') === line)
})

test('a record over log_max_line is cut, marked, and still valid JSON', () => {
  const c = ctx({ maxLine: 2048 })
  const line = lineOf(jsonFormat, [{ big: 'y'.repeat(10_000), other: 1 }, 'm'.repeat(3000)], { ctx: c })
  assert.ok(Buffer.byteLength(line) <= 2048, String(Buffer.byteLength(line)))
  const rec = JSON.parse(line) as { msg: string, level: string, truncated: { bytes: number, rest: string } }
  assert.equal(rec.level, 'info')
  assert.match(rec.msg, /^m+…$/)
  assert.ok(rec.truncated.bytes > 2048)
  assert.match(rec.truncated.rest, /^"big":"yyy/)
})
