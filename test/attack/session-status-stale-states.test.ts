// Promise: `debug status` shows "every process that joined" (docs/support.md).
// State files are never removed, so a debug dir collects one per pid of every
// earlier session. readStates() stops at 1000 files in readdir order, before
// filtering by session: with enough stale files, the processes of the
// running session are not listed ("none joined yet"), the count of earlier
// files is wrong, and `debug start --wait` stops waiting for them.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { cli, setup } from '../helpers/debug-session'

test('debug status lists the joined process even with 3000 stale state files of earlier sessions', async (t) => {
  const s = setup()
  t.after(() => { fs.rmSync(s.dir, { recursive: true, force: true }) })
  const started = await cli(['debug', 'start', '--config', s.config, '--for', '1m'])
  assert.equal(started.status, 0, started.err)
  const id = (JSON.parse(fs.readFileSync(path.join(s.dir, 'oneapm-debug-session.json'), 'utf8')) as { id: string }).id
  const state = (pid: number, session: string): string => JSON.stringify({ pid, session, since: new Date().toISOString(), records: 1, bytes: 1, dropped: 0, file: 'f', state: 'ended', end_reason: 'expired', updated: new Date().toISOString() })
  for (let pid = 100000; pid < 103000; pid++) fs.writeFileSync(path.join(s.dir, `oneapm-debug-${pid}.state.json`), state(pid, 'ds-old'))
  // This process stands for the one that joined.
  fs.writeFileSync(path.join(s.dir, `oneapm-debug-${process.pid}.state.json`), JSON.stringify({ ...JSON.parse(state(process.pid, id)), state: 'active', end_reason: undefined }))
  const r = await cli(['debug', 'status', '--config', s.config, '--json'])
  const report = JSON.parse(r.out) as { processes: Array<{ pid: number }>, other_processes: number }
  assert.deepEqual(report.processes.map((p) => p.pid), [process.pid], 'the joined process is missing from debug status')
  assert.equal(report.other_processes, 3000)
})
