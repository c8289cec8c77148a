import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createLogger } from '../../src/index'
import { noop } from '../../src/internal/noop'
import { FlightRecorder, KEEP_BURST, KEEP_PER_SECOND, RESUME_MS } from '../../src/logger/flight-recorder'
import { Redactor } from '../../src/format/redact'
import type { Logger } from '../../src/logger/logger'
import { readLines, tmpDir } from '../helpers/tmp'

function logger (settings: Record<string, unknown> = {}): { log: ReturnType<typeof createLogger>, lines: () => string[] } {
  const file = path.join(tmpDir(), 'agent.log')
  const log = createLogger({ log_file: file, ...settings }, { global: false })
  return { log, lines: () => { log.flush(); return readLines(file) } }
}

test('an error after a burst of debug records at info (KEEP_BURST) writes the recent ones just before it, marked as recorded', () => {
  const { log, lines } = logger()
  const collector = log.child('collector', { run_id: 'ab12' })
  for (let i = 0; i < KEEP_BURST; i++) collector.debug('harvest step %d', i)
  log.info('visible')
  collector.error(new Error('harvest failed'), 'harvest failed')
  const out = lines()
  const recorded = out.filter((l) => l.includes(' DEBUG - [recorded] harvest step '))
  assert.equal(recorded.length, KEEP_BURST)
  assert.match(recorded[0] ?? '', /oneapm\.collector DEBUG - \[recorded\] harvest step 0 run_id=ab12$/)
  const dump = out.findIndex((l) => l.includes('event=flight_recorder_dump'))
  const error = out.findIndex((l) => l.includes(' ERROR - harvest failed'))
  assert.ok(dump !== -1 && dump < out.indexOf(recorded[0] as string) && out.indexOf(recorded[KEEP_BURST - 1] as string) === error - 1, 'preamble, then records, then the error')
  assert.match(out[dump] ?? '', new RegExp(`INFO - flight recorder: the ${KEEP_BURST} records below log level from the last 30 s follow`))
  assert.equal(log.stats().flightRecorder.dumps, 1)
  assert.equal(log.stats().records.debug, KEEP_BURST)
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
  for (let i = 0; i < KEEP_BURST; i++) log.debug('step %d %s', i, 'x'.repeat(40))
  log.error('boom')
  const steps = lines().filter((l) => l.includes('[recorded] step ')).map((l) => Number(/step (\d+)/.exec(l)?.[1]))
  assert.ok(steps.length > 10 && steps.length < 200, `${steps.length} kept`)
  assert.equal(steps[steps.length - 1], KEEP_BURST - 1)
  steps.forEach((s, i) => { assert.equal(s, KEEP_BURST - steps.length + i) })
  assert.equal(log.stats().flightRecorder.evicted, KEEP_BURST - steps.length)
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

test('JSON marks recorded records with "recorded": true; objects are copied when the call is kept', () => {
  const { log, lines } = logger({ log_format: 'json' })
  const state = { phase: 'when logged' }
  log.debug({ state }, 'context')
  state.phase = 'at dump'
  log.error('failure')
  const rec = lines().map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.msg === 'context')
  assert.equal(rec?.recorded, true)
  assert.equal(rec?.level, 'debug')
  assert.deepEqual(rec?.state, { phase: 'when logged' })
})

test('log_flight_recorder = 0 turns it off: below-level calls are the noop again', () => {
  const { log, lines } = logger({ log_flight_recorder: 0 })
  const debug: (...args: unknown[]) => void = log.debug
  assert.ok(debug === noop)
  debug('gone')
  log.error('boom')
  assert.equal(lines().filter((l) => l.includes('[recorded]')).length, 0)
})

test('a kept call holds a bounded copy: Buffers described, long strings cut, errors keep their type, secrets masked', () => {
  const { log, lines } = logger({ log_format: 'json', log_max_line: '4KB' })
  class HarvestError extends Error {}
  const err = new HarvestError('harvest failed')
  err.name = 'HarvestError'
  ;(err as unknown as Record<string, unknown>).code = 'EHARVEST'
  log.debug({ body: Buffer.alloc(1 << 20), password: 'hunter2' }, 'request')
  log.debug('sent %s', 'y'.repeat(100_000))
  log.debug(err)
  log.trace('%o', { nested: new Uint8Array(1 << 16) })
  log.error('failure')
  const recs = lines().map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.recorded === true)
  assert.equal(recs.length, 4)
  assert.equal(recs[0]?.body, '[Buffer 1048576 bytes]')
  assert.equal(recs[0]?.password, '****')
  assert.ok(String(recs[1]?.msg).length < 4096, String(recs[1]?.msg).length.toString())
  const e = recs[2]?.err as Record<string, unknown>
  assert.equal(e.type, 'HarvestError')
  assert.equal(e.code, 'EHARVEST')
  assert.match(String(recs[3]?.msg), /Uint8Array 65536 bytes/)
  assert.ok(lines().every((l) => !l.includes('hunter2')))
})

test('entries older than the window leave when newer ones are kept, not only at a dump', async () => {
  const { log } = logger({ log_flight_recorder_window: '1s' })
  for (let i = 0; i < 100; i++) log.debug('old %d', i)
  assert.equal(log.stats().flightRecorder.held, 100)
  await sleep(1100)
  log.debug('new')
  const s = log.stats().flightRecorder
  assert.equal(s.held, 1)
  assert.equal(s.evicted, 100)
  assert.ok(s.bytes > 0 && s.bytes < 1024, String(s.bytes))
})

