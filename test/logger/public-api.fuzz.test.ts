// Logger and tree methods never throw on bad arguments, and bad arguments
// are not "internal errors" either: they are handled, not caught.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { createLogger, getLogger, type Logger } from '../../src/index'
import { internalErrors } from '../../src/internal/last-resort'

const hostile = fc.oneof(
  fc.anything(),
  fc.constantFrom(undefined, null, NaN, -Infinity, Symbol('s'), Symbol.iterator, () => 1, 10n ** 40n, '__proto__', 'constructor', 'toString', '', '.', ':::', 'oneapm.', 'oneapm:'),
  fc.constant({ toString () { throw new Error('toString throws') } }),
  fc.constant({ [Symbol.toPrimitive] () { throw new Error('toPrimitive throws') } }),
  fc.constant(new Proxy({}, { get () { throw new Error('trap') }, ownKeys () { throw new Error('trap') }, getPrototypeOf () { throw new Error('trap') } })),
  fc.constant('x'.repeat(1 << 20)),
  fc.constant(Array.from({ length: 5000 }, (_, i) => `s${i}`).join('.'))
)

function quiet (): Logger {
  return createLogger({ log_file: 'stderr', log_level: 'off', log_flight_recorder: 0 }, { global: false })
}

test('Logger methods never throw and report no internal error, whatever they are given', () => {
  const log = quiet()
  const before = internalErrors()
  fc.assert(fc.property(hostile, hostile, (a, b) => {
    const l = log as unknown as Record<string, (...args: unknown[]) => unknown>
    const child = l.child?.call(log, a, b) as Logger
    assert.ok(typeof child?.name === 'string' && child.name.length <= 256, String(child?.name.length))
    assert.equal(typeof l.setLevel?.call(child, a), 'boolean')
    assert.equal(typeof l.isLevelEnabled?.call(child, a), 'boolean')
    assert.equal(typeof l.keeps?.call(child, a), 'boolean')
    l.count?.call(child, a)
    child.info(a, b)
  }), { numRuns: 300 })
  assert.equal(internalErrors(), before)
  assert.ok(Object.keys(log.stats().interference).length <= 256)
})

test('getLogger and createLogger never throw on bad arguments', () => {
  fc.assert(fc.property(hostile, hostile, (a, b) => {
    const g = (getLogger as (n: unknown) => Logger)(a)
    assert.ok(g.name.startsWith('oneapm') && g.name.length <= 256)
    const c = (createLogger as (c: unknown, o: unknown) => Logger)(a, b)
    assert.equal(typeof c.name, 'string')
    void c.close()
  }), { numRuns: 100 })
})
