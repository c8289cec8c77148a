// stdout/stderr as destinations inside a host that does odd things with them.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runPiped, runScript } from '../helpers/child'
import { LIB, readLines, tmpDir } from '../helpers/tmp'
import { BATCH_MS } from '../../src/sinks/fd-writer'

test('| head -1: the reader leaving causes no crash; the loss is counted', async () => {
  const res = await runPiped(`
    const log = lib.createLogger({ log_file: 'stdout' })
    let i = 0
    const timer = setInterval(() => {
      for (let j = 0; j < 2000; j++) log.info('line %d', i++)
      if (i >= 200000) {
        clearInterval(timer)
        const s = log.stats()
        process.stderr.write(JSON.stringify({ gone: s.dropped.destination_gone, errors: s.sinkErrors }) + '\\n')
      }
    }, 1)
  `, 'head -1; sleep 0.3')
  assert.equal(res.stdout.split('\n').filter(Boolean).length, 1)
  assert.doesNotMatch(res.stderr, /Error|EPIPE.*at /, res.stderr)
  const report = JSON.parse(res.stderr.trim().split('\n').pop() ?? '{}') as { gone: number, errors: Record<string, number> }
  assert.equal(report.errors.EPIPE, 1)
  assert.ok(report.gone > 0)
})

test('an unwritable log_file falls back to stderr with one warning naming path, error and fix; exit 0', () => {
  const dir = tmpDir()
  const blocker = path.join(dir, 'not-a-dir')
  fs.writeFileSync(blocker, '')
  const target = path.join(blocker, 'agent.log')
  const res = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(target)} })
    log.info('still logging')
  `)
  assert.equal(res.status, 0)
  const warnings = res.stderr.split('\n').filter((l) => l.includes('event=log_file_fallback'))
  assert.equal(warnings.length, 1, res.stderr)
  assert.match(warnings[0] ?? '', new RegExp(`WARNING - cannot open log file ${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\((ENOTDIR|EEXIST)`))
  assert.match(warnings[0] ?? '', /logging to stderr instead\. Fix: /)
  assert.match(res.stderr, /INFO - still logging/)
  assert.match(res.stderr, /logging at info to stderr/)
})

test('a log file is created 0600 with its missing parent directories, and appended to', () => {
  const file = path.join(tmpDir(), 'a', 'b', 'agent.log')
  fs.mkdirSync(path.dirname(path.dirname(file)), { recursive: true })
  runScript(`lib.createLogger({ log_file: ${JSON.stringify(file)} }).info('one')`, { env: {} })
  runScript(`lib.createLogger({ log_file: ${JSON.stringify(file)} }).info('two')`)
  assert.equal(fs.statSync(file).mode & 0o777, 0o600)
  const lines = readLines(file).filter((l) => !l.includes('agent_start'))
  assert.deepEqual(lines.map((l) => l.replace(/^.* - /, '')), ['one', 'two'])
})

test('with log_file = stderr the agent writes to fd 2 even when the host replaced process.stderr.write', () => {
  const res = runScript(`
    process.stderr.write = () => true
    console.error = () => {}
    const log = lib.createLogger({ log_file: 'stderr' })
    log.warning('agent still visible')
  `)
  assert.match(res.stderr, /WARNING - agent still visible/)
})

test('fd 2 closed by the host: writes stop quietly, no crash', () => {
  const res = runScript(`
    const fs = require('node:fs')
    const log = lib.createLogger({ log_file: 'stderr' })
    fs.closeSync(2)
    log.error('nobody hears this')
    log.info('nor this')
    log.flush()
    process.stdout.write(JSON.stringify(log.stats().sinkErrors) + '\\n')
  `)
  assert.equal(res.status, 0)
  assert.deepEqual(JSON.parse(res.stdout.trim()), { EBADF: 1 })
})

test('lines from one event-loop turn leave in one write', () => {
  const file = path.join(tmpDir(), 'agent.log')
  const res = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)} })
    setTimeout(() => {
      const before = log.stats().writes
      for (let i = 0; i < 100; i++) log.info('turn record %d', i)
      // Long after the last write: the turn's batch leaves at the end of the turn.
      setImmediate(() => setImmediate(() => {
        process.stdout.write(JSON.stringify({ writes: log.stats().writes - before }) + '\\n')
      }))
    }, 100)
  `)
  assert.deepEqual(JSON.parse(res.stdout.trim()), { writes: 1 })
  assert.equal(readLines(file).filter((l) => l.includes('turn record')).length, 100)
})

