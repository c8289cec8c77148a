// stats().ship for a syslog destination carries the transport's own
// counters: connections made, failed connects, batches and records written
// again after the receiver ended a connection.
import assert from 'node:assert/strict'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import fs from 'node:fs'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createLogger } from '../../src/index'
import { tmpDir } from '../helpers/tmp'

test('stats().ship: a syslog destination reports connects, failed connects and resends next to sent and dropped', async (t) => {
  const dir = tmpDir()
  const server = net.createServer((s) => { s.on('data', () => {}) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    await new Promise((resolve) => server.close(resolve))
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const port = (server.address() as AddressInfo).port
  const log = createLogger({ log_file: path.join(dir, 'agent.log'), log_ship: `syslog+tcp://127.0.0.1:${port},syslog+tcp://127.0.0.1:1` }, { global: false })
  try {
    log.info('hello')
    const end = Date.now() + 5000
    while ((log.stats().ship[0]?.sent ?? 0) < 2 && Date.now() < end) await sleep(10)
    while ((log.stats().ship[1]?.syslog?.connectFailures ?? 0) < 1 && Date.now() < end) await sleep(10)
    const [up, down] = log.stats().ship
    assert.ok((up?.sent ?? 0) >= 2, JSON.stringify(up))
    assert.deepEqual(up?.syslog, { connects: 1, connectFailures: 0, resentBatches: 0, resentRecords: 0 })
    assert.equal(down?.syslog?.connects, 0)
    assert.ok((down?.syslog?.connectFailures ?? 0) >= 1, JSON.stringify(down))
  } finally {
    await log.close()
  }
})
