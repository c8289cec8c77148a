// Agent records into the host's own logger: real pino, winston, bunyan and
// log4js, each also silenced the way hosts silence them.

import assert from 'node:assert/strict'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import pino from 'pino'
import winston from 'winston'
import log4js from 'log4js'
import { createLogger, loadConfig } from '../../src/index'
import { readLines, tmpDir } from '../helpers/tmp'

interface Bunyan { createLogger: (o: object) => object, FATAL: number }
// bunyan ships no types; this is the part the test uses.
const bunyan = require('bunyan') as Bunyan

function capture (): { stream: PassThrough, lines: () => Array<Record<string, unknown>> } {
  const stream = new PassThrough()
  const chunks: string[] = []
  stream.on('data', (d: Buffer) => { chunks.push(d.toString()) })
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) }
}

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2'

function agentInto (hostLogger: object, extra: Record<string, unknown> = {}): { file: string, log: ReturnType<typeof createLogger> } {
  const file = path.join(tmpDir(), 'agent.log')
  const log = createLogger({ log_file: file, license_key: KEY, ...extra }, { global: false, hostLogger })
  const c = log.child('collector', { run_id: 'ab12' })
  c.warning({ status: 503, password: 'hunter2' }, 'collector answered %d for key %s', 503, KEY)
  c.error(new Error('send failed'), 'harvest failed')
  log.flush()
  return { file, log }
}

function assertStructured (recs: Array<Record<string, unknown>>, msgKey: string, levelOf: (r: Record<string, unknown>) => unknown, warnLevel: unknown): void {
  const warn = recs.find((r) => String(r[msgKey]).startsWith('collector answered'))
  assert.ok(warn, JSON.stringify(recs))
  assert.equal(levelOf(warn), warnLevel)
  assert.equal(warn.logger, 'oneapm.collector')
  assert.equal(warn.run_id, 'ab12')
  assert.equal(warn.status, 503)
  assert.equal(warn.password, '****')
  assert.ok(!JSON.stringify(recs).includes(KEY), 'license key leaked')
  assert.ok(!JSON.stringify(recs).includes('hunter2'), 'password leaked')
  const err = recs.find((r) => String(r[msgKey]).startsWith('harvest failed'))
  assert.equal((err?.err as Record<string, unknown>)?.message, 'send failed')
}

test('pino: records arrive with their fields; secrets masked', () => {
  const { stream, lines } = capture()
  const { file } = agentInto(pino({ level: 'info' }, stream))
  assertStructured(lines(), 'msg', (r) => r.level, 40)
  assert.match(readLines(file).join('\n'), /^$/)
})

test('winston: records arrive with their fields; secrets masked', () => {
  const { stream, lines } = capture()
  const host = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] })
  agentInto(host)
  assertStructured(lines(), 'message', (r) => r.level, 'warn')
})

test('bunyan: records arrive with their fields; secrets masked', () => {
  const { stream, lines } = capture()
  agentInto(bunyan.createLogger({ name: 'host', streams: [{ stream, level: 'info' }] }))
  assertStructured(lines(), 'msg', (r) => r.level, 40)
})

test('log4js: records arrive with their fields; secrets masked', () => {
  log4js.configure({ appenders: { mem: { type: 'recording' } }, categories: { default: { appenders: ['mem'], level: 'info' } } })
  const recording = require('log4js/lib/appenders/recording') as { replay: () => Array<{ level: { levelStr: string }, data: unknown[] }>, reset: () => void }
  recording.reset()
  const { file } = agentInto(log4js.getLogger('host'))
  const recs = recording.replay().map((e) => ({ ...(e.data[1] as Record<string, unknown>), msg: e.data[0], level: e.level.levelStr }))
  // Once seen empty in a loaded full run and never alone: say where the records went instead.
  assert.ok(recs.length > 0, `log4js recorded nothing; the agent's own file holds: ${JSON.stringify(readLines(file))}`)
  assertStructured(recs, 'msg', (r) => r.level, 'WARN')
})

