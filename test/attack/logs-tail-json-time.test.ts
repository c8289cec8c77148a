// Attack: a JSON-layout line whose `time` is a number outside the Date range
// (1e300) is accepted as a record by the reader (Number.isFinite), and
// `tail --json` then calls new Date(1e300).toISOString(), which throws:
// a RangeError stack trace and exit 70.
// docs/support-tools.md: "No input gives a stack trace."; exit status 0/1/2 only.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { tmpDir } from '../helpers/tmp'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

test('tail --json on a JSON line with time 1e300: no stack trace, a documented exit status', () => {
  const dir = tmpDir('atk-logs-time-')
  const log = path.join(dir, 'agent.log')
  fs.writeFileSync(log, [
    '{"time":1e300,"level":"error","name":"x","pid":1,"msg":"far future"}',
    '{"time":-1e300,"level":"error","name":"x","pid":1,"msg":"far past"}',
    '{"time":"2026-11-21T05:18:00.123Z","level":"info","name":"oneapm.collector","pid":4242,"thread":"main","msg":"hi"}'
  ].join('\n') + '\n')
  const r = spawnSync(process.execPath, [MAIN, 'tail', '--json', log], { encoding: 'utf8', timeout: 30_000 })
  assert.doesNotMatch(r.stderr, /\n\s+at /, `stack trace:\n${r.stderr}`)
  assert.ok(r.status === 0 || r.status === 1, `exit ${String(r.status)}: ${r.stderr}`)
  assert.match(r.stdout, /"msg":"hi"/)
})
