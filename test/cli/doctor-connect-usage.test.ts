// doctor --connect's flags: a --timeout out of range or unreadable, or one
// without --connect, is a usage error (exit 2) that says what is accepted,
// before anything is tried on the network.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CONNECT_TIMEOUT, parseTimeout } from '../../src/cli/connect/command'
import { UsageError } from '../../src/cli/args'
import { agentConfig, runCli } from '../helpers/connect'

test('--timeout: accepted forms, default, and the range', () => {
  assert.equal(parseTimeout(undefined), CONNECT_TIMEOUT.defaultMs)
  assert.equal(parseTimeout('10s'), 10_000)
  assert.equal(parseTimeout('1500ms'), 1500)
  assert.equal(parseTimeout('2m'), 120_000)
  assert.equal(parseTimeout('3'), 3000)
  assert.equal(parseTimeout('100ms'), 100)
  assert.equal(parseTimeout('5m'), 300_000)
  for (const bad of ['0s', '99ms', '6m', '1h', 'abc', '', '-1s', '10 sec', '1e3']) {
    assert.throws(() => parseTimeout(bad), (e: unknown) => e instanceof UsageError && /--timeout .* is not usable: give a duration from 100 ms to 300 s/.test(e.message), bad)
  }
})

test('exit 2 with a clear message for a bad --timeout, or --timeout without --connect; nothing is probed', async () => {
  // A host that would take the whole default timeout if it were tried.
  const file = agentConfig(['host = collector.oneapm.invalid'])
  for (const args of [['--connect', '--timeout', '0s'], ['--connect', '--timeout', '1h'], ['--connect', '--timeout', 'soon'], ['--timeout', '5s']]) {
    const r = await runCli(['doctor', '--config', file, ...args])
    assert.equal(r.status, 2, `${args.join(' ')}\n${r.stdout}${r.stderr}`)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /^oneapm-agent-log doctor: --timeout /)
    assert.match(r.stderr, args[0] === '--timeout' ? /--timeout goes with --connect/ : /give a duration from 100 ms to 300 s/)
  }
})

test('doctor --help names --connect and --timeout', async () => {
  const r = await runCli(['doctor', '--help'])
  assert.equal(r.status, 0)
  assert.match(r.stdout, /--connect {7}probe the collector/)
  assert.match(r.stdout, /--timeout T {5}bound for the whole probe/)
})
