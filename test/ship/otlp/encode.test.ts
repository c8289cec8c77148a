import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { LevelValue } from '../../../src/record/levels'
import { encodeExportRequest, exportRequest, nanos, wellFormed, MAX_DEPTH, UNKNOWN_SERVICE } from '../../../src/ship/otlp/encode'
import type { ShippedRecord } from '../../../src/ship/transport'
import { assertOtlpJsonRules, decodeWithoutLoss } from './proto'
import { RESOURCE, record } from './records'

const NOW = 1_700_000_005_000

test('one record maps field by field: resource, scope, severity, body, attributes, exception, recorded', () => {
  const r = record({
    time: 1_700_000_000_123.5,
    level: 50,
    thread: 'worker-2',
    msg: 'send failed',
    fields: { host: 'collector.example', attempt: 3, ratio: 0.5, ok: false, none: null, tags: ['a', 1], nested: { depth: { n: 2 } } },
    err: { type: 'Error', message: 'ECONNREFUSED', stack: 'Error: ECONNREFUSED\n    at x (y.js:1:1)' },
    recorded: true
  })
  const req = exportRequest([r], RESOURCE, NOW)
  assert.deepEqual(req, {
    resourceLogs: [{
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'checkout' } },
          { key: 'service.instance.id', value: { stringValue: RESOURCE.instanceId } },
          { key: 'host.name', value: { stringValue: 'web-7' } },
          { key: 'process.pid', value: { intValue: '4242' } },
          { key: 'process.runtime.name', value: { stringValue: 'nodejs' } },
          { key: 'process.runtime.version', value: { stringValue: '20.20.2' } }
        ]
      },
      scopeLogs: [{
        scope: { name: 'oneapm.collector', version: '0.1.0' },
        logRecords: [{
          timeUnixNano: '1700000000123500000',
          observedTimeUnixNano: '1700000005000000000',
          severityNumber: 17,
          severityText: 'ERROR',
          body: { stringValue: 'send failed' },
          attributes: [
            { key: 'host', value: { stringValue: 'collector.example' } },
            { key: 'attempt', value: { intValue: '3' } },
            { key: 'ratio', value: { doubleValue: 0.5 } },
            { key: 'ok', value: { boolValue: false } },
            { key: 'none', value: {} },
            { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } } },
            { key: 'nested', value: { kvlistValue: { values: [{ key: 'depth', value: { kvlistValue: { values: [{ key: 'n', value: { intValue: '2' } }] } } }] } } },
            { key: 'thread.name', value: { stringValue: 'worker-2' } },
            { key: 'exception.type', value: { stringValue: 'Error' } },
            { key: 'exception.message', value: { stringValue: 'ECONNREFUSED' } },
            { key: 'exception.stacktrace', value: { stringValue: 'Error: ECONNREFUSED\n    at x (y.js:1:1)' } },
            { key: 'oneapm.recorded', value: { boolValue: true } }
          ]
        }]
      }]
    }]
  })
  const json = encodeExportRequest([r], RESOURCE, NOW)
  assertOtlpJsonRules(JSON.parse(json))
  decodeWithoutLoss(json)
})

test('severity per the OTel logs data model: the smallest number of each range, short text', () => {
  const levels: Array<[LevelValue, number, string]> = [[10, 1, 'TRACE'], [20, 5, 'DEBUG'], [30, 9, 'INFO'], [40, 13, 'WARN'], [50, 17, 'ERROR'], [60, 21, 'FATAL']]
  const req = exportRequest(levels.map(([level]) => record({ level })), RESOURCE, NOW)
  const got = req.resourceLogs[0]?.scopeLogs[0]?.logRecords.map((l) => [l.severityNumber, l.severityText])
  assert.deepEqual(got, levels.map(([, n, t]) => [n, t]))
})

test('records group by scope (logger name) in first-seen order; a previous run\'s pid gets its own resource without our instance id', () => {
  const req = exportRequest([
    record({ logger: 'oneapm.a', msg: '1' }),
    record({ logger: 'oneapm.b', msg: '2' }),
    record({ logger: 'oneapm.a', msg: '3' }),
    record({ logger: 'oneapm.a', msg: '4', pid: 99 })
  ], { ...RESOURCE, serviceName: undefined }, NOW)
  assert.equal(req.resourceLogs.length, 2)
  const [own, old] = req.resourceLogs
  assert.deepEqual(own?.scopeLogs.map((s) => [s.scope.name, s.logRecords.map((l) => l.body.stringValue)]), [['oneapm.a', ['1', '3']], ['oneapm.b', ['2']]])
  assert.deepEqual(old?.scopeLogs.map((s) => [s.scope.name, s.logRecords.map((l) => l.body.stringValue)]), [['oneapm.a', ['4']]])
  assert.deepEqual(own?.resource.attributes[0], { key: 'service.name', value: { stringValue: UNKNOWN_SERVICE } })
  assert.ok(own?.resource.attributes.some((a) => a.key === 'service.instance.id'))
  assert.ok(!(old?.resource.attributes.some((a) => a.key === 'service.instance.id') ?? true))
  assert.deepEqual(old?.resource.attributes.find((a) => a.key === 'process.pid')?.value, { intValue: '99' })
  // Only other processes' records: our resource is not sent empty.
  assert.equal(exportRequest([record({ pid: 7 })], RESOURCE, NOW).resourceLogs.length, 1)
})

