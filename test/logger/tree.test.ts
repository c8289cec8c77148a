// The tree's own bounds: the early queue (before createLogger), logger
// names, and log calls made while a record is being formatted.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { createLogger, loadConfig, type Logger } from '../../src/index'
import { Tree, EARLY_MAX, MAX_LOGGERS } from '../../src/logger/tree'
import { MAX_NAME, MAX_SEGMENT } from '../../src/logger/logger'
import { runScript } from '../helpers/child'
import { readLines, tmpDir } from '../helpers/tmp'

function earlyTree (): { tree: Tree, configure: () => string[], cleanup: () => void } {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const settings = loadConfig({ overrides: { log_file: file, log_level: 'trace', log_flight_recorder: 0 }, env: {}, file: false }).settings
  const tree = new Tree('trace', () => settings)
  return {
    tree,
    configure: () => { tree.configure(settings); tree.flush(); return readLines(file) },
    cleanup: () => { tree.close(); fs.rmSync(dir, { recursive: true, force: true }) }
  }
}

test('early queue: when full, the oldest records of the lowest level go first; errors and criticals stay; drops are reported by level', (t) => {
  const { tree, configure, cleanup } = earlyTree()
  t.after(cleanup)
  const log = tree.root
  log.error('first error')
  for (let i = 0; i < 300; i++) log.trace('trace %d', i)
  for (let i = 0; i < 300; i++) log.debug('debug %d', i)
  log.critical('a critical')
  for (let i = 0; i < 700; i++) log.info('info %d', i)
  log.error('last error')
  const s = tree.stats()
  assert.equal(s.droppedEarly, 303)
  assert.deepEqual(s.droppedEarlyByLevel, { critical: 0, error: 0, warning: 0, info: 0, debug: 3, trace: 300 })
  const lines = configure()
  assert.ok(lines.some((l) => l.endsWith(' - first error')))
  assert.ok(lines.some((l) => l.endsWith(' - a critical')))
  assert.ok(lines.some((l) => l.endsWith(' - last error')))
  assert.equal(lines.filter((l) => / - trace \d+$/.test(l)).length, 0)
  assert.ok(lines.some((l) => l.endsWith(' - debug 3')) && !lines.some((l) => l.endsWith(' - debug 2')), 'the oldest debug went first')
  assert.equal(lines.filter((l) => / - info \d+$/.test(l)).length, 700)
  assert.ok(lines.some((l) => /WARNING - 303 records logged before the logger was configured were dropped \(3 debug, 300 trace\)/.test(l)), lines.slice(-2).join('\n'))
})

test('early queue: a queue of nothing but errors keeps the first ones and drops the new one', (t) => {
  const { tree, configure, cleanup } = earlyTree()
  t.after(cleanup)
  for (let i = 0; i < EARLY_MAX + 10; i++) tree.root.error('error %d', i)
  tree.root.info('an info into a queue of errors')
  assert.deepEqual(tree.stats().droppedEarlyByLevel, { critical: 0, error: 10, warning: 0, info: 1, debug: 0, trace: 0 })
  const lines = configure()
  assert.ok(lines.some((l) => l.endsWith(' - error 0')) && !lines.some((l) => l.endsWith(` - error ${EARLY_MAX}`)))
})

test('early queue memory is bounded: 1,000 records of a distinct 1,000,000-char string, and fields holding it and a 1 MB Buffer, in a child process', () => {
  const res = runScript(`
    require('v8').setFlagsFromString('--expose-gc')
    const gc = require('vm').runInNewContext('gc')
    const used = () => { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers }
    const early = lib.getLogger('bootstrap')
    early.info('warm up')
    const before = used()
    for (let i = 0; i < 1000; i++) {
      // Under 1,031,913 chars: Node would make a larger one external, outside heapUsed.
      const big = Buffer.alloc(1000000, 97 + (i % 26)).toString('latin1')
      early.info(big)
      early.debug({ body: big, buf: Buffer.alloc(1 << 20) }, 'fields')
    }
    console.log(JSON.stringify({ growth: used() - before }))
    process.exit(0)
  `, { timeout: 120_000, env: { ONEAPM_LOG_FILE: '/dev/null' } })
  const out = res.stdout.split('\n').find((l) => l.startsWith('{"growth"'))
  assert.ok(out !== undefined, `exit ${res.status} ${res.signal}: ${res.stderr.slice(-500)}`)
  const { growth } = JSON.parse(out) as { growth: number }
  assert.ok(growth < 16 * 1024 * 1024, `grew ${(growth / 1024 / 1024).toFixed(1)} MB`)
})

