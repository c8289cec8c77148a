// The host benchmark's machinery at tiny settings: the app under load, its
// logger closed, every record it says it emitted found on disk once.
import assert from 'node:assert/strict'
import path from 'node:path'
import test from 'node:test'
import { measure, type MeasureSettings } from '../../../bench/host/measure'
import { CALLS_PER_REQUEST } from '../../../bench/host/instrument'
import { readbackProblems } from '../../../bench/host/readback'
import { specOf } from '../../../bench/host/variants'
import { tmpDir } from '../../helpers/tmp'

const BENCH = path.join(__dirname, '..', '..', '..', 'bench', 'host')
const settings: MeasureSettings = {
  connections: 4,
  seconds: 1,
  warmupSeconds: 0,
  rotateSize: 64 * 1024,
  workers: 2,
  fixedRate: 400,
  fixedSeconds: 1,
  appJs: path.join(BENCH, 'app.js'),
  clusterJs: path.join(BENCH, 'cluster.js')
}

test('host bench: the app without a logger answers the load and emits no records', async () => {
  const r = await measure('none', 1, tmpDir(), settings)
  assert.ok(r.load.requests > 0)
  assert.equal(r.readback.emitted, 0)
  assert.deepEqual(r.problems, [])
  assert.ok(r.window.requests > 0 && r.window.cpuUs > 0)
  assert.ok(r.fixedCpuUsPerRequest > 0 && Number.isFinite(r.fixedCpuUsPerRequest), 'the fixed-rate CPU window ran')
})

test('host bench: the debug variant keeps the default config, whose 100MB rotation a long run reaches, so its rotated files are read back', () => {
  const spec = specOf('oneapm-debug', 64 * 1024)
  assert.equal(spec.settings.log_max_size, undefined, 'the default rotation')
  assert.equal(spec.rotates, true)
  assert.equal(spec.settings.log_max_files, '0', 'every rotated file kept for the count')
  assert.equal(spec.maxSize, 0, 'no 64KB size check on a file that rotates at 100MB')
})

test('host bench: at debug, every record emitted is on disk once, 5 per request', async () => {
  const r = await measure('oneapm-debug', 1, tmpDir(), settings)
  assert.deepEqual(r.problems, [])
  assert.equal(r.readback.emitted, r.closed.requests * CALLS_PER_REQUEST)
  assert.ok(r.readback.emitted > 0)
  assert.equal(r.readback.found, r.readback.emitted)
  assert.equal(r.readback.lost, 0)
  assert.equal(r.readback.duplicated, 0)
})

test('host bench: the cluster shares one rotating file and every record is there once', async () => {
  const r = await measure('cluster', 1, tmpDir(), settings)
  // The records only: under load a worker can take the other's write in progress for a torn line
  // and start a new line (an empty line and a notice, listed among the problems, not a lost record).
  assert.deepEqual(readbackProblems(r.readback), [])
  assert.deepEqual(Object.keys(r.closed.emitted).sort(), ['w1', 'w2'])
  assert.ok(r.readback.rotated > 0, 'the log rotated at 64KB')
  assert.equal(r.readback.found, r.closed.requests * CALLS_PER_REQUEST)
})
