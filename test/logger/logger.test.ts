import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { createLogger, type Logger } from '../../src/index'
import { noop } from '../../src/internal/noop'
import { readLines, tmpDir } from '../helpers/tmp'

function fileLogger (settings: Record<string, unknown> = {}): { log: Logger, file: string, lines: () => string[] } {
  const file = path.join(tmpDir(), 'agent.log')
  const log = createLogger({ log_file: file, ...settings }, { global: false })
  return {
    log,
    file,
    lines: () => {
      log.flush()
      return readLines(file).filter((l) => !l.includes('event=agent_start') && !l.includes('"event":"agent_start"'))
    }
  }
}

test('the root is oneapm; children are dotted; the same name gives the same logger', () => {
  const { log } = fileLogger()
  assert.equal(log.name, 'oneapm')
  const collector = log.child('collector')
  assert.equal(collector.name, 'oneapm.collector')
  assert.equal(collector.child('http').name, 'oneapm.collector.http')
  assert.equal(log.child('collector'), collector)
  assert.equal(log.child('collector.http'), collector.child('http'))
  assert.equal(log.child('bad name!').name, 'oneapm.bad_name_')
})

test('a child with fields adds them to every record and still follows its logger\'s level', () => {
  const { log, lines } = fileLogger()
  const session = log.child('collector', { run_id: 'ab12' })
  assert.equal(session.name, 'oneapm.collector')
  assert.deepEqual(session.bindings, { run_id: 'ab12' })
  const nested = session.child('http', { attempt: 2 })
  session.info('connected')
  nested.info('sent')
  log.child('collector').setLevel('error')
  session.info('hidden')
  const out = lines().filter((l) => !l.includes('level_changed'))
  assert.equal(out.length, 2)
  assert.match(out[0] ?? '', / oneapm\.collector INFO - connected run_id=ab12$/)
  assert.match(out[1] ?? '', / oneapm\.collector\.http INFO - sent run_id=ab12 attempt=2$/)
})

test('every level method and its call shapes', () => {
  const { log, lines } = fileLogger({ log_level: 'trace' })
  log.critical('c')
  log.error('e %d', 1)
  log.warning({ k: 'v' }, 'w')
  log.warn('w2')
  log.info(new Error('boom'))
  log.debug(new Error('bang'), 'with %s', 'context')
  log.trace({ only: 'fields' })
  const out = lines()
  assert.deepEqual(out.map((l) => / (\w+) - /.exec(l)?.[1]), ['CRITICAL', 'ERROR', 'WARNING', 'WARNING', 'INFO', 'DEBUG', 'TRACE'])
  assert.match(out[2] ?? '', / - w k=v$/)
  assert.match(out[4] ?? '', / - boom err\.type=Error err\.message=boom /)
  assert.match(out[5] ?? '', / - with context err\.type=Error err\.message=bang /)
  assert.match(out[6] ?? '', / - {2}only=fields$/)
})

test('with the flight recorder off, a disabled level is the shared noop: no formatting, no allocation', () => {
  const { log } = fileLogger({ log_level: 'warning', log_flight_recorder: 0 })
  assert.equal(log.info, noop)
  assert.equal(log.debug, noop)
  assert.notEqual(log.warning, noop)
  assert.equal(log.child('x').trace, noop)
  assert.equal(log.child('x', { a: 1 }).info, noop)
  let touched = false
  const info: (...args: unknown[]) => void = log.info
  info({ get a () { touched = true; return 1 } })
  assert.equal(touched, false)
})