test('numbers: 64-bit integers as exact decimal strings, beyond int64 as doubles; timestamps in nanoseconds', () => {
  const fields = { a: 2 ** 53 + 2, b: -(2 ** 63), c: 2 ** 63, d: 1e300, e: -7, f: Number.NaN }
  const attrs = exportRequest([record({ fields })], RESOURCE, NOW).resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.attributes
  assert.deepEqual(attrs?.slice(0, 6).map((a) => a.value), [
    { intValue: '9007199254740994' },
    { intValue: '-9223372036854775808' },
    { doubleValue: 2 ** 63 },
    { doubleValue: 1e300 },
    { intValue: '-7' },
    { stringValue: 'NaN' }
  ])
  assert.equal(nanos(1), '1000000')
  assert.equal(nanos(0.5), '500000')
  assert.equal(nanos(1_700_000_000_000.9999999), '1700000000001000000')
  assert.equal(nanos(-1), '0')
  assert.equal(nanos(Number.NaN), '0')
})

test('a field named like one of our attributes gives way: attribute keys stay unique', () => {
  const attrs = exportRequest([record({ fields: { 'thread.name': 'forged', 'oneapm.recorded': 1 } })], RESOURCE, NOW).resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.attributes
  assert.deepEqual(attrs, [{ key: 'thread.name', value: { stringValue: 'main' } }])
})

test('lone surrogates become U+FFFD; nesting past MAX_DEPTH travels as JSON text', () => {
  assert.equal(wellFormed('a\ud800b\udc00c\ud83d\ude00'), 'a\ufffdb\ufffdc\ud83d\ude00')
  assert.equal(wellFormed('\ud800'), '\ufffd')
  let deep: unknown = 'bottom'
  for (let i = 0; i < MAX_DEPTH + 5; i++) deep = [deep]
  const json = encodeExportRequest([record({ msg: 'x\udfff', fields: { deep } })], RESOURCE, NOW)
  const back = decodeWithoutLoss(json)
  assert.ok(JSON.stringify(back).includes('bottom'))
  assert.ok(json.includes('x\ufffd'))
})

test('deep nesting costs linear time: 10,000 levels of arrays encode without a stack overflow', () => {
  let deep: unknown = 1
  for (let i = 0; i < 10_000; i++) deep = [deep]
  const json = encodeExportRequest([record({ fields: { deep } })], RESOURCE, NOW)
  decodeWithoutLoss(json)
})

const anyChar = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))
const hostile = fc.oneof(
  fc.string({ unit: anyChar, maxLength: 40 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '\u0000', '\n\r', '\ud800', '\udc00x', '"}],', '__proto__', 'constructor', '\u2028')
)
const hugeInt = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number),
  fc.constantFrom(2 ** 53 + 2, 2 ** 63, -(2 ** 63), Number.MAX_SAFE_INTEGER, -0, 1e21, Number.MAX_VALUE, Number.MIN_VALUE)
)
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    hostile, hugeInt, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostile, tie('value'), { maxKeys: 4 }))
})).value

const shipped: fc.Arbitrary<ShippedRecord> = fc.record({
  time: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double()),
  level: fc.constantFrom<LevelValue>(10, 20, 30, 40, 50, 60),
  logger: hostile,
  pid: fc.oneof(fc.constant(RESOURCE.pid), fc.integer({ min: 1, max: 4_194_304 })),
  thread: hostile,
  msg: hostile,
  fields: fc.dictionary(hostile, jsonish, { maxKeys: 6 }),
  err: fc.option(fc.record({ type: hostile, message: hostile, stack: fc.option(hostile, { nil: undefined }) }), { nil: undefined }),
  recorded: fc.boolean(),
  json: fc.constant('')
})

test('fast-check: arbitrary records (hostile strings, lone surrogates, huge ints, nesting) decode without loss against the proto definitions', () => {
  fc.assert(fc.property(fc.array(shipped, { minLength: 1, maxLength: 8 }), (records) => {
    const json = encodeExportRequest(records, RESOURCE, NOW)
    assertOtlpJsonRules(JSON.parse(json))
    const back = decodeWithoutLoss(json) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ body: { stringValue: string } }> }> }> }
    const bodies = back.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((s) => s.logRecords.map((l) => l.body.stringValue)))
    assert.deepEqual([...bodies].sort(), records.map((r) => wellFormed(r.msg)).sort())
  }), { numRuns: 300 })
})

test('encoding is linear: 64× the records cost well under 64² × the time', () => {
  const batch = (n: number): ShippedRecord[] => Array.from({ length: n }, (_, i) => record({ msg: `m${i}`, fields: { i, s: 'x'.repeat(50), o: { a: [1, 2, 3] } }, logger: `oneapm.l${i % 7}` }))
  // 256 records, not 64: a batch that small measured in microseconds, and one GC in the large
  // run on a loaded machine made 648x (quadratic would be 4096x).
  const small = batch(256)
  const large = batch(256 * 64)
  const time = (rs: ShippedRecord[]): number => {
    let best = Infinity
    for (let k = 0; k < 5; k++) {
      const t = process.hrtime.bigint()
      encodeExportRequest(rs, RESOURCE, NOW)
      best = Math.min(best, Number(process.hrtime.bigint() - t))
    }
    return best
  }
  time(small)
  const ratio = time(large) / Math.max(time(small), 1)
  assert.ok(ratio < 64 * 8, `ratio ${ratio}`)
})
