import assert from 'node:assert/strict'
import test from 'node:test'
import fc from 'fast-check'
import { createBackoff } from '../../../src/ship/syslog/backoff'

test('backoff doubles from 100 ms to a 30 s cap, and reset starts again', () => {
  const b = createBackoff({ random: () => 0.5 })
  const seq = Array.from({ length: 12 }, () => b.next())
  assert.deepEqual(seq, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000])
  assert.equal(b.attempts, 12)
  b.reset()
  assert.equal(b.next(), 100)
})

test('jitter stays within ±20 % and the cap, whatever random() returns', () => {
  fc.assert(fc.property(fc.array(fc.double({ noNaN: false }), { minLength: 1, maxLength: 50 }), (rs) => {
    let i = 0
    const b = createBackoff({ minMs: 100, maxMs: 30_000, random: () => rs[i++ % rs.length]! })
    for (let k = 0; k < 50; k++) {
      const base = Math.min(30_000, 100 * 2 ** k)
      const d = b.next()
      assert.ok(d >= Math.floor(base * 0.8) && d <= Math.min(30_000, Math.ceil(base * 1.2)), `step ${k}: ${d}`)
    }
  }))
})