test('rate budget: a flood of debug calls at info keeps at most the burst plus the per-second rate per logger; the rest are counted as skipped', () => {
  const rec = new FlightRecorder(64 * 1024 * 1024, 30_000)
  const ctx = { redactor: new Redactor(), maxString: 16 * 1024 }
  const a = { name: 'oneapm.a' } as unknown as Logger
  const b = { name: 'oneapm.b' } as unknown as Logger
  // 200,000 calls over 2 s of (simulated) time: 100,000 a second.
  for (let i = 0; i < 200_000; i++) rec.keep(a, 20, ['step %d', i], 1_000_000 + Math.floor(i / 100), ctx)
  rec.keep(b, 20, ['other logger'], 1_002_000, ctx)
  const kept = rec.size
  assert.ok(kept <= KEEP_BURST + 2 * KEEP_PER_SECOND + 2, `${kept} kept`)
  assert.ok(kept >= KEEP_BURST + 2 * KEEP_PER_SECOND - 10, `${kept} kept`)
  assert.equal(rec.skipped, 200_001 - kept)
  // The budget refills evenly: the last simulated millisecond before the error is still sampled.
  const taken = rec.take(1_002_000) ?? []
  const steps = taken.filter((r) => r.logger === a).map((r) => r.args[1] as number)
  // One call in 100,000 / KEEP_PER_SECOND is kept: the last kept is within that many of the end.
  assert.ok((steps[steps.length - 1] ?? 0) >= 200_000 - 2 * 100_000 / KEEP_PER_SECOND, String(steps[steps.length - 1]))
  assert.equal(taken[taken.length - 1]?.args[0], 'other logger')
})

test('an error after a burst of collector debug records still brings the recent ones', () => {
  const { log, lines } = logger()
  const collector = log.child('collector')
  for (let i = 0; i < 5000; i++) collector.debug('poll %d', i)
  collector.error('collector gone')
  const polls = lines().filter((l) => l.includes('[recorded] poll ')).map((l) => Number(/poll (\d+)/.exec(l)?.[1]))
  assert.ok(polls.length >= KEEP_BURST, `${polls.length}`)
  const s = log.stats().flightRecorder
  assert.equal(s.skipped + polls.length, 5000)
})

test('a logger over its budget is paused: its below-level calls cost a counting skip, not a copy, and are sampled again after RESUME_MS; other loggers are not paused', async () => {
  const { log, lines } = logger()
  const collector = log.child('collector')
  const view = log.child('collector', { run_id: 'x' })
  const other = log.child('shim')
  const recording = collector.debug
  for (let i = 0; i < KEEP_BURST; i++) collector.debug('poll %d', i)
  assert.equal(collector.debug, recording, 'within the burst the calls are kept')
  let got = 0
  const getter = { get value () { got++; return 1 } }
  collector.debug('over budget %j', getter)
  assert.notEqual(collector.debug, recording, 'over budget: paused')
  assert.equal(collector.keeps('debug'), false, 'keeps() says a paused call does nothing, so callers skip costly arguments')
  assert.equal(other.keeps('debug'), true, 'another logger keeps its own budget')
  const held = log.stats().flightRecorder.held
  for (let i = 0; i < 10_000; i++) collector.debug('flood %j', getter)
  for (let i = 0; i < 1000; i++) view.trace('flood through a child view')
  assert.equal(got, 0, 'no argument of a skipped call was read')
  assert.equal(log.stats().flightRecorder.held, held)
  assert.equal(log.stats().flightRecorder.skipped, 1 + 10_000 + 1000, 'every call not kept is counted')
  assert.equal(log.child('collector.sub').keeps('debug'), true, 'a descendant logger has its own budget')
  await sleep(RESUME_MS + 50)
  assert.equal(collector.debug, recording, 'resumed once the budget refilled')
  collector.debug('sampled again')
  assert.equal(log.stats().flightRecorder.held, held + 1)
  collector.error('collector gone')
  const out = lines()
  assert.ok(out.some((l) => l.includes('[recorded] sampled again')), 'the call after the pause is in the dump')
  assert.ok(out.some((l) => l.includes(`event=flight_recorder_dump`) && l.includes(`skipped=${11_001}`)), out.find((l) => l.includes('flight_recorder_dump')))
  await log.close()
})

test('a level change while a logger is paused keeps the right methods: enabled levels write, and the pause ends with its timer', async () => {
  const { log, lines } = logger()
  const collector = log.child('collector')
  for (let i = 0; i <= KEEP_BURST; i++) collector.debug('poll %d', i)
  assert.equal(collector.keeps('debug'), false)
  collector.setLevel('debug')
  collector.debug('written at debug')
  assert.ok(lines().some((l) => l.endsWith('DEBUG - written at debug')))
  collector.setLevel('info')
  await sleep(RESUME_MS + 50)
  assert.equal(collector.keeps('debug'), true)
  await log.close()
})

test('a skipped call through a detached method or a hostile this never throws', () => {
  const { log } = logger()
  const collector = log.child('collector')
  for (let i = 0; i <= KEEP_BURST; i++) collector.debug('poll %d', i)
  const skip = collector.debug
  const hostile = new Proxy({}, { get () { throw new Error('boom') } })
  assert.doesNotThrow(() => { skip('detached'); skip.call(hostile, 'x'); skip.call(5 as never, 'y') })
  void log.close()
})
