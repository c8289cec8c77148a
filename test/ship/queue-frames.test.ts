// The queue with a FrameTransport (frames made at push): sends in flight
// behind one another, outcomes taken in the order the sends left, a retried
// batch kept and sent again once; and a full queue that counts without
// formatting (the margin of the last record it had no room for).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ShipQueue } from '../../src/ship/queue'
import type { Frame, FrameTransport, SendOutcome } from '../../src/ship/transport'

const line = (msg: string): string => JSON.stringify({ time: '2026-12-01T00:00:00.000Z', level: 'info', name: 'oneapm', pid: 1, thread: 'main', msg })
const frame = (msg: string): Frame => ({ text: msg, bytes: msg.length, truncated: false, group: '' })

interface Call { readonly texts: string[], resolve: (o: SendOutcome) => void }

function pipelined (maxInFlight: number, batchMax: number): FrameTransport & { calls: Call[] } {
  const calls: Call[] = []
  return {
    target: 'test://frames',
    calls,
    maxInFlight,
    batchMax,
    batchMs: 0,
    encodeParts: () => undefined,
    encodeRecord: (r) => frame(r.msg),
    sendFrames: async (frames) => await new Promise<SendOutcome>((resolve) => { calls.push({ texts: frames.map((f) => f.text), resolve }) }),
    send: async (records) => ({ sent: records.length, rejected: 0, retry: 0, truncated: 0 }),
    close () {}
  }
}

async function until (ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(2)
  }
}

const sent = (n: number): SendOutcome => ({ sent: n, rejected: 0, retry: 0, truncated: 0 })

test('two sends in flight; the first retried after the second was delivered: every record sent once, the retried ones again after', async () => {
  const t = pipelined(2, 3)
  const q = new ShipQueue(t, { maxBytes: 1024 * 1024, fields: 'all', notice: () => {} })
  try {
    for (let i = 0; i < 6; i++) q.push(line(`m${i}`), frame(`m${i}`))
    await until(() => t.calls.length === 2)
    assert.deepEqual(t.calls.map((c) => c.texts), [['m0', 'm1', 'm2'], ['m3', 'm4', 'm5']])
    // The second answers first; its outcome waits for the first's.
    t.calls[1]!.resolve(sent(3))
    await sleep(5)
    assert.equal(q.stats.sent, 0)
    t.calls[0]!.resolve({ sent: 1, rejected: 0, retry: 2, truncated: 0, reason: 'HTTP 503', retryAfterMs: 1 })
    await until(() => q.stats.sent === 4)
    assert.equal(q.stats.queued, 2, 'the retried two are kept, the delivered ones gone')
    assert.deepEqual(q.unsent(), [line('m1'), line('m2')])
    await until(() => t.calls.length === 3, 3000)
    assert.deepEqual(t.calls[2]!.texts, ['m1', 'm2'])
    t.calls[2]!.resolve(sent(2))
    await until(() => q.stats.queued === 0)
    assert.equal(q.stats.sent, 6)
    assert.equal(q.stats.retried, 2)
    assert.equal(q.stats.queueBytes, 0)
  } finally {
    q.close()
  }
})

test('a record with no frame is made one from its line; a full queue says full from the last record it had no room for until a send frees room', async () => {
  const t = pipelined(1, 100)
  const q = new ShipQueue(t, { maxBytes: 4096, fields: 'all', notice: () => {} })
  try {
    q.push(line('from the line'))
    await until(() => t.calls.length === 1)
    assert.deepEqual(t.calls[0]!.texts, ['from the line'])
    const big = 'x'.repeat(400)
    while (q.stats.dropped.queue_full === 0) q.push(line(big), frame(big))
    assert.equal(q.full, true, 'a record as big as the one dropped would be dropped too: counted before formatting')
    t.calls[0]!.resolve(sent(1))
    await until(() => q.full === false)
  } finally {
    q.close()
  }
})