const silenced: Array<[string, () => object, RegExp]> = [
  ['pino silent', () => pino({ level: 'silent' }), /the host's pino logger would hide agent warnings: its level is silent/],
  ['pino at error', () => pino({ level: 'error' }), /the host's pino logger would hide agent warnings: its level \(error\) hides warnings/],
  ['winston silent', () => winston.createLogger({ silent: true, transports: [new winston.transports.Stream({ stream: new PassThrough() })] }), /winston logger would hide agent warnings: it is silent/],
  ['winston without transports', () => winston.createLogger({}), /winston logger would hide agent warnings: it has no transports/],
  ['bunyan above fatal', () => bunyan.createLogger({ name: 'h', streams: [{ stream: new PassThrough(), level: bunyan.FATAL + 1 }] }), /bunyan logger would hide agent warnings: its level \(61, above fatal\) hides warnings/],
  ['log4js OFF', () => { log4js.configure({ appenders: { mem: { type: 'recording' } }, categories: { default: { appenders: ['mem'], level: 'off' } } }); return log4js.getLogger('x') }, /log4js logger would hide agent warnings: its level \(OFF\) hides warnings/]
]

for (const [name, make, message] of silenced) {
  test(`${name}: the agent says so once on its own destination, with the fix, and writes there`, () => {
    const { file, log } = agentInto(make())
    const lines = readLines(file)
    const notices = lines.filter((l) => l.includes('cause=host_logger_silenced'))
    assert.equal(notices.length, 1)
    assert.match(notices[0] ?? '', message)
    assert.match(notices[0] ?? '', /Fix: .*ONEAPM_LOG_IGNORE_HOST_LOGGER=true/)
    assert.ok(lines.some((l) => / WARNING - collector answered 503 for key a1b2\*\*\*\* /.test(l)))
    assert.equal(log.stats().interference.host_logger_silenced, 1)
  })
}

test('ONEAPM_LOG_IGNORE_HOST_LOGGER=true: the host logger is ignored entirely', () => {
  const { stream, lines } = capture()
  const file = path.join(tmpDir(), 'agent.log')
  const cfg = loadConfig({ env: { ONEAPM_LOG_IGNORE_HOST_LOGGER: 'true', ONEAPM_LOG_FILE: file } })
  const log = createLogger(cfg, { global: false, hostLogger: pino(stream) })
  log.warning('to the file')
  log.flush()
  assert.deepEqual(lines(), [])
  assert.ok(readLines(file).some((l) => l.endsWith(' - to the file')))
})

test('anything with level methods works as a host logger', () => {
  const seen: Array<[string, unknown, unknown]> = []
  const host = {
    info: (o: unknown, m: unknown) => { seen.push(['info', o, m]) },
    warn: (o: unknown, m: unknown) => { seen.push(['warn', o, m]) },
    error: (o: unknown, m: unknown) => { seen.push(['error', o, m]) },
    debug: (o: unknown, m: unknown) => { seen.push(['debug', o, m]) }
  }
  const log = createLogger({ log_file: path.join(tmpDir(), 'a.log') }, { global: false, hostLogger: host })
  log.warning({ k: 1 }, 'hello')
  assert.deepEqual(seen.find((s) => s[2] === 'hello'), ['warn', { k: 1, logger: 'oneapm' }, 'hello'])
  assert.match(String(seen[0]?.[2]), /started: .* logging at info to the host's logger \(fallback: /)
})

test('the error\'s type reaches pino, winston, bunyan (with its err serializer) and log4js', () => {
  class HarvestError extends Error {}
  const err = new HarvestError('send failed')
  err.name = 'HarvestError'
  const send = (hostLogger: object): void => {
    const file = path.join(tmpDir(), 'agent.log')
    const log = createLogger({ log_file: file }, { global: false, hostLogger })
    log.error(err, 'harvest failed')
    log.error(new TypeError('bad input'))
    log.flush()
  }
  const types = (recs: Array<Record<string, unknown>>): unknown[] => recs.filter((r) => r.err !== undefined).map((r) => (r.err as Record<string, unknown>).type ?? (r.err as Record<string, unknown>).name)
  const p = capture()
  send(pino(p.stream))
  assert.deepEqual(types(p.lines()), ['HarvestError', 'TypeError'])
  const w = capture()
  send(winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.Stream({ stream: w.stream })] }))
  assert.deepEqual(types(w.lines()), ['HarvestError', 'TypeError'])
  const b = capture()
  send((bunyan as unknown as { createLogger: (o: object) => object, stdSerializers: object }).createLogger({ name: 'host', streams: [{ stream: b.stream, level: 'info' }], serializers: (bunyan as unknown as { stdSerializers: object }).stdSerializers }))
  assert.deepEqual(types(b.lines()), ['HarvestError', 'TypeError'])
  const seen: unknown[] = []
  send({ category: 'host', isLevelEnabled: () => true, level: { levelStr: 'INFO' }, warn () {}, info () {}, debug () {}, trace () {}, fatal () {}, error (_msg: string, fields: { err?: { type?: unknown } }) { seen.push(fields.err?.type) } })
  assert.deepEqual(seen.filter((t) => t !== undefined), ['HarvestError', 'TypeError'])
})
