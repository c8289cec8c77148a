// Issue 9 audit: the session behaviours the issue names that no other test
// pinned down. A second `debug start` replaces the running session (end
// reason replaced) and the new one is joined; a level the user set during a
// session, and per-namespace levels, are exactly as before once it ends; the
// control file turned into a FIFO or a symlink mid-session never hangs a poll
// and never keeps the session past its expiry.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { createLogger, currentDebugSession, startDebugSession, type Logger } from '../../../src/index'
import { formatControl, type SessionSpec } from '../../../src/logger/session/control'
import { noop } from '../../../src/internal/noop'
import { tmpDir } from '../../helpers/tmp'

const POLL = 50
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

interface J { level: string, name: string, msg: string, event?: string, end_reason?: string, debug_session?: string, recorded?: boolean }

function setup (settings: Record<string, unknown> = {}): { dir: string, log: string, root: Logger, main: () => J[], session: () => J[] } {
  const dir = tmpDir()
  const log = path.join(dir, 'agent.log')
  const root = createLogger({ log_file: log, log_format: 'json', ...settings }, { global: true, hooks: { debugPollMs: POLL } })
  const read = (file: string): J[] => fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as J) : []
  return {
    dir,
    log,
    root,
    main: () => { root.flush(); return read(log) },
    session: () => { root.flush(); return read(path.join(dir, `oneapm-debug-${process.pid}.log`)) }
  }
}

function control (id: string, ms: number, extra: Partial<SessionSpec> = {}): string {
  const now = Date.now()
  return formatControl({ id, level: 'debug', only: ['collector'], started: now, expires: now + ms, maxSize: 1024 * 1024, reason: '', source: 'cli', state: 'active', ...extra })
}

async function until (what: () => boolean, label: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (what()) return
    await sleep(POLL / 2)
  }
  assert.fail(label)
}

test('a second debug start replaces the running session: the first ends replaced, the new one is joined and marks its records', async () => {
  const s = setup()
  const file = path.join(s.dir, 'oneapm-debug-session.json')
  const c = s.root.child('collector')
  fs.writeFileSync(file, control('ds-first', 60_000))
  await until(() => currentDebugSession()?.id === 'ds-first', 'the first session was never joined')
  c.debug('in the first')
  // As debug start writes it: a new file renamed over the name.
  fs.writeFileSync(file + '.tmp', control('ds-second', 60_000, { only: ['collector'] }))
  fs.renameSync(file + '.tmp', file)
  await until(() => currentDebugSession()?.id === 'ds-second', 'the second session was never joined')
  c.debug('in the second')
  const ended = s.main().filter((l) => l.event === 'debug_session_ended')
  assert.deepEqual(ended.map((l) => [l.debug_session, l.end_reason]), [['ds-first', 'replaced']])
  const started = s.main().filter((l) => l.event === 'debug_session_started').map((l) => l.debug_session)
  assert.deepEqual(started, ['ds-first', 'ds-second'])
  // The new session starts with its own "minute before" (marked recorded), then its live records, in the same file.
  const out = s.session().filter((l) => l.name === 'oneapm.collector')
  assert.deepEqual(out.map((l) => [l.msg, l.debug_session, l.recorded === true]), [['in the first', 'ds-first', false], ['in the first', 'ds-second', true], ['in the second', 'ds-second', false]])
  fs.rmSync(file)
  await until(() => currentDebugSession() === undefined, 'removing the control file did not end the session')
  await s.root.close()
})

test('flush() writes the session output too, synchronously (a worker about to be terminated loses nothing of it)', async () => {
  const s = setup()
  const c = s.root.child('collector')
  const h = startDebugSession({ only: 'collector', for: '1h' })
  // Enough that the writer cannot take it all in its first write.
  for (let i = 0; i < 2000; i++) c.debug('record %d of a burst with some text to fill the line', i)
  s.root.flush()
  const out = fs.readFileSync(path.join(s.dir, `oneapm-debug-${process.pid}.log`), 'utf8')
  assert.match(out, /record 1999 of a burst/)
  h.stop()
  await h.ended
  await s.root.close()
})

test('levels after a session are exactly those before: a level set during it is kept, per-namespace levels included', async () => {
  const s = setup({ log_levels: 'instrumentation.http:debug,collector.noisy:error', log_flight_recorder: '0' })
  const collector = s.root.child('collector')
  const noisy = s.root.child('collector.noisy')
  const instr = s.root.child('instrumentation')
  const http = s.root.child('instrumentation.http')
  const before = [collector, noisy, instr, http].map((l) => [l.name, l.level, l.isLevelEnabled('debug'), l.debug === noop, l.trace === noop, l.info === noop])
  const h = startDebugSession({ level: 'trace', only: 'collector,instrumentation', for: '1h' })
  assert.notEqual(noisy.trace, noop, 'the session takes trace of a logger set to error')
  assert.equal(noisy.level, 'error', 'the session never shows as the logger\'s level')
  // The user raises one logger's level during the session: the session must not undo it.
  collector.setLevel('debug')
  h.stop()
  await h.ended
  const after = [collector, noisy, instr, http].map((l) => [l.name, l.level, l.isLevelEnabled('debug'), l.debug === noop, l.trace === noop, l.info === noop])
  const expected = before.map((b) => b[0] === 'oneapm.collector' ? ['oneapm.collector', 'debug', true, false, true, false] : b)
  assert.deepEqual(after, expected)
  collector.debug('a debug the user asked for')
  http.debug('http debug, by log_levels')
  noisy.warn('below error, dropped')
  const main = s.main()
  assert.ok(main.some((l) => l.msg === 'a debug the user asked for' && l.debug_session === undefined))
  assert.ok(main.some((l) => l.msg === 'http debug, by log_levels'))
  assert.ok(!main.some((l) => l.msg === 'below error, dropped'))
  await s.root.close()
})

test('the control file turned into a FIFO, then a symlink, mid-session: polls never hang, one warning each, the session still ends at its expiry', async (t) => {
  const s = setup()
  const file = path.join(s.dir, 'oneapm-debug-session.json')
  fs.writeFileSync(file, control('ds-fifo', 1500))
  await until(() => currentDebugSession()?.id === 'ds-fifo', 'never joined')
  // Put in place by rename, as an attacker would: the name is never missing (that would stop the session).
  const fifo = path.join(s.dir, 'fifo')
  try {
    execFileSync('mkfifo', [fifo])
  } catch {
    t.skip('no mkfifo')
    await s.root.close()
    return
  }
  fs.renameSync(fifo, file)
  await sleep(POLL * 4)
  const target = path.join(s.dir, 'elsewhere.json')
  fs.writeFileSync(target, control('ds-symlink', 60 * 60_000))
  fs.symlinkSync(target, path.join(s.dir, 'link'))
  fs.renameSync(path.join(s.dir, 'link'), file)
  await sleep(POLL * 4)
  const problems = s.main().filter((l) => l.event === 'config_problem').map((l) => l.msg)
  assert.ok(problems.some((m) => /a FIFO, not a regular file/.test(m)), problems.join('\n'))
  assert.ok(problems.some((m) => /a symlink \(not followed\)/.test(m)), problems.join('\n'))
  assert.notEqual(currentDebugSession()?.id, 'ds-symlink', 'a symlinked control file is never joined')
  await until(() => currentDebugSession() === undefined, 'the session outlived its expiry')
  const ended = s.main().filter((l) => l.event === 'debug_session_ended')
  assert.deepEqual(ended.map((l) => [l.debug_session, l.end_reason]), [['ds-fifo', 'expired']])
  await s.root.close()
})
