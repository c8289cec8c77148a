// A session's life against real processes (test poll of 200 ms): stop ends it
// early, a small --max-size ends it on its budget, a process started
// mid-session joins, one started after the expiry does not.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { readDebugSession } from '../../src/index'
import { appProgram, cli, lines, sessionFile, sessionIdOf, setup, sleep, startApp } from '../helpers/debug-session'

const POLL = 200

async function joined (dir: string, pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (fs.existsSync(path.join(dir, `oneapm-debug-${pid}.state.json`))) return
    await sleep(50)
  }
  throw new Error(`pid ${pid} never joined`)
}

test('debug stop ends the session early in every process (reason stopped), and status shows it', async () => {
  const s = setup()
  const a = startApp(s.dir, appProgram(s.config, 4000, POLL))
  const [pid] = await a.ready
  const r = await cli(['debug', 'start', '--config', s.config, '--for', '1h', '--only', 'collector', '--reason', 'case 42'])
  assert.equal(r.status, 0, r.err)
  const id = sessionIdOf(r.out)
  await joined(s.dir, pid as number)
  const st = await cli(['debug', 'status', '--config', s.config, '--json'])
  const status = JSON.parse(st.out) as { session: { id: string, state: string, reason: string }, processes: Array<{ pid: number, state: string }> }
  assert.equal(status.session.id, id)
  assert.equal(status.session.state, 'active')
  assert.equal(status.session.reason, 'case 42')
  assert.deepEqual(status.processes.map((p) => [p.pid, p.state]), [[pid, 'active']])
  const stop = await cli(['debug', 'stop', '--config', s.config])
  assert.equal(stop.status, 0, stop.err)
  const stoppedAt = Date.now()
  assert.equal(await a.exited, 0)
  const ended = lines(s.log).filter((l) => l.event === 'debug_session_ended')
  assert.equal(ended.length, 1)
  assert.equal(ended[0]?.end_reason, 'stopped')
  assert.ok(Date.parse(ended[0]?.time as string) - stoppedAt <= POLL + 1500)
  // Nothing of the session after its end line.
  const out = lines(sessionFile(s.dir, pid as number))
  assert.equal(out.at(-1)?.event, 'debug_session_ended')
  const again = await cli(['debug', 'stop', '--config', s.config])
  assert.equal(again.status, 1)
  assert.match(again.out, /already ended/)
  const after = await cli(['debug', 'status', '--config', s.config])
  assert.match(after.out, new RegExp(`session {4}${id} \\(stopped\\)`))
  assert.match(after.out, /ended \(stopped\)/)
})

test('a small --max-size ends the session with reason budget, within the budget', async () => {
  const s = setup()
  const a = startApp(s.dir, appProgram(s.config, 5000, POLL, 0, 20))
  const [pid] = await a.ready
  const r = await cli(['debug', 'start', '--config', s.config, '--for', '1h', '--max-size', '64KB', '--only', 'collector'])
  assert.equal(r.status, 0, r.err)
  assert.equal(await a.exited, 0)
  const ended = lines(s.log).filter((l) => l.event === 'debug_session_ended')
  assert.equal(ended.length, 1)
  assert.equal(ended[0]?.end_reason, 'budget')
  assert.ok((ended[0]?.bytes as number) <= 64 * 1024)
  // The whole file, end line included, within the budget.
  const size = fs.statSync(sessionFile(s.dir, pid as number)).size
  assert.ok(size <= 64 * 1024, String(size))
  assert.ok(size > 32 * 1024, String(size))
})

test('a process started mid-session joins it; one started after the expiry does not', async () => {
  const s = setup()
  // Long enough for a process to start on a loaded machine before the expiry.
  const r = await cli(['debug', 'start', '--config', s.config, '--for', '8s', '--only', 'collector'])
  assert.equal(r.status, 0, r.err)
  const id = sessionIdOf(r.out)
  const control = readDebugSession(s.dir)
  assert.ok('spec' in control)
  const mid = startApp(s.dir, appProgram(s.config, 9000, POLL))
  const [midPid] = await mid.ready
  assert.ok(Date.now() < control.spec.expires - 2 * POLL, 'the mid-session process started well before the expiry')
  const wait = control.spec.expires - Date.now() + 100
  if (wait > 0) await sleep(wait)
  const late = startApp(s.dir, appProgram(s.config, 1000, POLL))
  const [latePid] = await late.ready
  assert.equal(await mid.exited, 0)
  assert.equal(await late.exited, 0)
  const main = lines(s.log)
  const midRecords = main.filter((l) => l.pid === midPid && l.debug_session === id)
  assert.deepEqual(midRecords.map((l) => [l.event, l.end_reason]), [['debug_session_started', undefined], ['debug_session_ended', 'expired']])
  assert.ok(lines(sessionFile(s.dir, midPid as number)).some((l) => l.level === 'debug'))
  assert.deepEqual(main.filter((l) => l.pid === latePid && l.debug_session !== undefined), [])
  assert.equal(fs.existsSync(sessionFile(s.dir, latePid as number)), false)
})