test(`logger names: 200,000 distinct child names keep at most ${MAX_LOGGERS} named loggers; the rest are folded into the parent with a logger field, said once`, (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  const log = createLogger({ log_file: file, log_format: 'json' }, { global: false })
  const http = log.child('http')
  let last: Logger = http
  for (let i = 0; i < 200_000; i++) last = http.child(`req-${i}`)
  last.info('handled')
  http.child('req-5').info('early name still named')
  const s = log.stats()
  assert.ok(s.loggers.named <= MAX_LOGGERS, String(s.loggers.named))
  assert.ok(s.loggers.folded > 190_000)
  log.flush()
  const recs = readLines(file).map((l) => JSON.parse(l) as Record<string, unknown>)
  const handled = recs.find((r) => r.msg === 'handled')
  assert.equal(handled?.name, 'oneapm.http')
  assert.equal(handled?.logger, 'oneapm.http.req-199999')
  assert.equal(recs.find((r) => r.msg === 'early name still named')?.name, 'oneapm.http.req-5')
  assert.equal(recs.filter((r) => r.event === 'logger_names_capped').length, 1)
})

test('logger names: segments and whole names are capped, whatever was passed', () => {
  const log = createLogger({ log_file: 'stderr', log_level: 'off' }, { global: false })
  const long = log.child('x'.repeat(100_000))
  assert.equal(long.name, `oneapm.${'x'.repeat(MAX_SEGMENT)}`)
  const deep = log.child(Array.from({ length: 10_000 }, (_, i) => `s${i}`).join('.'))
  assert.ok(deep.name.length <= MAX_NAME, String(deep.name.length))
  assert.ok(!deep.name.endsWith('.'))
  let nested = log
  for (let i = 0; i < 100; i++) nested = nested.child('abcdefghij')
  assert.ok(nested.name.length <= MAX_NAME)
})

for (const [what, setup] of Object.entries({
  'a toJSON that logs': "const v = { toJSON () { log.info({ v }, 'from toJSON'); return 'value' } }; log.info({ v }, 'outer')",
  'a getter that logs (kept by the flight recorder)': "const v = { get g () { log.debug({ v }, 'from getter'); return 1 } }; log.debug(v, 'outer'); log.error('dump')",
  'a host logger that logs back into the agent logger': "",
  'logStats() from a toJSON': "const v = { toJSON () { log.logStats(); return 1 } }; log.info({ v }, 'outer')"
})) {
  test(`re-entrancy: ${what} produces a bounded number of records, no stack overflow; counted in stats().reentrant`, () => {
    const host = what.startsWith('a host logger')
    const res = runScript(`
      const lines = []
      var log
      const hostLogger = { warn (f, m) { lines.push(m); log?.warning({ f }, 'echo of %s', m) }, info (f, m) { lines.push(m); log?.info({ f }, 'echo of %s', m) }, error (f, m) { lines.push(m); log?.error('echo') }, debug () {} }
      log = lib.createLogger({ log_file: 'stderr', log_level: 'info' }, ${host ? '{ hostLogger }' : '{}'})
      ${host ? "log.info('hello')" : setup}
      log.flush()
      console.log(JSON.stringify({ host: lines.length, reentrant: log.stats().reentrant, internal: log.stats().internalErrors }))
    `, { timeout: 30_000 })
    const out = res.stdout.split('\n').find((l) => l.startsWith('{"host"'))
    assert.ok(out !== undefined, `exit ${res.status} ${res.signal}: ${res.stderr.slice(-800)}`)
    const r = JSON.parse(out) as { host: number, reentrant: number, internal: number }
    assert.equal(r.internal, 0, res.stderr.slice(-800))
    assert.ok(r.reentrant >= 1 && r.reentrant < 10, JSON.stringify(r))
    assert.ok(res.stderr.split('\n').length < 20, res.stderr.slice(-800))
    if (host) assert.ok(r.host >= 1 && r.host < 10, JSON.stringify(r))
  })
}
