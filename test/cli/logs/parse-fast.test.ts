// The fast paths of parse.ts (the header read in place with the level found
// by its last letter and the day number cached, ` event=` found by `vent=`,
// field tokens read into one reused object, LineRef's late reads) against the
// parser as it was before them (test/helpers/parse-reference.ts): on lines
// built to look like headers, on arbitrary text, binary decoded both ways
// (invalid UTF-8 becomes U+FFFD), NUL, CR and lone surrogates, every field
// must come out the same, alone and read in place from a string of lines.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { MAX_LINE, TEXT_IN_PLACE_MIN, TextView, eventMark, parseLine, parseTextBody, textHeader, textHeaderBytes, type TextHeader } from '../../../src/cli/logs/parse'
import * as ref from '../../helpers/parse-reference'

const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs)
/** n digits, mostly in the field's range [min, max], now and then any digits or any text. */
const digitsArb = (n: number, min = 0, max = 10 ** n - 1): fc.Arbitrary<string> => fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min, max }).map((v) => String(v).padStart(n, '0')) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, '0')) },
  { weight: 1, arbitrary: fc.string({ minLength: n, maxLength: n }) }
)
/** Characters that matter to the scanners, and some that are hostile. */
const nasty = pick([' ', '-', ' - ', '=', '"', '\\', '{', '}', '[', ']', ')', '(', '/', '\u0000', '\r', '\t', '\u007f', '\u0085', '\ud800', '\udc00', '\ufffd', 'é', '😀', 'event=', ' event=', 'vent=', '\\u003d', 'INFO', 'ERROR', 'WARNING', 'G', 'L'])
const textArb = fc.array(fc.oneof(fc.string({ maxLength: 6 }), nasty, fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 12 }).map((xs) => xs.join(''))
const keyArb = fc.oneof(pick(['event', 'err.type', 'err.code', 'cause', 'url', 'status', 'recorded', 'truncated', 'a']), fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }).map((s) => JSON.stringify(s)))
const valueArb = fc.oneof(
  pick(['collector_error', 'agent_start', 'x', '', '{"a":1}', '[1,2]', '{', '[]#']),
  fc.string({ maxLength: 8 }),
  fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))
)
const fieldsArb = fc.array(fc.tuple(keyArb, valueArb).map(([k, v]) => ` ${k}=${v}`), { maxLength: 5 }).map((xs) => xs.join(''))
const levelArb = fc.oneof({ weight: 5, arbitrary: pick(['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG', 'TRACE']) }, { weight: 2, arbitrary: pick(['info', 'WARN', 'TRACES', 'XINFO', 'DEBU', 'CRITICA', 'RROR', 'G', 'LOG', '']) })

/** A line built like the text layout's, each part now and then malformed. */
const headerLineArb = fc.record({
  y: digitsArb(4, 1960, 2100), mo: digitsArb(2, 1, 12), d: digitsArb(2, 1, 31), h: digitsArb(2, 0, 23), mi: digitsArb(2, 0, 59), s: digitsArb(2, 0, 60), ms: digitsArb(3),
  sep: fc.oneof({ weight: 8, arbitrary: fc.constant(['-', '-', ' ', ':', ':', ',']) }, { weight: 1, arbitrary: fc.array(pick(['-', ' ', ':', ',', 'T', '.']), { minLength: 6, maxLength: 6 }) }),
  sign: fc.oneof({ weight: 8, arbitrary: pick(['+', '-']) }, { weight: 1, arbitrary: pick(['Z', ' ']) }),
  off: digitsArb(4),
  pid: fc.oneof({ weight: 8, arbitrary: fc.nat().map(String) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: fc.constant('12345678901234') }),
  thread: fc.oneof({ weight: 4, arbitrary: pick(['main', 'worker-1', 'a) b', '']) }, { weight: 1, arbitrary: textArb }),
  name: fc.oneof({ weight: 4, arbitrary: pick(['oneapm.collector', 'oneapm.x', 'a b', 'x - y', 'n INFO - m', 'n ERROR', '']) }, { weight: 1, arbitrary: textArb }),
  level: levelArb,
  dash: fc.oneof({ weight: 8, arbitrary: fc.constant(' - ') }, { weight: 1, arbitrary: pick([' -', '- ', ' - - ']) }),
  recorded: fc.boolean(),
  msg: textArb,
  fields: fieldsArb,
  cut: fc.option(fc.nat(99999), { nil: undefined, freq: 8 })
}).map((p) => {
  const [a, b, c, e, f, g] = p.sep
  const body = `${p.recorded ? '[recorded] ' : ''}${p.msg}${p.fields}${p.cut === undefined ? '' : ` …[line truncated: ${p.cut} bytes]`}`
  return `${p.y}${a}${p.mo}${b}${p.d}${c}${p.h}${e}${p.mi}${f}${p.s}${g}${p.ms}${p.sign}${p.off} (${p.pid}/${p.thread}) ${p.name} ${p.level}${p.dash}${body}`
})

