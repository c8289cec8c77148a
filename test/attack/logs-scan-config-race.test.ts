// Attack on summary's worker threads and redaction: a worker loads the
// config again (to redact as the main thread does). When the config has moved
// away (or been rewritten) since the main thread read it, the worker's rules
// lack the license key, and its parts carried the key in clear into the
// summary (1,214 times in this set before the fix). Now such a worker refuses
// its units and the summary is read on one thread, masked.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { describeFile, planFiles } from '../../src/cli/logs/files'
import { outputRedactor } from '../../src/cli/logs/redact-output'
import { summarize, summarizeParallel } from '../../src/cli/logs/summarize'
import { summaryText } from '../../src/cli/logs/summary-text'
import { tmpDir } from '../helpers/tmp'

const KEY = 'Zq8mPlantedKey7431xyz'
const ALL = { since: -Infinity, until: Infinity }

test('a config moved away after the main thread read it: no worker part carries the license key, the summary equals the one-thread one', async () => {
  const dir = tmpDir()
  const cfg = path.join(dir, 'agent.config')
  fs.writeFileSync(cfg, `[oneapm]\nlicense_key = ${KEY}\nlog_file = ${path.join(dir, 'unused.log')}\n`)
  const paths: string[] = []
  for (let k = 0; k < 6; k++) {
    const p = path.join(dir, `agent.log.${6 - k}`)
    let s = ''
    for (let i = 0; i < 500; i++) s += `2026-11-21 1${k}:00:${String(i % 60).padStart(2, '0')},000+0000 (7/main) oneapm.collector ERROR - failed ${KEY} err.type=Error err.code=E_${KEY} event=collector_error cause="HTTP 500 ${KEY}" status=500\n`
    fs.writeFileSync(p, s)
    const t = new Date(`2026-11-21T1${k}:59:00Z`)
    fs.utimesSync(p, t, t)
    paths.push(p)
  }
  const planned = planFiles(paths.map(describeFile), -Infinity, Infinity)
  const redaction = outputRedactor(cfg)
  const single = await summarize(planned, ALL, redaction, { threads: 1 })
  assert.equal(single.records, 3000)
  assert.ok(!JSON.stringify(single).includes(KEY))
  fs.renameSync(cfg, cfg + '.old')
  const scan = { threads: 2, unitBytes: 1000, redact: { config: cfg, source: redaction.source } }
  // Workers refuse (their config is not the main thread's): no parallel summary.
  assert.equal(await summarizeParallel(planned, ALL, redaction, scan), undefined)
  const got = await summarize(planned, ALL, redaction, scan)
  assert.ok(!JSON.stringify(got).includes(KEY), 'the license key in clear in the summary')
  assert.equal(JSON.stringify(got), JSON.stringify(single))
  assert.equal(summaryText(got), summaryText(single))
  // With the config unchanged, workers take part and the result is the same.
  fs.renameSync(cfg + '.old', cfg)
  const par = await summarizeParallel(planned, ALL, redaction, scan)
  assert.ok(par !== undefined)
  assert.equal(JSON.stringify(par), JSON.stringify(single))
})
