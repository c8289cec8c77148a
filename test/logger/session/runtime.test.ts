import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { createLogger, currentDebugSession, startDebugSession, type Logger } from '../../../src/index'
import { formatControl } from '../../../src/logger/session/control'
import { noop } from '../../../src/internal/noop'
import { tmpDir } from '../../helpers/tmp'

const POLL = 50
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

interface J { level: string, name: string, msg: string, event?: string, end_reason?: string, debug_session?: string, key?: string }

function setup (settings: Record<string, unknown> = {}): { dir: string, log: string, root: Logger, main: () => J[] } {
  const dir = tmpDir()
  const log = path.join(dir, 'agent.log')
  const root = createLogger({ log_file: log, log_format: 'json', ...settings }, { global: true, hooks: { debugPollMs: POLL } })
  return {
    dir,
    log,
    root,
    main: () => { root.flush(); return fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as J) }
  }
}

test('no session: a disabled call is the noop; during one, only covered loggers change; after it, every level is as before', async () => {
  const s = setup({ log_levels: 'instrumentation.http:debug', log_flight_recorder: '0' })
  const collector = s.root.child('collector')
  const instr = s.root.child('instrumentation')
  const http = s.root.child('instrumentation.http')
  assert.equal(collector.debug, noop)
  assert.equal(instr.debug, noop)
  const h = startDebugSession({ only: 'collector', for: '1h' })
  assert.equal(currentDebugSession()?.id, h.id)
  assert.notEqual(collector.debug, noop)
  assert.equal(collector.level, 'info', 'the main level is unchanged')
  assert.equal(instr.debug, noop, 'other components cost what they cost before')
  assert.equal(collector.trace, noop, 'a debug session leaves trace alone')
  h.stop()
  const summary = await h.ended
  assert.equal(summary.end_reason, 'stopped')
  assert.equal(currentDebugSession(), undefined)
  assert.equal(collector.debug, noop)
  assert.equal(http.level, 'debug', 'a level the user set is kept')
  assert.notEqual(http.debug, noop)
  await s.root.close()
})

test('a hostile control file is one warning per change, never a crash; a valid one after it is joined', async () => {
  const s = setup()
  const control = path.join(s.dir, 'oneapm-debug-session.json')
  fs.writeFileSync(control, 'not json')
  await sleep(POLL * 4)
  fs.writeFileSync(control, '{"version":1,"id":"a\\nb"}')
  await sleep(POLL * 4)
  const warnings = s.main().filter((l) => l.event === 'config_problem' && l.key === 'oneapm-debug-session.json')
  assert.equal(warnings.length, 2)
  assert.match(warnings[0]?.msg ?? '', /not JSON/)
  const now = Date.now()
  fs.writeFileSync(control, formatControl({ id: 'ds-ok', level: 'debug', only: [], started: now, expires: now + 60_000, maxSize: 1024 * 1024, reason: '', source: 'cli', state: 'active' }))
  await sleep(POLL * 4)
  assert.equal(currentDebugSession()?.id, 'ds-ok')
  // The API replaces it; the end record says so.
  const h = startDebugSession({ for: '2s' })
  assert.equal(currentDebugSession()?.id, h.id)
  const ended = s.main().filter((l) => l.event === 'debug_session_ended')
  assert.deepEqual(ended.map((l) => [l.debug_session, l.end_reason]), [['ds-ok', 'replaced']])
  h.stop()
  await h.ended
  await s.root.close()
})

test('bad API options become config problems and defaults, never a throw', async () => {
  const s = setup()
  const h = startDebugSession({ level: 'off' as 'debug', for: '10y', maxSize: -1, only: ['a b'], reason: 7 as unknown as string })
  assert.ok(h.expires - Date.now() <= 10 * 60_000 + 1000)
  const problems = s.main().filter((l) => l.event === 'config_problem')
  assert.deepEqual(problems.map((l) => l.key).sort(), ['for', 'level', 'maxSize', 'only', 'reason'])
  h.stop()
  await s.root.close()
})
