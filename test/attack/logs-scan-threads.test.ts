// Attack on `summary --threads N`: the CLI accepts N up to 64, and a worker
// costs 50-100 MB of heap. On a small machine a careless `--threads 64` must
// not start 63 workers that only take turns on two cores.

import assert from 'node:assert/strict'
import os from 'node:os'
import { test } from 'node:test'
import type { PlannedFile } from '../../src/cli/logs/files'
import { scanThreads } from '../../src/cli/logs/scan-parallel'

const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
const files: PlannedFile[] = Array.from({ length: 1000 }, (_, i) => ({
  path: `/nowhere/agent.log.${i}.gz`, gzip: true, size: 100, mtimeMs: i, ino: i, problem: undefined, lower: i, skip: false
}))

test('--threads N starts no more threads than the cores, but two when asked for two or more', () => {
  for (const n of [64, 1e9, cores + 1, 17.9]) assert.ok(scanThreads(files, { threads: n }) <= Math.max(2, cores), `--threads ${n}`)
  assert.equal(scanThreads(files, { threads: 2 }), 2)
  assert.equal(scanThreads(files, { threads: 1 }), 1)
  assert.equal(scanThreads(files, { threads: 0 }), 1)
  assert.equal(scanThreads(files, { threads: Math.max(2, cores) }), Math.max(2, cores))
})
