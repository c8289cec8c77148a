// The shipping workloads of `npm run bench` (11 to 13, bench/ship.ts) at tiny
// settings: each runs, finds nothing wrong, and its counts add up: every
// timed record was delivered or dropped, the receiver got what was counted as
// sent, and sent + dropped + spooled is what shipping was offered.
import assert from 'node:assert/strict'
import path from 'node:path'
import test from 'node:test'
import { runShip, type ShipJob, type ShipOutcome } from '../../bench/ship'
import { tmpDir } from '../helpers/tmp'

const RECORDS = 3000
const WARMUP = 300

function run (variant: ShipJob['variant'], more: Partial<ShipJob> = {}): Promise<ShipOutcome> {
  return runShip({ variant, records: RECORDS, warmup: WARMUP, file: path.join(tmpDir('oneapm-bench-ship-'), 'agent.log'), ...more })
}

function accounted (r: ShipOutcome): void {
  assert.deepEqual(r.problems, [])
  assert.equal(r.records, RECORDS)
  assert.ok(r.elapsedMs > 0 && r.handedMs > 0 && r.handedMs <= r.elapsedMs)
  assert.equal(r.delivered + r.dropped, RECORDS, 'each timed record delivered or dropped')
}

function shipped (r: ShipOutcome): void {
  accounted(r)
  assert.equal(r.received, r.sent, 'the receiver got every message counted as sent')
  assert.equal((r.sent ?? NaN) + (r.droppedAll ?? NaN) + (r.spooled ?? NaN), r.offered, 'sent + dropped + spooled = offered')
  assert.ok((r.offered ?? 0) >= WARMUP + RECORDS)
}

test('ship bench: file only writes every record and ships nothing', async () => {
  const r = await run('ship-file')
  assert.deepEqual(r.problems, [])
  assert.equal(r.receiver, 'none')
  assert.equal(r.delivered, 0)
  assert.equal(r.sent, undefined)
})

test('ship bench: syslog TCP to a private rsyslogd, every timed record delivered or dropped', async () => {
  const r = await run('ship-tcp', { receiver: 'rsyslog' })
  assert.match(r.receiver, /^rsyslogd /)
  shipped(r)
  assert.equal(r.spooled, 0, 'drained before close')
  assert.ok(r.delivered > 0)
})

test('ship bench: syslog TCP to the node:net frame counter, with a queue small enough to drop', async () => {
  // 64KB (the least log_ship_queue takes) holds a few hundred records; the loop logs 1,000 between yields.
  const r = await run('ship-tcp', { receiver: 'node', shipQueue: '64KB' })
  assert.equal(r.receiver, 'node:net')
  shipped(r)
  assert.ok(r.dropped > 0, 'a 64KB queue drops in bursts of 1,000 records')
  assert.ok(r.delivered > 0)
})

test('ship bench: a destination that is down drops or spools every record, sends none', async () => {
  const r = await run('ship-down', { shipQueue: '64KB' })
  assert.deepEqual(r.problems, [])
  assert.equal(r.sent, 0)
  assert.equal(r.delivered, 0)
  assert.equal(r.received, 0)
  assert.ok((r.spooled ?? 0) > 0, 'what the queue held at close went to the spool')
  // Nothing leaves a queue whose destination is down: the first timed records fill what the warm-up left free, the rest are dropped.
  assert.ok(r.dropped > 0 && r.dropped <= RECORDS)
  assert.equal((r.droppedAll ?? NaN) + (r.spooled ?? NaN), r.offered, 'dropped + spooled = offered')
})

test('ship bench: OTLP, this logger: every timed record delivered or dropped, the receiver got what was sent', async () => {
  const r = await run('otlp-oneapm', { shipQueue: '64KB' })
  assert.equal(r.receiver, 'node:http')
  shipped(r)
  assert.ok(r.delivered > 0)
})

for (const variant of ['otlp-sdk', 'otlp-pino'] as const) {
  test(`ship bench: OTLP, ${variant}: records arrive at the receiver, none counted twice`, async () => {
    const r = await run(variant)
    accounted(r)
    assert.ok(r.delivered > 0, 'some timed records arrived')
    assert.ok((r.received ?? 0) >= r.delivered)
  })
}
