// Attack: a hostile or broken receiver against the local log.
// - A receiver rejecting every batch (400) drew one warning per batch, and the
//   warning, shipped in turn and rejected, drew the next: one line a second
//   forever, with the host logging nothing.
// - A receiver answering 503 with a different message each time (a counter, a
//   request id) made each failure a "first failure": one warning per attempt,
//   and the coalescer's map of causes grew by one entry per attempt.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ShipQueue } from '../../src/ship/queue'
import type { SendOutcome, ShipTransport } from '../../src/ship/transport'

interface Said { level: number, msg: string, fields: Readonly<Record<string, unknown>> }

function queueWith (answer: (n: number, i: number) => SendOutcome, clock: { t: number }): { q: ShipQueue, said: Said[] } {
  let i = 0
  const transport: ShipTransport = { target: 'otlp+http://r:4318/v1/logs', send: async (records) => answer(records.length, i++), close () {} }
  const said: Said[] = []
  const q: ShipQueue = new ShipQueue(transport, {
    maxBytes: 1024 * 1024,
    fields: 'all',
    batchMs: 1,
    now: () => clock.t,
    // As in the real wiring, a notice is shipped too.
    notice: (level, msg, fields) => { said.push({ level, msg, fields }); q.push(JSON.stringify({ level: 'warning', msg })) }
  })
  return { q, said }
}

async function run (q: ShipQueue, clock: { t: number }, batches: number, waitMs = 5): Promise<void> {
  for (let b = 0; b < batches; b++) {
    q.push(JSON.stringify({ level: 'info', msg: `r${b}` }))
    clock.t += 1000
    await sleep(waitMs)
  }
}

test('a receiver rejecting every batch: one warning, then at most one a minute with the count, not one per batch', async (t) => {
  const clock = { t: 1_000_000 }
  const { q, said } = queueWith((n) => ({ sent: 0, rejected: n, retry: 0, truncated: 0, reason: 'HTTP 400' }), clock)
  t.after(() => { q.close() })
  await run(q, clock, 30)
  const rejected = said.filter((s) => s.fields.event === 'ship_rejected')
  assert.ok(rejected.length >= 1 && rejected.length <= 2, `${rejected.length} rejection warnings in 30 s`)
  await run(q, clock, 40)
  const later = said.filter((s) => s.fields.event === 'ship_rejected')
  assert.ok(later.length <= 3, `${later.length} rejection warnings in 70 s`)
  const total = later.reduce((n, s) => n + (s.fields.rejected as number), 0)
  assert.ok(total > later.length, 'the coalesced warnings carry the count of what they stand for')
  assert.equal(q.stats.dropped.rejected > 60, true)
})

test('503 with a different message each time: one outage warning, not one per attempt; the causes stay few', async (t) => {
  const clock = { t: 1_000_000 }
  const { q, said } = queueWith((n, i) => ({ sent: 0, rejected: 0, retry: n, truncated: 0, reason: `HTTP 503: busy, request id ${i}-${Math.random()}`, retryAfterMs: 1 }), clock)
  t.after(() => { q.close() })
  // Each retry waits the queue's shortest backoff (500 ms) in real time.
  await run(q, clock, 5, 600)
  assert.ok(q.stats.failures >= 4, JSON.stringify(q.stats))
  const errors = said.filter((s) => s.fields.event === 'ship_error')
  assert.ok(errors.length <= 1, `${errors.length} outage warnings in 30 s:\n${errors.map((e) => e.msg).join('\n')}`)
})
