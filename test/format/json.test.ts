import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
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

/** JSON.parse that throws on a duplicate key at any depth. */
function parseStrict (line: string): Record<string, unknown> {
  let dup: string | undefined
  // A reviver sees each holder once; duplicates collapse, so count raw keys with a tiny scanner instead.
  const v = JSON.parse(line) as Record<string, unknown>
  const stack: Array<Set<string>> = []
  let i = 0
  const s = line
  while (i < s.length) {
    const ch = s[i]
    if (ch === '"') {
      let j = i + 1
      while (s[j] !== '"') j += s[j] === '\\' ? 2 : 1
      const str = JSON.parse(s.slice(i, j + 1)) as string
      let k = j + 1
      while (s[k] === ' ') k++
      const top = stack[stack.length - 1]
      if (s[k] === ':' && top !== undefined) {
        if (top.has(str)) dup ??= str
        top.add(str)
      }
      i = j + 1
      continue
    }
    if (ch === '{') stack.push(new Set())
    else if (ch === '[') stack.push(undefined as unknown as Set<string>)
    else if (ch === '}' || ch === ']') stack.pop()
    i++
  }
  if (dup !== undefined) throw new Error(`duplicate key ${dup} in ${line}`)
  return v
}

test('fields named like every layout key, and field_x next to a real field_x, never make a duplicate key', () => {
  const fields = { time: 1, level: 2, name: 3, pid: 4, thread: 5, msg: 6, err: 7, recorded: 8, truncated: 9, field_time: 10, field_field_time: 11, '…': 12 }
  const line = lineOf(jsonFormat, [fields, 'm'], { bindings: { msg: 'b', run: 1, field_msg: 'c' } })
  const rec = parseStrict(line)
  assert.equal(rec.msg, 'm')
  assert.equal(rec.level, 'info')
  const values = Object.values(rec)
  for (const v of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 'b', 'c']) assert.ok(values.includes(v), `${String(v)} in ${line}`)
})

test("a child's bound field and the call's field of the same name are two distinct keys", () => {
  const rec = parseStrict(lineOf(jsonFormat, [{ run: 2 }, 'm'], { bindings: { run: 1 } }))
  assert.deepEqual(Object.values(rec).filter((v) => v === 1 || v === 2).sort(), [1, 2])
})

test('property: no duplicate keys whatever the field names', () => {
  const names = fc.oneof(fc.constantFrom('time', 'level', 'name', 'pid', 'thread', 'msg', 'err', 'recorded', 'truncated', 'fields', '…', 'field_time', 'field_msg', 'field_field_msg', 'a'), fc.string({ maxLength: 6 }))
  fc.assert(fc.property(fc.dictionary(names, fc.integer()), fc.dictionary(names, fc.integer()), fc.boolean(), (bound, fields, withErr) => {
    const args: unknown[] = withErr ? [Object.assign(new Error('x'), fields)] : [fields, 'm']
    parseStrict(lineOf(jsonFormat, args, { bindings: bound }))
  }), { numRuns: 1000 })
})

test('a very long logger name still gives a line within log_max_line', () => {
  const c = ctx({ maxLine: 1024 })
  for (const name of ['n'.repeat(5000), '\u0001'.repeat(3000), '€'.repeat(2000)]) {
    const line = lineOf(jsonFormat, [{ a: 'x'.repeat(3000) }, 'm'.repeat(3000)], { ctx: c, name })
    assert.ok(Buffer.byteLength(line) <= 1024, String(Buffer.byteLength(line)))
    JSON.parse(line)
  }
})

test('a secret straddling the string cap is masked, not cut open', () => {
  // A string cap shorter than the line, so the line cut does not hide the string cut.
  const c = { ...ctx({ maxLine: 4096 }), maxString: 1024 }
  const rec = JSON.parse(lineOf(jsonFormat, [{ u: 'a'.repeat(1000) + ' https://user:hunter2hunter2@host/' }, 'm'], { ctx: c })) as Record<string, unknown>
  assert.ok(!JSON.stringify(rec).includes('hunter'), JSON.stringify(rec))
})

test('an AggregateError whose errors array has holes (sparse, or length 2**32-1) is still valid JSON, a hole written as null', () => {
  const huge: unknown[] = []
  huge.length = 4294967295
  huge[2] = new Error('third')
  const sparse = Object.defineProperty(new AggregateError([], 'agg'), 'errors', { value: huge })
  const short = new AggregateError([new Error('a')], 'agg2')
  ;(short.errors as unknown[]).length = 3
  for (const err of [sparse, short]) {
    const line = lineOf(jsonFormat, [err], { level: 50 })
    const rec = JSON.parse(line) as { err: { errors: unknown[] } }
    assert.ok(rec.err.errors.length <= 10 && rec.err.errors.length >= 3, line)
    assert.ok(rec.err.errors.some((e) => e === null), line)
  }
})
