// Workload 14 (bench/logread.ts) at ~20 MB: the log set is what it says, and
// summary, summary --since and zcat | grep -c all run and agree on counts.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import { generateLogSet, logReadTable, measureLogRead } from '../../bench/logread'
import { tmpDir } from '../helpers/tmp'

test('summary bench at 20 MB: 10 files, half gzipped; counts agree; --since leaves one file', async () => {
  const set = await generateLogSet(tmpDir('oneapm-bench-logread-'), 20 * 1024 * 1024)
  assert.equal(set.files.length, 10)
  assert.equal(set.files.filter((f) => f.endsWith('.gz')).length, 5)
  assert.ok(set.bytes >= 20 * 1024 * 1024)
  assert.equal(path.basename(set.files[9] as string), 'agent.log')
  assert.ok(fs.statSync(set.files[0] as string).size < set.bytes / 10 / 3, 'gzipped')
  const r = await measureLogRead(set, path.join(__dirname, '..', '..', 'src', 'cli', 'main.js'))
  assert.deepEqual(r.problems, [])
  assert.equal(r.records, set.records)
  assert.ok(r.sinceRecords > 0 && r.sinceRecords < set.records / 5)
  const { table, targets } = logReadTable(set, [r])
  assert.match(table, /summary` \(full scan\)/)
  assert.equal(targets.length, 2)
})
