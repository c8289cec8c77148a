// Memory while the destination is down: 1M records shipped to a port that
// refuses stay within log_ship_queue plus a small constant, and the drops
// are counted, one by one.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { cleanEnv } from '../helpers/child'
import { LIB, tmpDir } from '../helpers/tmp'

async function refusedPort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

for (const scheme of ['syslog+tcp', 'otlp+http'] as const) {
  test(`1M records with ${scheme} down: the heap grows by at most log_ship_queue (1MB) plus a small constant; every record is sent or counted`, async (t) => {
    const dir = tmpDir()
    t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
    const port = await refusedPort()
    const script = `
      const lib = require(${JSON.stringify(LIB)})
      const log = lib.createLogger({ log_file: ${JSON.stringify(path.join(dir, 'agent.log'))}, log_level: 'warning', log_ship: '${scheme}://127.0.0.1:${port}', log_ship_level: 'info', log_ship_queue: '1MB' })
      const c = log.child('collector', { run_id: 'r1' })
      const heap = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed }
      // Warm up the code paths (and let the first connection attempt fail) before the baseline.
      for (let i = 0; i < 20000; i++) c.info({ i, url: '/api/v1/users/' + i }, 'shipped %d of %s', i, 'many')
      setTimeout(() => {
        const before = heap()
        let peak = 0
        for (let i = 0; i < 1000000; i++) {
          c.info({ i, url: '/api/v1/users/' + i }, 'shipped %d of %s', i, 'many')
          if (i % 100000 === 0) peak = Math.max(peak, heap() - before)
        }
        peak = Math.max(peak, heap() - before)
        const s = log.stats().ship[0]
        process.stdout.write(JSON.stringify({ peak, queueBytes: s.queueBytes, queued: s.queued, sent: s.sent, dropped: s.dropped }))
        process.exit(0)
      }, 700)
    `
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', env: cleanEnv(), timeout: 120_000, cwd: dir })
    assert.equal(r.status, 0, r.stderr)
    const m = JSON.parse(r.stdout) as { peak: number, queueBytes: number, queued: number, sent: number, dropped: { queue_full: number } }
    assert.ok(m.queueBytes <= 1024 * 1024, JSON.stringify(m))
    assert.ok(m.peak < 1024 * 1024 + 4 * 1024 * 1024, `heap grew by ${(m.peak / 1048576).toFixed(1)} MB: ${JSON.stringify(m)}`)
    assert.ok(m.dropped.queue_full > 990_000, JSON.stringify(m))
    // The spool at exit took what was queued: nothing else was lost uncounted.
    assert.ok(fs.readdirSync(dir).some((n) => n.startsWith('oneapm-unsent-')))
  })
}
