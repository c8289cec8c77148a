// Error and critical records: a lone one is on disk before the call returns;
// in a burst (one turn of the event loop), the first is, and the rest ride the
// turn's write, with a synchronous write every BURST_MAX. The bound is tested
// the way it matters: a child process killed with SIGKILL, no exit hook run.

import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { BURST_MAX } from '../../src/logger/output'
import { runScript } from '../helpers/child'
import { readLines, tmpDir } from '../helpers/tmp'

/** The `seq` fields found in a JSON log, in file order. */
function seqs (file: string): number[] {
  const out: number[] = []
  for (const line of readLines(file)) {
    if (!line.startsWith('{')) continue
    const rec = JSON.parse(line) as { seq?: number }
    if (rec.seq !== undefined) out.push(rec.seq)
  }
  return out
}

/** Runs `body`, then kills the process with SIGKILL (the body may do it itself, later: `killAtEnd` false). */
function killedAfter (body: string, level = 'error', killAtEnd = true): { seqs: number[], signal: string | null } {
  const file = path.join(tmpDir(), 'agent.log')
  const res = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_format: 'json', log_flight_recorder: 0 })
    const err = new Error('collector unreachable')
    const level = ${JSON.stringify(level)}
    ${body}
    ${killAtEnd ? "process.kill(process.pid, 'SIGKILL')" : ''}
  `)
  return { seqs: seqs(file), signal: res.signal }
}

test('a lone error is on disk before the call returns: SIGKILL right after it loses nothing', () => {
  const r = killedAfter('log.info({ seq: 0 }, "before"); log[level]({ seq: 1, err }, "failed")')
  assert.equal(r.signal, 'SIGKILL')
  assert.deepEqual(r.seqs, [0, 1], 'the error, and the info record queued before it, are on disk')
})

test('a lone critical record is on disk before the call returns', () => {
  const r = killedAfter('log[level]({ seq: 0, err }, "agent disabled")', 'critical')
  assert.equal(r.signal, 'SIGKILL')
  assert.deepEqual(r.seqs, [0])
})

test('errors in separate turns of the event loop are each written before their call returns', () => {
  const r = killedAfter(`
    let i = 0
    const next = () => {
      log.error({ seq: i, err }, 'failed')
      if (++i < 5) return setImmediate(next)
      process.kill(process.pid, 'SIGKILL')
    }
    next()
  `, 'error', false)
  assert.equal(r.signal, 'SIGKILL')
  assert.deepEqual(r.seqs, [0, 1, 2, 3, 4])
})

test('the first error of a later callback is written before its call returns, even before the next check phase', () => {
  // Found by the attack pass: a burst opened in a setImmediate callback must
  // not swallow the first error of a timer that runs before the next one.
  const r = killedAfter(`
    setTimeout(() => setImmediate(() => {
      log.error({ seq: 0, err }, 'in an immediate')
      setTimeout(() => { log.error({ seq: 1, err }, 'in a timer'); process.kill(process.pid, 'SIGKILL') }, 0)
      const t = Date.now(); while (Date.now() - t < 5);
    }), 20)
  `, 'error', false)
  assert.equal(r.signal, 'SIGKILL')
  assert.deepEqual(r.seqs, [0, 1])
})

test('a critical record never waits, even after errors of the same burst', () => {
  const r = killedAfter(`
    for (let i = 0; i < 10; i++) log.error({ seq: i, err }, 'upload failed')
    log.critical({ seq: 10 }, 'heap corrupted, aborting')
  `)
  assert.equal(r.signal, 'SIGKILL')
  assert.deepEqual(r.seqs, Array.from({ length: 11 }, (_, i) => i), 'the critical record writes everything queued before it')
})

for (const level of ['error']) {
  test(`a burst of ${level} records in one run of code, then SIGKILL: the first is on disk and at most BURST_MAX - 1 are lost`, () => {
    const n = 3 * BURST_MAX + 10
    const r = killedAfter(`for (let i = 0; i < ${n}; i++) log[level]({ seq: i, err }, 'failed')`, level)
    assert.equal(r.signal, 'SIGKILL')
    // What is on disk is a prefix of the burst: no hole, no duplicate.
    assert.deepEqual(r.seqs, Array.from({ length: r.seqs.length }, (_, i) => i))
    assert.ok(r.seqs.length >= 1, 'the first error of the burst is on disk')
    assert.ok(n - r.seqs.length <= BURST_MAX - 1, `lost ${n - r.seqs.length}, more than BURST_MAX - 1 = ${BURST_MAX - 1}`)
  })
}

test('a burst is batched: far fewer writes than errors, and none lost on a natural exit', () => {
  const file = path.join(tmpDir(), 'agent.log')
  const n = 10 * BURST_MAX
  const res = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_format: 'json', log_flight_recorder: 0 })
    const err = new Error('collector unreachable')
    const before = log.stats().writes
    for (let i = 0; i < ${n}; i++) log.error({ seq: i, err }, 'failed')
    process.stdout.write(String(log.stats().writes - before))
  `)
  assert.equal(res.status, 0, res.stderr)
  const writes = Number(res.stdout)
  // One synchronous write for the first error, then one per BURST_MAX.
  assert.ok(writes >= 1 && writes <= n / BURST_MAX + 1, `${writes} writes for ${n} errors`)
  assert.deepEqual(seqs(file), Array.from({ length: n }, (_, i) => i))
})

for (const [ending, code] of [['process.exit()', 'process.exit(3)'], ['an uncaught exception', 'throw new Error("host crashed")']]) {
  test(`a burst of errors is all on disk after ${ending}`, () => {
    const file = path.join(tmpDir(), 'agent.log')
    const n = 3 * BURST_MAX + 10
    runScript(`
      const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_format: 'json', log_flight_recorder: 0 })
      const err = new Error('collector unreachable')
      for (let i = 0; i < ${n}; i++) log.error({ seq: i, err }, 'failed')
      ${code}
    `)
    assert.deepEqual(seqs(file), Array.from({ length: n }, (_, i) => i))
  })
}