test(`steady traffic: records of many turns leave in one write per ${BATCH_MS} ms, not one per turn`, () => {
  const file = path.join(tmpDir(), 'agent.log')
  const res = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)} })
    setTimeout(() => {
      const before = log.stats().writes
      const start = Date.now()
      let turns = 0
      const next = () => {
        log.info('request record %d', turns++)
        if (turns < 2000) return setImmediate(next)
        const ms = Date.now() - start
        setTimeout(() => process.stdout.write(JSON.stringify({ writes: log.stats().writes - before, ms }) + '\\n'), 50)
      }
      next()
    }, 100)
  `)
  const { writes, ms } = JSON.parse(res.stdout.trim()) as { writes: number, ms: number }
  // At most one batch per BATCH_MS while traffic lasts, plus the first and the last.
  assert.ok(writes <= ms / BATCH_MS + 3, `${writes} writes in ${ms} ms for 2,000 turns`)
  assert.ok(writes < 2000 / 4, `${writes} writes for 2,000 turns`)
  assert.equal(readLines(file).filter((l) => l.includes('request record')).length, 2000)
})

test('an error record is on disk before the call returns', () => {
  const file = path.join(tmpDir(), 'agent.log')
  const res = runScript(`
    const fs = require('node:fs')
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)} })
    log.info('queued')
    log.error('urgent')
    process.stdout.write(String(fs.readFileSync(${JSON.stringify(file)}, 'utf8').includes('urgent') && fs.readFileSync(${JSON.stringify(file)}, 'utf8').includes('queued')))
    process.kill(process.pid, 'SIGKILL')
  `)
  assert.equal(res.stdout, 'true')
})

test('a stalled stdout reader: memory stays bounded, drops are exact, and reported when it reads again', async () => {
  const N = 5000
  const child = spawn(process.execPath, ['-e', `
    const lib = require(${JSON.stringify(LIB)})
    process.stdout.write('')
    const log = lib.createLogger({ log_file: 'stdout', log_format: 'json', log_buffer_max: '64KB' })
    for (let i = 0; i < ${N}; i++) log.info({ seq: i, pad: 'x'.repeat(200) }, 'filler')
    const t = setInterval(() => {}, 100)
    setTimeout(() => {
      log.info('after the stall')
      const s = log.stats()
      log.flush()
      process.stderr.write(JSON.stringify({ dropped: s.dropped.buffer_full, rss: process.memoryUsage().rss }))
      clearInterval(t)
    }, 3000)
  `], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.pause()
  await new Promise((resolve) => setTimeout(resolve, 1000))
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  child.stdout.resume()
  await new Promise((resolve) => child.on('close', resolve))
  const recs = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { seq?: number, msg: string, event?: string, dropped?: number })
  const report = JSON.parse(err) as { dropped: number }
  const filler = recs.filter((r) => r.seq !== undefined)
  assert.ok(report.dropped > 0, 'the stall must have forced drops')
  assert.equal(filler.length + report.dropped, N)
  const notice = recs.find((r) => r.event === 'records_dropped')
  assert.equal(notice?.dropped, report.dropped)
  assert.match(notice?.msg ?? '', /^dropped \d+ records because the destination was too slow and the buffer was full; writing has resumed$/)
  assert.ok(recs.findIndex((r) => r.event === 'records_dropped') < recs.findIndex((r) => r.msg === 'after the stall'))
})

test('in a worker thread the thread name is worker-<id>', () => {
  const file = path.join(tmpDir(), 'agent.log')
  runScript(`
    const { Worker } = require('node:worker_threads')
    const w = new Worker(${JSON.stringify(`const lib = require(${JSON.stringify(LIB)}); lib.createLogger({ log_file: ${JSON.stringify(file)} }).info('from a worker')`)}, { eval: true })
    w.on('exit', () => lib.createLogger({ log_file: ${JSON.stringify(file)} }).info('from main'))
  `)
  const lines = readLines(file).filter((l) => l.includes(' - from '))
  assert.match(lines[0] ?? '', new RegExp(`^\\S+ \\S+ \\(\\d+/worker-1\\) oneapm INFO - from a worker$`))
  assert.match(lines[1] ?? '', /\(\d+\/main\) oneapm INFO - from main$/)
})
