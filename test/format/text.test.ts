import assert from 'node:assert/strict'
import { test } from 'node:test'
import { textFormat } from '../../src/format/text'
import { ctx, lineOf } from '../helpers/format'

const LAYOUT = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}[+-]\d{4}) \((\d+)\/(main)\) (\S+) (CRITICAL|ERROR|WARNING|INFO|DEBUG|TRACE) - (.*)\n$/

test('the Python agent layout with the UTC offset', () => {
  const line = lineOf(textFormat, ['connected to %s:%d in %d ms', 'collector.oneapm.com', 443, 35], { bindings: { run_id: 'ab12' } })
  const m = LAYOUT.exec(line)
  assert.ok(m, line)
  assert.equal(m[2], String(process.pid))
  assert.equal(m[4], 'oneapm.collector')
  assert.equal(m[5], 'INFO')
  assert.equal(m[6], 'connected to collector.oneapm.com:443 in 35 ms run_id=ab12')
  // The printed local time and offset denote the record's instant.
  const [date, time] = (m[1] as string).split(' ') as [string, string]
  const iso = `${date}T${time.slice(0, 8)}.${time.slice(9, 12)}${time.slice(12, 15)}:${time.slice(15)}`
  assert.equal(new Date(iso).getTime(), Date.UTC(2026, 10, 21, 5, 18, 0, 123))
})

test('fields follow as key=value, quoted only where needed', () => {
  const line = lineOf(textFormat, [{ a: 1, b: 'plain', c: 'two words', d: '', e: 'x=y', f: null, g: true, h: [1, 'x'], i: { j: 2 }, k: undefined, big: 12345678901234567890n }, 'msg'])
  assert.match(line, / - msg a=1 b=plain c="two words" d="" e="x=y" f=null g=true h=\[1,"x"\] i=\{"j":2\} big=12345678901234567890\n$/)
})

test('newlines, carriage returns, ANSI escapes and separators are escaped: one record, one line', () => {
  const line = lineOf(textFormat, [{ note: 'a\nb' }, 'line1\nline2\r\n\u001b[31mred\u001b[0m\u2028x\u0085y'])
  assert.equal(line.indexOf('\n'), line.length - 1)
  assert.match(line, / - line1\\nline2\\r\\n\\u001b\[31mred\\u001b\[0m\\u2028x\\u0085y note="a\\nb"\n$/)
})

test('an error is spelt out with its stack and cause chain on the same line', () => {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', syscall: 'connect', port: 9 })
  const err = new TypeError('send failed', { cause })
  const line = lineOf(textFormat, [err, 'harvest failed'], { level: 50 })
  assert.equal(line.indexOf('\n'), line.length - 1)
  assert.match(line, / ERROR - harvest failed err\.type=TypeError err\.message="send failed" err\.stack="TypeError: send failed\\n    at /)
  assert.match(line, / err\.cause\.type=Error err\.cause\.message="connect ECONNREFUSED 127\.0\.0\.1:9" err\.cause\.code=ECONNREFUSED err\.cause\.syscall=connect err\.cause\.port=9 err\.cause\.stack=/)
})

test('an error alone uses its message', () => {
  assert.match(lineOf(textFormat, [new RangeError('out of range')]), / - out of range err\.type=RangeError /)
})

test('a record over log_max_line is cut with a visible marker and keeps its newline', () => {
  const c = ctx({ maxLine: 1024 })
  const line = lineOf(textFormat, ['x'.repeat(5000)], { ctx: c })
  assert.ok(Buffer.byteLength(line) <= 1024, String(Buffer.byteLength(line)))
  assert.match(line, / …\[line truncated: \d+ bytes\]\n$/)
  const wide = lineOf(textFormat, ['€'.repeat(2000)], { ctx: c })
  assert.ok(Buffer.byteLength(wide) <= 1024)
  assert.doesNotMatch(wide, /\uFFFD/)
})

test('a logger name cannot forge a line, and a very long one still fits log_max_line', () => {
  const c = ctx({ maxLine: 1024 })
  const forged = lineOf(textFormat, ['m'], { name: 'a\n2026-01-01 00:00:00,000+0000 (1/main) oneapm FATAL - x' })
  assert.equal(forged.indexOf('\n'), forged.length - 1)
  const long = lineOf(textFormat, ['m'], { ctx: c, name: 'n'.repeat(5000) })
  assert.ok(Buffer.byteLength(long) <= 1024)
})

test('a secret straddling the message cap is masked before the cut', () => {
  // A string cap shorter than the line, so the line cut does not hide the string cut.
  const c = { ...ctx({ maxLine: 4096 }), maxString: 1024 }
  for (const msg of ['a'.repeat(1005) + ' ://user:hunter2hunter2@host', 'a'.repeat(1010) + ' password=hunter2hunter2']) {
    const line = lineOf(textFormat, [msg], { ctx: c })
    assert.ok(!line.includes('hunt'), line)
  }
})
