// `debug start --for 3s --only collector` against real processes sharing one
// config: two child processes at the real 2 s poll, four cluster workers at
// a test poll. Every process joins within the poll bound, writes only
// collector records at debug to its own session file, keeps debug out of the
// main log, and ends with reason expired, writing nothing after the expiry.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEBUG_POLL_MS, readDebugSession } from '../../src/index'
import { appProgram, cli, lines, sessionFile, sessionIdOf, setup, sleep, startApp, type Line } from '../helpers/debug-session'

/** Slack for a process on this loaded machine to run its poll timer and write. */
const SLACK_MS = 1500

async function scenario (kind: 'children' | 'cluster', pollMs: number | undefined): Promise<void> {
  const s = setup()
  const poll = pollMs ?? DEBUG_POLL_MS
  const runMs = 3000 + 2 * poll + 2500
  const apps = kind === 'children'
    ? [startApp(s.dir, appProgram(s.config, runMs, pollMs)), startApp(s.dir, appProgram(s.config, runMs, pollMs))]
    : [startApp(s.dir, appProgram(s.config, runMs, pollMs, 4), 4)]
  const pids = (await Promise.all(apps.map(async (a) => await a.ready))).flat()
  assert.equal(pids.length, kind === 'children' ? 2 : 4)
  // Let each write some debug records at info first: the flight recorder's "minute before".
  await sleep(300)
  const r = await cli(['debug', 'start', '--config', s.config, '--for', '3s', '--only', 'collector'])
  assert.equal(r.status, 0, r.err)
  const id = sessionIdOf(r.out)
  const control = readDebugSession(s.dir)
  assert.ok('spec' in control)
  const { started, expires } = control.spec
  for (const a of apps) assert.equal(await a.exited, 0)

  const main = lines(s.log)
  // The main log keeps its level: not one debug or trace record, marked or not.
  assert.deepEqual(main.filter((l) => l.level === 'debug' || l.level === 'trace'), [])
  for (const pid of pids) {
    const mine = main.filter((l) => l.pid === pid)
    const start = mine.find((l) => l.event === 'debug_session_started')
    assert.ok(start !== undefined, `pid ${pid} joined`)
    assert.equal(start.debug_session, id)
    assert.equal(start.components, 'collector')
    assert.equal(start.source, 'cli')
    assert.ok(Date.parse(start.time) - started <= poll + SLACK_MS, `pid ${pid} joined ${Date.parse(start.time) - started} ms after the start (poll ${poll})`)
    const end = mine.filter((l) => l.event === 'debug_session_ended')
    assert.equal(end.length, 1)
    assert.equal(end[0]?.end_reason, 'expired')
    assert.equal(end[0]?.debug_session, id)

    const out = lines(sessionFile(s.dir, pid))
    const records = out.filter((l: Line) => l.name !== 'oneapm.debug_session')
    assert.ok(records.some((l) => l.level === 'debug' && l.recorded !== true), `pid ${pid} wrote live collector debug records`)
    assert.ok(records.some((l) => l.recorded === true), `pid ${pid} started with the flight recorder's records`)
    for (const l of out) {
      assert.equal(l.debug_session, id)
      assert.ok(l.name === 'oneapm.debug_session' || l.name === 'oneapm.collector' || l.name.startsWith('oneapm.collector.'), l.name)
      assert.notEqual(l.level, 'trace')
      // Nothing after the expiry plus one poll (in fact nothing after the expiry).
      assert.ok(Date.parse(l.time) <= expires, `${l.time} after ${new Date(expires).toISOString()}`)
    }
  }
}

test('two child processes at the real 2 s poll: every one joins, writes collector debug only, ends expired', async () => {
  await scenario('children', undefined)
})

test('four cluster workers: every one joins, writes collector debug only, ends expired', async () => {
  await scenario('cluster', 200)
})