test('setLevel at runtime: children without their own level follow; isLevelEnabled and level agree', () => {
  const { log, lines } = fileLogger({ log_levels: 'collector:error' })
  const collector = log.child('collector')
  const harvest = log.child('harvest')
  assert.equal(log.level, 'info')
  assert.equal(collector.level, 'error')
  assert.equal(harvest.isLevelEnabled('debug'), false)
  assert.equal(log.setLevel('DEBUG'), true)
  assert.equal(harvest.level, 'debug')
  assert.equal(harvest.isLevelEnabled('debug'), true)
  assert.equal(harvest.isLevelEnabled(20), true)
  assert.equal(collector.level, 'error')
  assert.equal(collector.isLevelEnabled('warn'), false)
  assert.equal(log.isLevelEnabled('nonsense'), false)
  harvest.debug('now visible')
  log.setLevel('off')
  log.critical('not even this')
  assert.equal(log.level, 'off')
  const out = lines()
  assert.ok(out.some((l) => / oneapm INFO - log level of oneapm changed from info to debug event=level_changed/.test(l)), out.join('\n'))
  assert.ok(out.some((l) => /oneapm\.harvest DEBUG - now visible/.test(l)))
  assert.ok(!out.some((l) => l.includes('not even this')))
})

test('setLevel with an unknown name changes nothing and warns with the accepted names', () => {
  const { log, lines } = fileLogger()
  assert.equal(log.setLevel('verbos'), false)
  assert.equal(log.level, 'info')
  assert.match(lines().join('\n'), /oneapm\.config WARNING - setLevel\("verbos"\) ignored: not a level; accepted: critical, error, warning, info, debug, trace, off .*; oneapm stays at info .*event=config_problem/)
})

test('setLevel with an unknown name says so at any level, under oneapm.config', () => {
  const { log, lines } = fileLogger({ log_level: 'critical' })
  const c = log.child('collector')
  assert.equal(c.setLevel('loud'), false)
  const said = lines().filter((l) => l.includes('setLevel("loud") ignored'))
  assert.equal(said.length, 1)
  assert.match(said[0] ?? '', /oneapm\.config WARNING - .*oneapm\.collector stays at critical.*event=config_problem/)
})

test('close() is idempotent; calls after it are dropped and counted', async () => {
  const { log, file } = fileLogger()
  log.info('before')
  await log.close()
  await log.close()
  log.info('after')
  log.error(new Error('after too'))
  const s = log.stats()
  assert.equal(s.dropped.closed, 2)
  assert.equal(s.records.info, 2) // the startup line and "before"
  assert.ok(readLines(file).some((l) => l.endsWith(' - before')))
  assert.ok(!readLines(file).some((l) => l.includes('after')))
})

test('stats count records by level and bytes written', () => {
  const { log, file } = fileLogger()
  log.warning('w')
  log.error('e')
  log.flush()
  const s = log.stats()
  assert.equal(s.destination, file)
  assert.equal(s.records.warning, 1)
  assert.equal(s.records.error, 1)
  assert.equal(s.bytes, fs.statSync(file).size)
  assert.equal(s.internalErrors >= 0, true)
})

test('a method called without its logger does not throw', () => {
  const { log } = fileLogger()
  const { info } = log
  assert.doesNotThrow(() => { info('detached') })
})

test('property: no log call throws and each writes exactly one line', () => {
  const { log, lines } = fileLogger({ log_level: 'trace', log_format: 'json' })
  const methods = ['critical', 'error', 'warning', 'warn', 'info', 'debug', 'trace'] as const
  let calls = 0
  fc.assert(fc.property(fc.constantFrom(...methods), fc.array(fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true }), { maxLength: 4 }), (method, args) => {
    assert.doesNotThrow(() => { (log[method] as (...a: unknown[]) => void)(...args) })
    calls++
  }), { numRuns: 400 })
  const out = lines()
  assert.equal(out.length, calls)
  for (const l of out) JSON.parse(l)
})

test('keeps(level): whether a call is written or kept by the flight recorder', () => {
  assert.equal(fileLogger({ log_level: 'info', log_flight_recorder: 0 }).log.keeps('debug'), false)
  assert.equal(fileLogger({ log_level: 'info' }).log.keeps('debug'), true)
  assert.equal(fileLogger({ log_level: 'debug', log_flight_recorder: 0 }).log.keeps('debug'), true)
  assert.equal(fileLogger({ log_level: 'off' }).log.keeps('error'), false)
})