const bytesArb = fc.uint8Array({ maxLength: 200 })
const lineArb = fc.oneof(
  { weight: 6, arbitrary: headerLineArb },
  { weight: 1, arbitrary: textArb },
  { weight: 1, arbitrary: bytesArb.map((b) => Buffer.from(b).toString('utf8')) },
  { weight: 1, arbitrary: bytesArb.map((b) => Buffer.from(b).toString('latin1')) },
  { weight: 1, arbitrary: fc.tuple(headerLineArb, bytesArb).map(([l, b]) => l + Buffer.from(b).toString('utf8')) }
// A line never holds its newline; CR and every other character stay.
).map((l) => l.replaceAll('\n', ''))

type Rec = ReturnType<typeof parseLine>

function same (got: Rec | ref.ReadRecord | null, want: ref.ReadRecord | null, line: string): void {
  if (want === null || got === null) {
    assert.equal(got === null, want === null, `null-ness differs for ${JSON.stringify(line)}`)
    return
  }
  const fieldsOf = (r: ref.ReadRecord | NonNullable<Rec>): unknown => ({ time: r.time, level: r.level, name: r.name, pid: r.pid, thread: r.thread, msg: r.msg, event: r.event, fields: { ...r.fields }, format: r.format })
  assert.deepEqual(fieldsOf(got), fieldsOf(want), JSON.stringify(line))
}

test('parseLine: the fast header parse and field tokens read every line as the reference parser does', () => {
  fc.assert(fc.property(lineArb, (line) => {
    same(parseLine(line, 'f'), ref.parseLine(line, 'f'), line)
  }), { numRuns: 4000 })
})

test('read in place from a string of lines (TextView, LineRef), a line reads as the reference parser reads it alone', () => {
  fc.assert(fc.property(fc.array(lineArb, { minLength: 1, maxLength: 6 }), (lines) => {
    const text = lines.join('\n')
    const view = new TextView()
    view.text(text, 'f')
    const h: TextHeader = { time: 0, level: 'info', pid: 0, threadAt: 0, threadEnd: 0, nameAt: 0, nameEnd: 0, bodyAt: 0 }
    const refs: Array<[ReturnType<TextView['ref']>, ref.ReadRecord]> = []
    let at = 0
    for (const line of lines) {
      const end = at + line.length
      const want = ref.parseLine(line, 'f')
      const c = line.charCodeAt(0)
      // As read-in-order.ts's scanPiece: long enough text-layout candidates in place.
      if (line.length >= TEXT_IN_PLACE_MIN && line.length <= MAX_LINE && c >= 48 && c <= 57) {
        const got = textHeader(text, at, end, h)
        if (got === null || want === null) assert.equal(got === null, want === null, JSON.stringify(line))
        else {
          view.set(at, end, got)
          // The event first: it is asked before anything else, by the forward scan.
          assert.equal(view.event, want.event, JSON.stringify(line))
          same(view as unknown as ref.ReadRecord, want, line)
          const r = view.ref()
          assert.equal(r.time, want.time)
          refs.push([r, want])
        }
      }
      at = end + 1
    }
    // LineRefs moved into a copy of their lines (summary.ts's settle) read the same name and message.
    const copy = refs.map(([r]) => r.s.slice(r.start, r.end)).join('\n')
    let to = 0
    for (const [r, want] of refs) {
      const n = r.end - r.start
      r.move(copy, to)
      to += n + 1
      assert.equal(r.name, want.name)
      assert.equal(r.msg, want.msg)
    }
  }), { numRuns: 1500 })
})

