import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createLogger } from '../../src/index'
import { noop } from '../../src/internal/noop'
import { readLines, tmpDir } from '../helpers/tmp'

function logger (settings: Record<string, unknown> = {}): { log: ReturnType<typeof createLogger>, lines: () => string[] } {
  const file = path.join(tmpDir(), 'agent.log')
  const log = createLogger({ log_file: file, ...settings }, { global: false })
  return { log, lines: () => { log.flush(); return readLines(file) } }
}

test('an error after 1,000 debug records at info writes the recent ones just before it, marked as recorded', () => {
  const { log, lines } = logger()
  const collector = log.child('collector', { run_id: 'ab12' })
  for (let i = 0; i < 1000; i++) collector.debug('harvest step %d', i)
  log.info('visible')
  collector.error(new Error('harvest failed'), 'harvest failed')
  const out = lines()
  const recorded = out.filter((l) => l.includes(' DEBUG - [recorded] harvest step '))
  assert.equal(recorded.length, 1000)
  assert.match(recorded[0] ?? '', /oneapm\.collector DEBUG - \[recorded\] harvest step 0 run_id=ab12$/)
  const dump = out.findIndex((l) => l.includes('event=flight_recorder_dump'))
  const error = out.findIndex((l) => l.includes(' ERROR - harvest failed'))
  assert.ok(dump !== -1 && dump < out.indexOf(recorded[0] as string) && out.indexOf(recorded[999] as string) === error - 1, 'preamble, then records, then the error')
  assert.match(out[dump] ?? '', /INFO - flight recorder: the 1000 records below log level from the last 30 s follow/)
  assert.equal(log.stats().flightRecorder.dumps, 1)
  assert.equal(log.stats().records.debug, 1000)
})

test('at most one dump per minute; the ring is emptied by a dump', () => {
  const { log, lines } = logger()
  log.debug('first batch')
  log.error('first error')
  log.debug('second batch')
  log.error('second error')
  const out = lines()
  assert.equal(out.filter((l) => l.includes('[recorded]')).length, 1)
  assert.equal(out.filter((l) => l.includes('event=flight_recorder_dump')).length, 1)
  assert.equal(log.stats().flightRecorder.held, 1)
})

test('never more than the ring size: a small ring keeps only the most recent records', () => {
  const { log, lines } = logger({ log_flight_recorder: '16KB' })
  for (let i = 0; i < 1000; i++) log.debug('step %d %s', i, 'x'.repeat(40))
  log.error('boom')
  const steps = lines().filter((l) => l.includes('[recorded] step ')).map((l) => Number(/step (\d+)/.exec(l)?.[1]))
  assert.ok(steps.length > 10 && steps.length < 200, `${steps.length} kept`)
  assert.equal(steps[steps.length - 1], 999)
  steps.forEach((s, i) => { assert.equal(s, 999 - steps.length + 1 + i) })
  assert.equal(log.stats().flightRecorder.evicted, 1000 - steps.length)
})

test('only records from the window are written', async () => {
  const { log, lines } = logger({ log_flight_recorder_window: '1s' })
  log.debug('too old')
  await sleep(1100)
  log.trace('recent')
  log.critical('down')
  const recorded = lines().filter((l) => l.includes('[recorded]'))
  assert.deepEqual(recorded.map((l) => l.replace(/^.* - \[recorded\] /, '')), ['recent'])
})

test('JSON marks recorded records with "recorded": true; objects are formatted at dump time', () => {
  const { log, lines } = logger({ log_format: 'json' })
  const state = { phase: 'when logged' }
  log.debug({ state }, 'context')
  state.phase = 'at dump'
  log.error('failure')
  const rec = lines().map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === 'context')
  assert.equal(rec?.recorded, true)
  assert.equal(rec?.level, 'debug')
  assert.deepEqual(rec?.state, { phase: 'at dump' })
})

test('log_flight_recorder = 0 turns it off: below-level calls are the noop again', () => {
  const { log, lines } = logger({ log_flight_recorder: 0 })
  const debug: (...args: unknown[]) => void = log.debug
  assert.ok(debug === noop)
  debug('gone')
  log.error('boom')
  assert.equal(lines().filter((l) => l.includes('[recorded]')).length, 0)
})

test('a recorded call does not read its arguments', () => {
  const { log } = logger()
  let touched = false
  const debug: (...args: unknown[]) => void = log.debug
  debug({ get a () { touched = true; return 1 } }, 'lazy')
  assert.equal(touched, false)
})
