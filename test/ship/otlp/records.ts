// ShippedRecords and a resource for OTLP tests.
import type { LevelValue } from '../../../src/record/levels'
import type { ShippedRecord, ShipResource } from '../../../src/ship/transport'

export const RESOURCE: ShipResource = {
  hostName: 'web-7',
  pid: 4242,
  serviceName: 'checkout',
  instanceId: '0f8e3c1a-5b7d-4e2f-9a6c-1d2e3f4a5b6c',
  runtimeName: 'nodejs',
  runtimeVersion: '20.20.2',
  version: '0.1.0'
}

export function record (over: Partial<ShippedRecord> = {}): ShippedRecord {
  const base = {
    time: 1_700_000_000_123,
    level: 30 as LevelValue,
    logger: 'oneapm.collector',
    pid: RESOURCE.pid,
    thread: 'main',
    msg: 'connected',
    fields: {},
    err: undefined,
    recorded: false,
    json: ''
  }
  return { ...base, ...over }
}

/** `n` records whose messages are `m0`…`m<n-1>`: what a server counts to check exactly-once delivery. */
export function numbered (n: number, from = 0): ShippedRecord[] {
  return Array.from({ length: n }, (_, i) => record({ msg: `m${from + i}`, fields: { i: from + i } }))
}
