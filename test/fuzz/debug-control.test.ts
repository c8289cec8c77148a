// Fuzz: hostile control files. parseControl never throws and accepts only a
// session within the limits (a level of debug or trace, at most 24 h from
// now, a bounded id and list). A process watching the file (in a child, so a
// hang fails the test) survives every kind of file at that name — garbage,
// a huge file, a symlink to /dev/zero, a FIFO, a directory — with one
// warning per change, and exits on its own.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { test } from 'node:test'
import { MAX_FOR_MS, MAX_ID, MAX_ONLY, formatControl, parseControl } from '../../src/logger/session/control'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'
import { property } from './harness'
import { nastyString } from './values'

const NOW = Date.UTC(2026, 5, 1)

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.constantFrom('debug', 'trace', 'off', 'info', 'cli', 'api', 'active', 'stopped', 1, 2 ** 40, 65536),
  fc.array(fc.oneof(nastyString, fc.constantFrom('collector', 'oneapm.collector', 'a.b', 'x'.repeat(200))), { maxLength: 40 }),
  fc.integer({ min: -20 * 365, max: 20 * 365 }).map((d) => new Date(NOW + d * 86400_000).toISOString())
)

const controlObject = fc.record({
  version: fc.oneof(fc.constant(1), anyValue),
  id: fc.oneof(fc.constantFrom('ds-1', 'a\nb', '\u001b[2J', 'x'.repeat(65)), anyValue),
  level: anyValue,
  only: anyValue,
  started: fc.oneof(fc.constant(new Date(NOW).toISOString()), anyValue),
  expires: fc.oneof(fc.constant(new Date(NOW + 60_000).toISOString()), anyValue),
  max_size: anyValue,
  reason: anyValue,
  source: fc.oneof(fc.constant('cli'), anyValue),
  state: fc.oneof(fc.constant('active'), anyValue)
}, { requiredKeys: [] })

property('parseControl never throws and accepts only sessions within the limits', { runs: 300 },
  [fc.oneof(controlObject.map((o) => JSON.stringify(o)), nastyString, fc.string({ unit: 'binary', maxLength: 2000 }))],
  (text) => {
    const p = parseControl(text, NOW)
    if (!p.ok) {
      assert.equal(typeof p.problem, 'string')
      return
    }
    const s = p.value
    assert.ok(s.level === 'debug' || s.level === 'trace')
    assert.ok(s.expires - s.started <= MAX_FOR_MS && s.expires <= NOW + MAX_FOR_MS + 60_000)
    assert.ok(s.id.length <= MAX_ID && /^[A-Za-z0-9_.-]+$/.test(s.id))
    assert.ok(s.only.length <= MAX_ONLY)
    assert.ok(!/[\u0000-\u001f\u007f]/.test(s.reason))
    assert.deepEqual(parseControl(formatControl(s), NOW), p)
  })

test('a process watching a hostile control file (garbage, huge, /dev/zero, FIFO, directory) never crashes or hangs', () => {
  const dir = tmpDir()
  const r = runScript(`
    const fs = require('node:fs'), path = require('node:path'), { execFileSync } = require('node:child_process')
    const dir = ${JSON.stringify(dir)}, control = path.join(dir, 'oneapm-debug-session.json'), log = path.join(dir, 'agent.log')
    const root = lib.createLogger({ log_file: log, log_format: 'json' }, { hooks: { debugPollMs: 20 } })
    const steps = [
      () => fs.writeFileSync(control, 'x'.repeat(1000)),
      () => { fs.rmSync(control); fs.writeFileSync(control, ''); fs.truncateSync(control, 50 * 1024 * 1024) },
      () => { fs.rmSync(control); fs.symlinkSync('/dev/zero', control) },
      () => { fs.rmSync(control); execFileSync('mkfifo', [control]) },
      () => { fs.rmSync(control); fs.mkdirSync(control) },
      () => { fs.rmSync(control, { recursive: true }); fs.writeFileSync(control, JSON.stringify({ version: 1, id: 'ds-x', level: 'off' })) },
      () => fs.rmSync(control)
    ]
    let i = 0
    const t = setInterval(() => {
      root.child('collector').debug('tick')
      if (i < steps.length) steps[i++]()
      else { clearInterval(t); root.flush(); process.stdout.write(fs.readFileSync(log, 'utf8')) }
    }, 150)`, { timeout: 20_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.signal, null)
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event?: string, msg: string, key?: string })
  const warnings = lines.filter((l) => l.event === 'config_problem' && l.key === 'oneapm-debug-session.json')
  // One per hostile change: garbage, huge, symlink, FIFO, directory, level off.
  assert.equal(warnings.length, 6, warnings.map((w) => w.msg).join('\n'))
  assert.deepEqual(lines.filter((l) => l.event === 'debug_session_started'), [])
})
