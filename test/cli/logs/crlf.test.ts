// A log with CRLF line ends (opened and saved on Windows, or sent through a
// tool that converts them): the \r is part of the line end, not of the last
// field. Read as part of the line, it made every text-layout line's fields
// unreadable, so summary showed no events and "nothing needs fixing".

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { describeFile, planFiles } from '../../../src/cli/logs/files'
import { summarizeInOrder, summarizeMerged } from '../../../src/cli/logs/summarize'
import { main } from '../../../src/cli/main'
import { tmpDir } from '../../helpers/tmp'

const LINES = [
  '2026-11-21 13:18:00,123+0800 (4242/main) oneapm.collector ERROR - collector answered 413 event=collector_error cause="HTTP 413" url="https://c.example/x?method=metric_data" status=413',
  '2026-11-21 13:18:05,123+0800 (4242/main) oneapm.collector INFO - back event=collector_recovered failures=1 seconds=5',
  '{"time":"2026-11-21T05:18:06.123Z","level":"warning","name":"oneapm.collector","pid":4242,"thread":"main","msg":"json line"}'
]

test('summary reads the fields and events of a CRLF log, in place and merged', async () => {
  const dir = tmpDir()
  const log = path.join(dir, 'agent.log')
  fs.writeFileSync(log, LINES.join('\r\n') + '\r\n')
  for (const summarize of [summarizeInOrder, summarizeMerged]) {
    const s = await summarize(planFiles([describeFile(log)], -Infinity, Infinity), { since: -Infinity, until: Infinity })
    assert.ok(s !== undefined)
    assert.equal(s.records, 3)
    assert.deepEqual(s.connectivity.map((c) => [c.state, c.cause]), [['failing', 'HTTP 413'], ['recovered', 'after 1 failure over 5 s']])
    assert.deepEqual(s.findings.map((f) => f.id), ['payload_too_large'])
    assert.deepEqual(s.events.map((e) => e.msg), ['collector answered 413', 'back', 'json line'])
  }
})

test('tail --event finds the events of a CRLF log and prints its lines without the \\r', async () => {
  const dir = tmpDir()
  const log = path.join(dir, 'agent.log')
  fs.writeFileSync(log, LINES.join('\r\n') + '\r\n')
  let out = ''
  const status = await main(['tail', '--event', 'collector_error', log], (s) => { out += s }, () => {})
  assert.equal(status, 0)
  assert.equal(out, LINES[0] + '\n')
})
