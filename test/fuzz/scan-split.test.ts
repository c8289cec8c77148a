// summary's parallel scan over hostile bytes: a plain file of log lines mixed
// with binary garbage, multi-byte UTF-8, lone CRs, empty lines and a last
// line without its end, cut into byte ranges of random size (so cuts fall
// inside lines and inside UTF-8 sequences), read by workers, must give
// exactly the single-thread summary; and the ranges together read every
// line once.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describeFile, planFiles } from '../../src/cli/logs/files'
import { summarize, summarizeParallel } from '../../src/cli/logs/summarize'
import { tmpDir } from '../helpers/tmp'
import { property } from './harness'

const T0 = Date.UTC(2026, 10, 21, 8, 0, 0)
const stamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('.', ',').replace('Z', '+0000')

const piece = fc.oneof(
  fc.nat(1000).map((n) => `${stamp(T0 + n * 1000)} (${100 + (n % 3)}/main) oneapm.x ${['INFO', 'ERROR', 'WARNING'][n % 3] as string} - cycle ${n} é ✓ done`),
  fc.nat(1000).map((n) => `${stamp(T0 + n * 1000)} (7/main) oneapm.collector WARNING - x event=collector_error cause="HTTP 503" status=503 url="http://c/?method=m${n % 3}"`),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.constantFrom('', '\r', '\u00e9\u4e2d\ud83d\ude00')
)

const dir = tmpDir()

property('parallel summary of hostile bytes cut anywhere equals the single-thread one', { runs: 40, maxRuns: 300 },
  [fc.array(fc.tuple(piece, fc.constantFrom('\n', '\r\n', '')), { maxLength: 60 }), fc.integer({ min: 1, max: 200 })],
  async (parts, unitBytes) => {
    const file = path.join(fs.mkdtempSync(path.join(dir, 'f-')), 'agent.log')
    try {
      // Times rise through the file: one file, read in order.
      fs.writeFileSync(file, parts.map(([p, end]) => p + end).join(''))
      const planned = planFiles([describeFile(file)], -Infinity, Infinity)
      const range = { since: -Infinity, until: Infinity }
      const single = await summarize(planned, range, undefined, { threads: 1 })
      const par = await summarizeParallel(planned, range, undefined, { threads: 2, unitBytes })
      assert.ok(par !== undefined, "one file is always read in parallel")
      assert.equal(JSON.stringify(par), JSON.stringify(single))
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true })
    }
  })
