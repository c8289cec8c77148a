// startDebugSession() in a real process: with log_file = stderr the session
// goes to stderr, every session record marked; with a log_debug_dir that
// cannot be used, a config problem says so and the session goes to stderr.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const BODY = (settings: object): string => `
  const log = lib.createLogger(${JSON.stringify(settings)})
  const c = log.child('collector'), i = log.child('instrumentation')
  c.debug('before the session')
  const h = lib.startDebugSession({ level: 'debug', only: ['collector'], for: '1s', reason: 'api test' })
  process.stdout.write(JSON.stringify({ id: h.id, file: h.file, current: lib.currentDebugSession()?.id }) + '\\n')
  const t = setInterval(() => { c.debug('collector debug'); i.debug('instrumentation debug') }, 20)
  h.ended.then((s) => { clearInterval(t); c.debug('after the session'); process.stdout.write(JSON.stringify({ ...s, current: lib.currentDebugSession() ?? null }) + '\\n') })`

interface J { level: string, name: string, msg: string, event?: string, debug_session?: string, end_reason?: string, key?: string, recorded?: boolean }

test('an API session with log_file = stderr: collector debug on stderr, each marked; nothing else at debug; ends expired', () => {
  // Its own cwd: with no config file the debug dir is the cwd, and a test run must not litter the repo.
  const cwd = tmpDir()
  const r = runScript(BODY({ log_file: 'stderr', log_format: 'json' }), { timeout: 20_000, cwd })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(fs.readdirSync(cwd), [], 'an API session on stderr with no debug dir writes nothing into the cwd')
  const [start, end] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.equal(start?.file, 'stderr')
  assert.equal(start?.current, start?.id)
  assert.equal(end?.end_reason, 'expired')
  assert.equal(end?.current, null)
  assert.ok((end?.records as number) > 0)
  const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as J)
  const debug = lines.filter((l) => l.level === 'debug')
  assert.ok(debug.some((l) => l.msg === 'collector debug'))
  assert.ok(debug.some((l) => l.msg === 'before the session' && l.recorded === true), 'the flight recorder preamble')
  for (const l of debug) {
    assert.equal(l.debug_session, start?.id)
    assert.equal(l.name, 'oneapm.collector')
  }
  assert.ok(!debug.some((l) => l.msg === 'after the session'))
  const events = lines.filter((l) => l.event?.startsWith('debug_session_') === true && l.name === 'oneapm.debug_session' && l.level === 'info' && l.event !== 'debug_session_preamble')
  assert.deepEqual(events.map((l) => [l.event, l.end_reason]), [['debug_session_started', undefined], ['debug_session_ended', 'expired']])
})

test('an unwritable log_debug_dir: one config problem, the session output goes to stderr, the host goes on', () => {
  const dir = tmpDir()
  const blocker = path.join(dir, 'not-a-dir')
  fs.writeFileSync(blocker, '')
  const log = path.join(dir, 'agent.log')
  const r = runScript(BODY({ log_file: log, log_format: 'json', log_debug_dir: path.join(blocker, 'debug') }), { timeout: 20_000, cwd: dir })
  assert.equal(r.status, 0, r.stderr)
  const [start, end] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.equal(start?.file, 'stderr')
  assert.equal(end?.end_reason, 'expired')
  const main = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as J)
  const problems = main.filter((l) => l.event === 'config_problem' && l.key === 'log_debug_dir')
  assert.equal(problems.length, 1)
  assert.match(problems[0]?.msg ?? '', /stderr/)
  assert.deepEqual(main.filter((l) => l.level === 'debug'), [])
  assert.match(r.stderr, /"msg":"collector debug"/)
})
