// Attack: a record's event is forged by text inside a message. The text
// layout writes the message unquoted, and the reader takes a trailing run of
// ` key=value` as fields, so a message built with outside text (a URL, a
// server's answer, a user name) ending in ` event=collector_recovered
// failures=9000` is counted by `summary` as a recovery after 9000 failures,
// and ` event=host_interference cause=...` as a finding with its "fix".
// The records are written by the real logger (nothing hand-made).
// Brief: a forged ` event=...` in a message must not be counted as an event.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

test('summary: event= text inside a message (written by the logger) is not an event', () => {
  const dir = tmpDir('atk-logs-forge-')
  const log = path.join(dir, 'agent.log')
  const w = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(log)}, log_format: 'text' })
    log.info('request: %s', 'GET /x event=collector_recovered failures=9000 seconds=1')
    log.warning('upstream said %s', 'oops event=host_interference cause=stderr_replaced')
    log.flush()`)
  assert.equal(w.status, 0, w.stderr)
  const r = spawnSync(process.execPath, [MAIN, 'summary', '--json', log], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(r.status, 0, r.stderr)
  const s = JSON.parse(r.stdout) as { connectivity: unknown[], interference: unknown[], findings: unknown[] }
  assert.deepEqual(s.connectivity, [], 'a message forged a collector_recovered')
  assert.deepEqual(s.interference, [], 'a message forged a host_interference')
  assert.deepEqual(s.findings, [], 'a message forged a finding')
})
