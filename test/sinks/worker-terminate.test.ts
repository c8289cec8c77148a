// worker.terminate() stops a worker thread's JavaScript at once: no 'exit'
// listener and no setImmediate runs in it. What its logger had written by
// then stays; what it had only queued (the records of the current event-loop
// turn since the last error record) is lost. docs/architecture.md says so.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { LIB, tmpDir } from '../helpers/tmp'

test('worker.terminate(): earlier turns and error records (with what was queued before them) are in the file', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  const worker = `
    const { parentPort } = require('node:worker_threads')
    const lib = require(${JSON.stringify(LIB)})
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)} }, { global: false })
    ;(async () => {
      for (let i = 0; i < 50; i++) log.info('earlier turn %d', i)
      await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setImmediate(resolve))
      log.info('same turn, before the error')
      log.error('same turn error')
      log.info('same turn, after the error')
      parentPort.postMessage('terminate me')
      const until = Date.now() + 2000
      while (Date.now() < until) {}
    })()
  `
  const r = runScript(`
    const { Worker } = require('node:worker_threads')
    const w = new Worker(${JSON.stringify(worker)}, { eval: true })
    w.on('message', () => { w.terminate() })
    w.on('exit', (code) => { require('fs').writeSync(1, 'EXIT ' + code + '\\n') })
  `, { timeout: 15_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /EXIT 1/)
  const text = fs.readFileSync(file, 'utf8')
  assert.equal((text.match(/ - earlier turn \d+$/mg) ?? []).length, 50)
  assert.match(text, / - same turn, before the error$/m)
  assert.match(text, /ERROR - same turn error$/m)
  // The documented loss: queued after the last error record in the turn terminate() landed in.
  assert.doesNotMatch(text, /same turn, after the error/)
})
