// One session per process and debug directory, whatever the number of
// logger trees; what a joined session may claim (expiry, reason, control
// file) and what its own lines say.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { createLogger, currentDebugSession, startDebugSession } from '../../../src/index'
import { formatControl, type SessionSpec } from '../../../src/logger/session/control'
import { tmpDir } from '../../helpers/tmp'

const POLL = 50
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
const KEY = 'abcdef0123456789abcdef0123456789abcdef01'

function spec (over: Partial<SessionSpec> = {}): SessionSpec {
  const now = Date.now()
  return { id: `ds-test-${Math.random().toString(16).slice(2, 8)}`, level: 'debug', only: [], started: now, expires: now + 60_000, maxSize: 16 * 1024 * 1024, reason: '', source: 'cli', state: 'active', ...over }
}

test('the session\'s own debug_session_started line says debug_session= once (text layout)', async () => {
  const dir = tmpDir()
  const root = createLogger({ log_file: path.join(dir, 'agent.log'), log_format: 'text' }, { global: true, hooks: { debugPollMs: POLL } })
  const h = startDebugSession({ for: '1m' })
  h.stop()
  await h.ended
  await root.close()
  const text = fs.readFileSync(path.join(dir, `oneapm-debug-${process.pid}.log`), 'utf8')
  const started = text.split('\n').find((l) => l.includes('debug_session_started'))
  assert.ok(started !== undefined, text)
  assert.equal(started.split('debug_session=').length - 1, 1, started)
})

test('a control file that is not our own regular file (a second hard link) is not joined: one config problem', async () => {
  const dir = tmpDir()
  const log = path.join(dir, 'agent.log')
  const elsewhere = path.join(dir, 'kept-by-someone.json')
  fs.writeFileSync(elsewhere, formatControl(spec()))
  fs.linkSync(elsewhere, path.join(dir, 'oneapm-debug-session.json'))
  const root = createLogger({ log_file: log, log_format: 'json' }, { global: true, hooks: { debugPollMs: POLL } })
  await sleep(POLL * 5)
  assert.equal(currentDebugSession(), undefined)
  root.flush()
  const problems = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event?: string, key?: string, msg: string })
    .filter((l) => l.event === 'config_problem' && l.key === 'oneapm-debug-session.json')
  assert.equal(problems.length, 1)
  assert.match(problems[0]?.msg ?? '', /not our own regular file/)
  await root.close()
})

test('a start time in the future (clock slack) never lets a joined session run past 24 h from now', async () => {
  const dir = tmpDir()
  const started = Date.now() + 50_000
  fs.writeFileSync(path.join(dir, 'oneapm-debug-session.json'), formatControl(spec({ started, expires: started + 24 * 3600_000 })))
  const root = createLogger({ log_file: path.join(dir, 'agent.log') }, { global: true, hooks: { debugPollMs: POLL } })
  const s = currentDebugSession()
  assert.ok(s !== undefined, 'joined')
  assert.ok(s.expires <= Date.now() + 24 * 3600_000, `expires ${new Date(s.expires).toISOString()}`)
  await root.close()
})

test('an API session\'s reason is redacted like the main log: currentDebugSession() and the log show no secret', async () => {
  const dir = tmpDir()
  const log = path.join(dir, 'agent.log')
  const root = createLogger({ log_file: log, license_key: KEY, log_redact: 'case_secret' }, { global: true, hooks: { debugPollMs: POLL } })
  const h = startDebugSession({ for: '1m', reason: `password=hunter2xyz case_secret=zzz987 Bearer eyJhbGciOi.eyJzdWIi.sig0123 ${KEY}` })
  const reason = currentDebugSession()?.reason ?? ''
  for (const secret of ['hunter2xyz', 'zzz987', 'eyJhbGciOi.eyJzdWIi.sig0123', KEY]) assert.ok(!reason.includes(secret), reason)
  h.stop()
  await h.ended
  await root.close()
  const text = fs.readFileSync(log, 'utf8')
  for (const secret of ['hunter2xyz', 'zzz987', KEY]) assert.ok(!text.includes(secret))
})

test('two trees share the session: one tree closing leaves it running in the other; stop ends it in both, one end line', async () => {
  const dir = tmpDir()
  const a = createLogger({ log_file: path.join(dir, 'a.log') }, { global: true, hooks: { debugPollMs: POLL } })
  const b = createLogger({ log_file: path.join(dir, 'b.log') }, { global: false, hooks: { debugPollMs: POLL } })
  const control = path.join(dir, 'oneapm-debug-session.json')
  const sp = spec({ only: ['collector'] })
  fs.writeFileSync(control, formatControl(sp))
  await sleep(POLL * 4)
  await a.close()
  b.child('collector').debug('from b after a closed')
  fs.writeFileSync(control, formatControl({ ...sp, state: 'stopped' }))
  await sleep(POLL * 4)
  b.child('collector').debug('from b after the stop')
  await b.close()
  const text = fs.readFileSync(path.join(dir, `oneapm-debug-${process.pid}.log`), 'utf8')
  assert.match(text, /from b after a closed/)
  assert.doesNotMatch(text, /from b after the stop/)
  assert.equal(text.split('\n').filter((l) => l.includes('ended: stopped')).length, 1, text)
  const state = JSON.parse(fs.readFileSync(path.join(dir, `oneapm-debug-${process.pid}.state.json`), 'utf8')) as { state: string, end_reason: string }
  assert.deepEqual([state.state, state.end_reason], ['ended', 'stopped'])
})
