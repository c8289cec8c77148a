// Attack: levels, config and memory bounds of log_ship.
// - A logger turned off (log_levels `name:off`, setLevel('off')) kept
//   shipping at log_ship_level: `off` silenced the log file only.
// - log_ship with more than 16 destinations dropped the rest silently.
// - The queue bound counted characters; a line with any character past
//   Latin-1 is held by V8 at two bytes a character, so 1M such records with
//   the destination down held twice log_ship_queue.
import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { createLogger, loadConfig } from '../../src/index'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

test('a logger that is off (log_levels or setLevel) ships nothing; set back on, it ships again', async (t) => {
  const dir = tmpDir()
  const log = createLogger({ log_file: path.join(dir, 'agent.log'), log_levels: 'noisy:off', log_ship: 'syslog+tcp://127.0.0.1:9', log_ship_level: 'debug' }, { global: false })
  t.after(async () => { await log.close() })
  const queued = (): number => log.stats().ship[0]?.queued ?? -1
  const start = queued()
  log.child('noisy').error('from a logger that log_levels turned off')
  log.child('noisy.deeper').warning('from its child')
  assert.equal(queued(), start)
  const quiet = log.child('quiet')
  quiet.setLevel('off')
  const afterLevelLine = queued()
  quiet.critical('from a logger set off at run time')
  assert.equal(queued(), afterLevelLine)
  quiet.setLevel('info')
  quiet.info('on again')
  assert.ok(queued() > afterLevelLine)
})

test('log_ship with more than 16 destinations: the ones left out are a config problem, not silence', () => {
  const list = Array.from({ length: 18 }, (_, i) => `syslog+udp://relay${i}:514`).join(',')
  const cfg = loadConfig({ file: false, env: { ONEAPM_LOG_SHIP: list } })
  assert.equal(cfg.settings.log_ship.length, 16)
  const p = cfg.problems.find((x) => x.key === 'log_ship')
  assert.ok(p !== undefined, JSON.stringify(cfg.problems))
  assert.match(p.message, /16/)
})

test('memory: 200k records with characters past Latin-1 and the destination down hold about log_ship_queue, not twice it', () => {
  const r = runScript(`
    require('v8').setFlagsFromString('--expose-gc')
    const gc = require('vm').runInNewContext('gc')
    const log = lib.createLogger({ log_file: ${JSON.stringify(path.join(tmpDir(), 'agent.log'))}, log_level: 'off', log_flight_recorder: 0, log_ship: 'syslog+tcp://127.0.0.1:9', log_ship_queue: '1MB' })
    const c = log.child('collector')
    for (let i = 0; i < 1000; i++) c.info('warm ' + i)
    gc(); gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 200000; i++) c.info({ i, city: 'Zürich → 北京' }, 'запись номер %d ✓', i)
    gc(); gc()
    const growth = process.memoryUsage().heapUsed - before
    process.stdout.write(JSON.stringify({ growth, ship: log.stats().ship[0] }))
    process.exit(0)
  `, { timeout: 120_000 })
  assert.equal(r.status, 0, r.stderr)
  const { growth, ship } = JSON.parse(r.stdout) as { growth: number, ship: { dropped: { queue_full: number } } }
  assert.ok(ship.dropped.queue_full > 150_000, r.stdout)
  assert.ok(growth < 1.5 * 1024 * 1024, `heap grew ${(growth / 1048576).toFixed(2)} MB for a 1 MB queue`)
})