test('textHeaderBytes reads every line of an ASCII string of lines as textHeader reads it, in place', () => {
  // ASCII only (read-in-order.ts gives the bytes of ASCII pieces alone): other characters become one of the scanners' own.
  const ascii = lineArb.map((l) => l.replace(/[^\x00-\x7f]/g, (c) => ' -)(/0GLOREI'[c.charCodeAt(0) % 12] as string))
  fc.assert(fc.property(fc.array(ascii, { minLength: 1, maxLength: 6 }), (lines) => {
    const text = lines.join('\n')
    const bytes = Buffer.from(text, 'latin1')
    assert.equal(bytes.length, text.length)
    let at = 0
    for (const line of lines) {
      const end = at + line.length
      if (line.length >= TEXT_IN_PLACE_MIN && line.length <= MAX_LINE) {
        const want = textHeader(text, at, end, { ...EMPTY_HEAD })
        const got = textHeaderBytes(bytes, at, end, { ...EMPTY_HEAD })
        assert.deepEqual(got, want, JSON.stringify(line))
      }
      at = end + 1
    }
  }), { numRuns: 4000 })
})

test('textHeaderBytes on the lines that decide the level: a name ending in a level word, an empty name, a second ` LEVEL - `', () => {
  const head = '2026-11-21 13:18:00,123+0800 (4242/main) '
  for (const rest of ['oneapm.x INFO - m', ' INFO - m', '  INFO - m', 'a INFO INFO - m', 'n ERROR - x WARNING - y', 'x - y INFO - z', 'xINFO - y DEBUG - z',
    'a b CRITICAL - c', 'a WARNING - ', 'a TRACE -', 'a G - b', 'a DEBUG - b', 'a  - b ERROR - c', 'q' + ' '.repeat(60) + 'INFO - x',
    // A blank in a date field's lower places (found by the property above: a sentinel too small for the ones place).
    '!00  -01-01 00:00:00,000+0000 (0/main) oneapm.collector CRITICAL - ', '!2026-1 -21 13:18:00,123+0800 (4242/main) a INFO - m',
    '!2026-11-21 13:18:00,12 +0800 (4242/main) a INFO - m', '!2026-11-21 13:18:00,123+08 0 (4242/main) a INFO - m']) {
    const line = (rest.startsWith('!') ? rest.slice(1) : head + rest) + ' '.repeat(Math.max(0, TEXT_IN_PLACE_MIN - head.length - rest.length))
    const text = `${line}\n${head}next INFO - after`
    const want = textHeader(text, 0, line.length, { ...EMPTY_HEAD })
    const got = textHeaderBytes(Buffer.from(text, 'latin1'), 0, line.length, { ...EMPTY_HEAD })
    assert.deepEqual(got, want, rest)
  }
})

const EMPTY_HEAD: TextHeader = { time: 0, level: 'info', pid: 0, threadAt: 0, threadEnd: 0, nameAt: 0, nameEnd: 0, bodyAt: 0 }

test('eventMark finds what indexOf(" event=") finds, from any start', () => {
  const s = fc.array(fc.oneof(pick([' event=', 'event=', 'vent=', ' e', 'v', 'ent=', ' ', 'e', '=']), fc.string({ maxLength: 3 })), { maxLength: 20 }).map((xs) => xs.join(''))
  fc.assert(fc.property(s, fc.nat(200), (text, from) => {
    assert.equal(eventMark(text, from), text.indexOf(' event=', from))
  }), { numRuns: 3000 })
})

test('parseTextBody: reused token state gives the reference message and fields, from any start', () => {
  fc.assert(fc.property(lineArb, fc.nat(60), (line, at) => {
    const a = parseTextBody(line, at)
    const b = ref.parseTextBody(line, at)
    assert.deepEqual({ msg: a.msg, fields: { ...a.fields } }, { msg: b.msg, fields: { ...b.fields } })
  }), { numRuns: 3000 })
})

test('huge lines: past MAX_LINE neither parser reads one; near it both agree', () => {
  const head = '2026-11-21 13:18:00,123+0800 (4242/main) oneapm.collector ERROR - '
  for (const n of [MAX_LINE - head.length - 20, MAX_LINE + 1]) {
    const line = head + 'x'.repeat(Math.max(0, n - 20)) + ' event=collector_error status=503'
    same(parseLine(line, 'f'), ref.parseLine(line, 'f'), line.slice(0, 80))
  }
  // Many blanks and `=`: the scan budget makes both give up at the same point.
  const hostile = head + 'a= '.repeat(200_000) + 'k=v'
  same(parseLine(hostile, 'f'), ref.parseLine(hostile, 'f'), hostile.slice(0, 80))
})
