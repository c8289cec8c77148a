// The events table of a summary read in place (read-in-order.ts's TextView):
// its rows are kept as lines, copied a piece at a time, and read, redacted
// and cut only at the end. Over more rows than the table keeps, in plain and
// gzipped files, with secrets in names and messages, lines too long to keep
// whole and short lines read the other way, it must equal the summary built
// from one record object per line (read.ts), redacted the same way.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { test } from 'node:test'
import { describeFile, planFiles } from '../../../src/cli/logs/files'
import { EVENT_ROWS_MAX } from '../../../src/cli/logs/model'
import { outputRedactor } from '../../../src/cli/logs/redact-output'
import { summarizeInOrder, summarizeMerged } from '../../../src/cli/logs/summarize'
import { tmpDir } from '../../helpers/tmp'

const KEY = 'f00dfeed0123456789abcdef0123456789abcdef'
const T0 = Date.UTC(2026, 10, 21, 8, 0, 0)
const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

function stamp (ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}+0000`
}

function line (i: number, t: number): string {
  const level = ['INFO', 'WARNING', 'ERROR', 'DEBUG', 'WARNING', 'CRITICAL'][i % 6] as string
  const name = i % 13 === 0 ? `oneapm.key${KEY}` : 'oneapm.harvest'
  let body: string
  if (i % 101 === 0) body = `collector answered 503 event=collector_error cause="HTTP 503" url="http://c.example/x?method=metric_data&license_key=${KEY}" status=503`
  else if (i % 7 === 0) body = `sent with license ${KEY} in cycle ${i} records=${i % 50}`
  else if (i % 11 === 0) body = `failed err.type=TypeError err.code=E${i % 3} cycle=${i}`
  else if (i % 37 === 0) body = `long ${'x'.repeat(3000 + i)} end=${i}`
  else body = `harvest cycle ${i} done in ${i % 50} ms records=${i % 1000}`
  return `${stamp(t)} (${4000 + (i % 2)}/main) ${name} ${level} - ${body}\n`
}

test('events table: rows kept as lines and read at the end equal rows read at once, redacted, past the table size', async () => {
  const dir = tmpDir()
  const config = path.join(dir, 'agent.ini')
  fs.writeFileSync(config, `[oneapm]\nlog_file = ${path.join(dir, 'agent.log')}\nlicense_key = ${KEY}\n`)
  const files = 4
  const perFile = Math.ceil(EVENT_ROWS_MAX * 2.2 / files)
  let t = T0
  let i = 0
  const paths: string[] = []
  for (let k = 0; k < files; k++) {
    let text = ''
    for (let n = 0; n < perFile; n++, i++) {
      t += 7
      // Now and then a line too short to be read in place (parseLine instead).
      text += i % 501 === 0 ? `${stamp(t)} (1/m) a ERROR - s\n` : line(i, t)
    }
    const current = k === files - 1
    const p = path.join(dir, current ? 'agent.log' : `agent.log.${k}${k % 2 === 0 ? '.gz' : ''}`)
    fs.writeFileSync(p, !current && k % 2 === 0 ? zlib.gzipSync(text) : text)
    fs.utimesSync(p, t / 1000, t / 1000)
    t += 1000
    paths.push(p)
  }
  const redact = outputRedactor(config)
  const planned = planFiles(paths.map(describeFile), -Infinity, Infinity)
  const range = { since: -Infinity, until: Infinity }
  const inOrder = await summarizeInOrder(planned, range, redact)
  const merged = await summarizeMerged(planned, range, redact)
  assert.notEqual(inOrder, undefined, 'rotated files in time order are read in order')
  assert.deepEqual(inOrder, merged)
  const s = merged
  assert.equal(s.events.length, EVENT_ROWS_MAX)
  assert.ok(s.eventsOmitted > 0)
  const json = JSON.stringify(s)
  assert.ok(!json.includes(KEY), 'the license key is redacted in every kept string')
  assert.ok(s.events.some((e) => e.msg.startsWith('long x') && e.msg.length <= 1001), 'a long line is kept cut')
  assert.ok(s.events.some((e) => e.name.startsWith('oneapm.key') && !e.name.includes(KEY)))
  assert.ok(s.topErrors.some((e) => e.kind === 'TypeError E2'))
})
