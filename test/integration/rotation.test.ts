// Many processes, one log_file, hundreds of rotations: nothing lost,
// duplicated or torn, order kept, files within the documented bound.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { lockPath } from '../../src/sinks/rotation-files'
import { spawnSync } from 'node:child_process'
import { cleanEnv } from '../helpers/child'
import { assertClean, assertExact, assertPrefix, audit, exited, logFiles, startWriter, underWay, writerProgram } from '../helpers/rotation'
import { readLines, tmpDir } from '../helpers/tmp'

const MAX_SIZE = 200 * 1024
/** The documented bound: log_max_size plus one batch (64 KiB + a record) per other writer. */
const bound = (writers: number): number => MAX_SIZE + (writers - 1) * (64 + 16) * 1024

const FAST = { checkMs: 50, graceMs: 60_000, staleLockMs: 2000 }

for (const [writers, records, periodMs] of [[2, 12_000, 0], [8, 4000, 300], [16, 2500, 250]] as const) {
  test(`${writers} processes × ${records} records, size${periodMs > 0 ? ` + ${periodMs} ms period` : ''} rotation: exactly once`, async () => {
    const file = path.join(tmpDir(), 'agent.log')
    const rotation = periodMs > 0 ? { ...FAST, periodMs } : FAST
    const children = Array.from({ length: writers }, (_, id) => startWriter({
      file, id, records, settings: { log_max_size: MAX_SIZE, log_max_files: 0 }, rotation, pauseMs: periodMs > 0 ? 2 : 0
    }))
    const codes = await Promise.all(children.map(exited))
    assert.deepEqual(codes, children.map(() => 0))
    const a = audit(file)
    assertExact(a, writers, records)
    const rotations = a.events.get('log_rotated') ?? 0
    assert.ok(rotations >= 80, `only ${rotations} rotations`)
    assert.equal(a.files, rotations + 1)
    assert.ok(a.largestFile <= bound(writers), `largest file ${a.largestFile} > ${bound(writers)}`)
    assert.equal(fs.existsSync(lockPath(file)), false, 'lock left behind')
  })
}

test('writers killed with SIGKILL mid-run, and a stale lock at start: survivors exact, victims a gap-free prefix, no deadlock', async () => {
  const file = path.join(tmpDir(), 'agent.log')
  // A lock left by a process that died while rotating, a minute ago.
  fs.writeFileSync(lockPath(file), '{"pid":999999}')
  const old = new Date(Date.now() - 60_000)
  fs.utimesSync(lockPath(file), old, old)
  const writers = 8
  const records = 2500
  const children = Array.from({ length: writers }, (_, id) => startWriter({
    file, id, records, settings: { log_max_size: MAX_SIZE, log_max_files: 0 }, rotation: FAST, pauseMs: 2
  }))
  const victims = [1, 4, 6]
  await Promise.all(victims.map(async (v, i) => {
    const child = children[v]
    if (child === undefined) return
    await underWay(child)
    await sleep(20 + 40 * i)
    child.kill('SIGKILL')
  }))
  const codes = await Promise.all(children.map(exited))
  victims.forEach((v) => { assert.equal(codes[v], null, `writer ${v} finished before it was killed`) })
  const a = audit(file)
  // A victim killed inside a multi-page write(2) may leave its last record
  // torn: alone on its line (the next writer starts a new one), at most one each.
  assert.ok(a.unparsable <= victims.length, `${a.unparsable} unparsable lines`)
  assertClean({ ...a, unparsable: 0 })
  for (let p = 0; p < writers; p++) {
    if (victims.includes(p)) assertPrefix(a, p, 1, records - 1)
    else assertPrefix(a, p, records, records)
  }
  assert.ok((a.events.get('rotation_lock_recovered') ?? 0) >= 1, 'the stale lock was not reported as recovered')
  assert.equal(fs.existsSync(lockPath(file)), false)
})

test('cluster workers share one rotated log: exactly once', () => {
  const file = path.join(tmpDir(), 'agent.log')
  const workers = 4
  const records = 1500
  // cluster.fork() re-runs the main script, so the program must be a file, not -e.
  const script = path.join(path.dirname(file), 'cluster-app.js')
  fs.writeFileSync(script, `
    const cluster = require('node:cluster')
    if (cluster.isPrimary) {
      let left = ${workers}
      for (let i = 0; i < ${workers}; i++) cluster.fork({ WRITER_ID: String(i) }).on('exit', (code) => {
        if (code !== 0) process.exitCode = 1
        if (--left === 0) process.stdout.write('all workers done\\n')
      })
    } else {
      ${writerProgram({ file, id: -1, records, settings: { log_max_size: MAX_SIZE, log_max_files: 0 }, rotation: FAST }).replace(/p: -1/, 'p: Number(process.env.WRITER_ID)')}
    }
  `)
  const res = spawnSync(process.execPath, [script], { encoding: 'utf8', env: cleanEnv(), timeout: 120_000 })
  assert.equal(res.status, 0, res.stderr)
  assert.match(res.stdout, /all workers done/)
  const a = audit(file)
  assertExact(a, workers, records)
  assert.ok((a.events.get('log_rotated') ?? 0) >= 10)
})

test('the current file deleted by hand is recreated and logging continues', async () => {
  const file = path.join(tmpDir(), 'agent.log')
  const child = startWriter({ file, id: 0, records: 400, settings: { log_max_size: 0 }, rotation: FAST, batch: 10, pauseMs: 10 })
  await underWay(child)
  fs.unlinkSync(file)
  assert.equal(await exited(child), 0)
  const lines = readLines(file).map((l) => JSON.parse(l) as { s?: number, event?: string, reason?: string })
  const changed = lines.find((r) => r.event === 'log_file_changed')
  assert.equal(changed?.reason, 'deleted')
  const seqs = lines.filter((r) => r.s !== undefined).map((r) => r.s as number)
  assert.equal(seqs[seqs.length - 1], 399)
  assert.ok(seqs.length > 50 && seqs.length < 400, `${seqs.length} records after the delete`)
})

test('retention keeps exactly log_max_files rotated files once writers are idle', async () => {
  const file = path.join(tmpDir(), 'agent.log')
  const children = Array.from({ length: 3 }, (_, id) => startWriter({
    file, id, records: 2000, settings: { log_max_size: 64 * 1024, log_max_files: 3 }, rotation: { ...FAST, graceMs: 300 }, lingerMs: 1500
  }))
  await Promise.all(children.map(exited))
  const rotated = logFiles(file).filter((f) => f !== file)
  assert.equal(rotated.length, 3, rotated.join('\n'))
})

// The grace period is what keeps a writer that has not followed yet from writing into a file being
// compressed; 1 s leaves room for a writer starved of CPU on a loaded 2-core machine (production: 60 s).
test('compressed rotated files decompress to the original lines: exactly once across .gz files', async () => {
  const file = path.join(tmpDir(), 'agent.log')
  const children = Array.from({ length: 4 }, (_, id) => startWriter({
    file, id, records: 1500, settings: { log_max_size: MAX_SIZE, log_max_files: 0, log_compress: true }, rotation: { ...FAST, graceMs: 1000 }, lingerMs: 3000
  }))
  await Promise.all(children.map(exited))
  const files = logFiles(file)
  const plain = files.filter((f) => f !== file && !f.endsWith('.gz'))
  assert.deepEqual(plain, [], 'rotated files left uncompressed')
  assert.ok(files.filter((f) => f.endsWith('.gz')).length >= 5)
  assertExact(audit(file), 4, 1500)
})
