import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Coalescer } from '../../src/collector/coalesce'

test('first failure warns, repeats are summarized once per interval, the first success recovers', () => {
  let now = 0
  const c = new Coalescer(10_000, () => now)
  assert.deepEqual(c.failure('ECONNREFUSED'), { kind: 'first_failure', cause: 'ECONNREFUSED' })
  now = 1000
  assert.deepEqual(c.failure('ECONNREFUSED'), { kind: 'quiet' })
  now = 10_500
  assert.deepEqual(c.failure('ECONNREFUSED'), { kind: 'still_failing', cause: 'ECONNREFUSED', count: 2, seconds: 11 })
  assert.deepEqual(c.failure('HTTP 503'), { kind: 'first_failure', cause: 'HTTP 503' })
  now = 12_000
  assert.deepEqual(c.success(), { kind: 'recovered', failures: 4, seconds: 12, causes: ['ECONNREFUSED', 'HTTP 503'] })
  assert.deepEqual(c.success(), { kind: 'ok' })
  assert.deepEqual(c.failure('ECONNREFUSED'), { kind: 'first_failure', cause: 'ECONNREFUSED' })
})

test('a 200-failure outage gives a bounded number of lines and one recovery', () => {
  let now = 0
  const c = new Coalescer(60_000, () => now)
  const verdicts: string[] = []
  for (let i = 0; i < 200; i++) {
    now = i * 1500
    verdicts.push(c.failure('ECONNREFUSED connect 10.0.0.1:443').kind)
  }
  verdicts.push(c.success().kind)
  const loud = verdicts.filter((v) => v !== 'quiet')
  assert.equal(loud[0], 'first_failure')
  assert.equal(loud.filter((v) => v === 'still_failing').length, 4)
  assert.deepEqual(loud.slice(-1), ['recovered'])
})
