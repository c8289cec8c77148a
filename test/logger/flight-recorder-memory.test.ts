// The flight recorder's size setting bounds real memory: what it keeps is a
// copy, charged by its size, never the caller's Buffer, string or object.
// Each scenario runs in its own child process with gc exposed.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const MB = 1024 * 1024
const SLACK = 8 * MB

// Strings of 1,000,000 chars: Node makes larger ones from Buffers external,
// outside heapUsed, where the measure would not see them.
const scenarios: Record<string, string> = {
  '1,500 × 1 MB Buffer': 'log.debug("payload %s", Buffer.alloc(MB, i & 255))',
  '1,500 × 1 MB string': 'log.debug(Buffer.alloc(STR, 97 + (i % 26)).toString("latin1"))',
  '1,500 × 1 MB slice of a larger string': 'log.debug("got %s", (i % 100 === 0 ? (big = "x".repeat(8 * MB) + i) : big).slice(i % 7, i % 7 + STR))',
  '1,500 × 100-char slice of a distinct 1 MB string': 'log.debug("head %s", Buffer.alloc(STR, 97 + (i % 26)).toString("latin1").slice(1, 101))',
  '1,500 × object holding a 1 MB Buffer': 'log.debug({ body: Buffer.alloc(MB), n: i }, "request")',
  '1,500 × Error with a 1 MB message and a Buffer field': 'log.debug(Object.assign(new Error("x".repeat(MB) + i), { body: Buffer.alloc(MB) }))'
}

for (const [name, call] of Object.entries(scenarios)) {
  test(`flight recorder memory: ${name} at info grows the heap by about log_flight_recorder (1MB), not by what was passed`, (t) => {
    const dir = tmpDir()
    t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
    const res = runScript(`
      require('v8').setFlagsFromString('--expose-gc')
      const gc = require('vm').runInNewContext('gc')
      const MB = ${MB}
      const STR = 1000000
      const root = lib.createLogger({ log_file: ${JSON.stringify(path.join(dir, 'agent.log'))} })
      let log = root
      const used = () => { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers }
      log.debug('warm up'); log.info('warm up')
      const before = used()
      let big
      // Spread over loggers and time like a real host, so the per-logger budget is not what bounds it.
      let i = 0
      function batch () {
        log = root.child('part' + Math.floor(i / 100))
        for (let j = 0; j < 100 && i < 1500; j++, i++) { ${call} }
        if (i < 1500) return setTimeout(batch, 105)
        big = undefined
        const s = root.stats().flightRecorder
        console.log(JSON.stringify({ growth: used() - before, held: s.held, bytes: s.bytes, skipped: s.skipped }))
      }
      batch()
    `, { timeout: 120_000 })
    const out = res.stdout.split('\n').find((l) => l.startsWith('{"growth"'))
    assert.ok(out !== undefined, `no report; exit ${res.status} ${res.signal}; ${res.stderr.slice(-1000)}`)
    const r = JSON.parse(out) as { growth: number, held: number, bytes: number, skipped: number }
    assert.equal(r.skipped, 0, 'spread out, every call is within the budget')
    assert.ok(r.held > 0 && r.bytes <= MB, JSON.stringify(r))
    assert.ok(r.growth < MB + SLACK, `grew ${(r.growth / MB).toFixed(1)} MB: ${JSON.stringify(r)}`)
  })
}
