// Issue 9 audit of the debug command: `status --json` lists every field the
// issue names for each joined process; `debug start --wait` run as the real
// CLI makes the support bundle once the session ends; an unwritable
// log_debug_dir is a clear error (exit 1), never a crash.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { createLogger, loadConfig } from '../../src/index'
import { runScript } from '../helpers/child'
import { cli, sessionIdOf, setup, sleep } from '../helpers/debug-session'
import { tmpDir } from '../helpers/tmp'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

test('debug status: each joined process with pid, since, records, bytes, dropped, file and state, in --json and in the table', async () => {
  const s = setup()
  const log = createLogger(loadConfig({ file: s.config }), { hooks: { debugPollMs: 50 } })
  const r = await cli(['debug', 'start', '--config', s.config, '--for', '1h', '--only', 'collector'])
  assert.equal(r.status, 0, r.err)
  const id = sessionIdOf(r.out)
  const stateFile = path.join(s.dir, `oneapm-debug-${process.pid}.state.json`)
  for (let i = 0; i < 100 && !fs.existsSync(stateFile); i++) await sleep(50)
  for (let i = 0; i < 20; i++) log.child('collector').debug('record %d', i)
  // The state file is rewritten every poll: wait for one that counts the records.
  await sleep(200)
  const st = await cli(['debug', 'status', '--config', s.config, '--json'])
  assert.equal(st.status, 0)
  const json = JSON.parse(st.out) as { session: { id: string }, processes: Array<Record<string, unknown>> }
  assert.equal(json.session.id, id)
  assert.equal(json.processes.length, 1)
  const p = json.processes[0] as Record<string, unknown>
  assert.equal(p.pid, process.pid)
  assert.equal(p.session, id)
  assert.ok(Number.isFinite(Date.parse(p.since as string)), String(p.since))
  assert.ok((p.records as number) >= 20, String(p.records))
  assert.ok((p.bytes as number) > 0)
  assert.equal(p.dropped, 0)
  assert.equal(p.file, path.join(s.dir, `oneapm-debug-${process.pid}.log`))
  assert.equal(p.state, 'active')
  assert.equal(p.alive, true)
  const text = (await cli(['debug', 'status', '--config', s.config])).out
  assert.match(text, /^pid +since +state +records +bytes +dropped +file$/m)
  assert.match(text, new RegExp(`^${process.pid} +\\S+ +active +\\d+ +\\d+ +0 +${s.dir.replace(/[/.]/g, '\\$&')}/oneapm-debug-${process.pid}\\.log$`, 'm'))
  assert.equal((await cli(['debug', 'stop', '--config', s.config])).status, 0)
  await log.close()
})

test('debug start --wait, as the CLI runs it: when the session ends, the support bundle is written in the current directory', () => {
  const s = setup()
  const cwd = tmpDir()
  fs.writeFileSync(s.log, '2026-01-01T00:00:00.000Z INFO (1/main) oneapm.collector: hello\n')
  const r = runScript(`require(${JSON.stringify(MAIN)}).main(['debug', 'start', '--config', ${JSON.stringify(s.config)}, '--for', '1s', '--wait'], (x) => process.stdout.write(x), (x) => process.stderr.write(x)).then((code) => { process.exitCode = code })`, { cwd, timeout: 60_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /debug session \S+ ended \(expired\)/)
  const bundles = fs.readdirSync(cwd).filter((f) => /^oneapm-support-.+\.tar\.gz$/.test(f))
  assert.equal(bundles.length, 1, fs.readdirSync(cwd).join(', '))
  assert.match(r.stdout, /Wrote .+oneapm-support-.+\.tar\.gz/)
})

test('debug start with a log_debug_dir that cannot be made: exit 1 naming the directory, nothing thrown', async () => {
  const dir = tmpDir()
  const blocker = path.join(dir, 'file')
  fs.writeFileSync(blocker, '')
  const s = setup(`log_debug_dir = ${path.join(blocker, 'debug')}\n`)
  const r = await cli(['debug', 'start', '--config', s.config, '--for', '1m'])
  assert.equal(r.status, 1)
  assert.match(r.err, /oneapm-agent-log debug start: .*file\/debug/)
  const st = await cli(['debug', 'status', '--config', s.config])
  assert.equal(st.status, 0)
  assert.match(st.out, /session {4}none/)
  const stop = await cli(['debug', 'stop', '--config', s.config])
  assert.equal(stop.status, 1)
})
