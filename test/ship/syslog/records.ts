// Shipped records and a resource for the syslog tests, and a small stand-in
// for the lead's queue: it sends batches and resends the last `retry`.
import assert from 'node:assert/strict'
import type { LevelValue } from '../../../src/record/levels'
import type { SendOutcome, ShippedRecord, ShipResource, ShipTransport } from '../../../src/ship/transport'

export const RESOURCE: ShipResource = {
  hostName: 'test-host',
  pid: 4242,
  serviceName: 'svc',
  instanceId: 'i-1',
  runtimeName: 'nodejs',
  runtimeVersion: process.version,
  version: '0.1.0'
}

export const T0 = Date.UTC(2026, 10, 21, 5, 18, 0, 123)

export function record (over: Partial<ShippedRecord> = {}): ShippedRecord {
  return {
    time: T0,
    level: 30 as LevelValue,
    logger: 'oneapm.collector',
    pid: 4242,
    thread: 'main',
    msg: 'connected',
    fields: {},
    err: undefined,
    recorded: false,
    json: '{}',
    ...over
  }
}

/** `count` records tagged with `run` and their index (`seq`). */
export function numbered (run: string, count: number, from = 0): ShippedRecord[] {
  return Array.from({ length: count }, (_, i) => record({ msg: `record ${from + i}`, fields: { run, seq: from + i } }))
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Sends `records` in batches as the queue does: the last `retry` of a batch go again, after retryAfterMs (capped). */
export async function deliver (t: ShipTransport, records: readonly ShippedRecord[], batch = 25, deadlineMs = 20_000, pauseMs = 0): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = []
  const deadline = Date.now() + deadlineMs
  let i = 0
  while (i < records.length) {
    const b = records.slice(i, i + batch)
    const o = await t.send(b)
    outcomes.push(o)
    assert.equal(o.sent + o.rejected + o.retry, b.length, `outcome adds up: ${JSON.stringify(o)}`)
    i += b.length - o.retry
    if (o.retry > 0) {
      if (Date.now() > deadline) throw new Error(`not delivered within ${deadlineMs} ms: ${JSON.stringify(o)}`)
      await sleep(Math.min(Math.max(o.retryAfterMs ?? 20, 5), 300))
    } else if (pauseMs > 0) {
      await sleep(pauseMs)
    }
  }
  return outcomes
}

export function total (outcomes: readonly SendOutcome[], key: 'sent' | 'rejected' | 'retry' | 'truncated'): number {
  return outcomes.reduce((n, o) => n + o[key], 0)
}
