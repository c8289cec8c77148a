import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runDebug } from '../../src/cli/debug'
import { cli, sessionIdOf, setup } from '../helpers/debug-session'

test('debug start: every bad flag is a usage error (exit 2) naming the flag and the accepted values', async () => {
  const s = setup()
  const bad: Array<[string[], RegExp]> = [
    [['--for', '0s'], /--for must be a duration from 1s to 24h/],
    [['--for', '25h'], /--for must be a duration from 1s to 24h/],
    [['--for', 'soon'], /--for must be/],
    [['--max-size', '1KB'], /--max-size must be a size from 64KB to 1GB/],
    [['--max-size', '2GB'], /--max-size must be/],
    [['--level', 'info'], /--level must be debug or trace/],
    [['--only', 'a b!'], /--only must hold component names/],
    [['--reason', 'a\u001b[31m'], /--reason must be printable/],
    [['--frob'], /Unknown option '--frob'/]
  ]
  for (const [flags, why] of bad) {
    const r = await cli(['debug', 'start', '--config', s.config, ...flags])
    assert.equal(r.status, 2, flags.join(' '))
    assert.match(r.err, why)
  }
  assert.equal((await cli(['debug', 'frob'])).status, 2)
  assert.equal(fs.existsSync(path.join(s.dir, 'oneapm-debug-session.json')), false, 'nothing written')
})

test('debug --help, and in the command list', async () => {
  const r = await cli(['debug', '--help'])
  assert.equal(r.status, 0)
  assert.match(r.out, /^Usage: oneapm-agent-log debug start\|stop\|status/)
  assert.match((await cli(['--help'])).out, /debug {4}start, stop or show a debug session/)
})

test('debug start prints the id, expiry, where each process writes and how to stop; status and stop with no session', async () => {
  const s = setup()
  assert.match((await cli(['debug', 'status', '--config', s.config])).out, /session {4}none/)
  const stop = await cli(['debug', 'stop', '--config', s.config])
  assert.equal(stop.status, 1)
  assert.match(stop.err, /no debug session/)
  const r = await cli(['debug', 'start', '--config', s.config, '--for', '90s', '--only', 'collector', '--reason', 'case 7'])
  assert.equal(r.status, 0)
  assert.match(r.out, /debug session ds-\S+ started/)
  assert.match(r.out, /expires {4}\d{4}-\d\d-\d\dT\S+Z \(in 90 s\)/)
  assert.match(r.out, new RegExp(`output {5}${s.dir.replace(/[/.]/g, '\\$&')}/oneapm-debug-<pid>\\.log, one file per process`))
  assert.match(r.out, /Stop early with: oneapm-agent-log debug stop --config/)
  const st = await cli(['debug', 'status', '--config', s.config])
  assert.match(st.out, /\(active\), debug of collector/)
  assert.match(st.out, /none joined yet/)
})

test('debug start with a stream log_file says the records go to that stream, marked', async () => {
  const s = setup('', 'stderr')
  const r = await cli(['debug', 'start', '--config', s.config, '--for', '5s'])
  assert.match(r.out, /each process's stderr \(log_file\), each record marked debug_session=/)
})

test('debug start --wait waits for the end, prints the results, then runs the afterWait hook', async () => {
  const s = setup()
  let out = ''
  let hooked: string | undefined
  const status = await runDebug(['start', '--config', s.config, '--for', '1s', '--wait'], (x) => { out += x }, () => {}, {
    waitPollMs: 50,
    afterWait: (file) => { hooked = file; return 3 }
  })
  assert.equal(status, 3)
  assert.equal(hooked, s.config)
  assert.match(out, /debug session \S+ ended \(expired\)/)
  assert.match(out, /no process joined this session/)
})

test('debug start refuses to replace a control file that is not our own regular file', async () => {
  const s = setup()
  fs.mkdirSync(path.join(s.dir, 'oneapm-debug-session.json'))
  const r = await cli(['debug', 'start', '--config', s.config])
  assert.equal(r.status, 1)
  assert.match(r.err, /not our own regular file/)
})

test('debug status removes the state files of other sessions whose process is gone, and keeps the rest', async (t) => {
  const s = setup()
  t.after(() => { fs.rmSync(s.dir, { recursive: true, force: true }) })
  const started = await cli(['debug', 'start', '--config', s.config, '--for', '1m'])
  const id = sessionIdOf(started.out)
  const state = (pid: number, session: string): string => JSON.stringify({ pid, session, since: '', records: 0, bytes: 0, dropped: 0, file: 'f', state: 'ended', updated: '' })
  const gone = path.join(s.dir, 'oneapm-debug-2147483646.state.json')
  const goneOfThis = path.join(s.dir, 'oneapm-debug-2147483645.state.json')
  const living = path.join(s.dir, `oneapm-debug-${process.pid}.state.json`)
  fs.writeFileSync(gone, state(2147483646, 'ds-old'))
  fs.writeFileSync(goneOfThis, state(2147483645, id))
  fs.writeFileSync(living, state(process.pid, 'ds-old'))
  const r = await cli(['debug', 'status', '--config', s.config, '--json'])
  const report = JSON.parse(r.out) as { processes: Array<{ pid: number }>, other_processes: number, removed_state_files: number }
  assert.deepEqual(report.processes.map((p) => p.pid), [2147483645], 'a gone process of this session is still listed')
  assert.equal(report.other_processes, 2)
  assert.equal(report.removed_state_files, 1)
  assert.ok(!fs.existsSync(gone))
  assert.ok(fs.existsSync(goneOfThis) && fs.existsSync(living))
})
