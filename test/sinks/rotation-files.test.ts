import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { diskBound, labelFor, listRotated, periodEnd, periodStart, rotatedName } from '../../src/sinks/rotation-files'
import { tmpDir } from '../helpers/tmp'

test('periods start and end on local calendar boundaries', () => {
  const t = new Date(2026, 10, 21, 13, 18, 5, 123).getTime()
  assert.equal(periodStart(t, 'hourly'), new Date(2026, 10, 21, 13).getTime())
  assert.equal(periodEnd(periodStart(t, 'hourly'), 'hourly'), new Date(2026, 10, 21, 14).getTime())
  assert.equal(periodStart(t, 'daily'), new Date(2026, 10, 21).getTime())
  assert.equal(periodEnd(periodStart(t, 'daily'), 'daily'), new Date(2026, 10, 22).getTime())
  assert.equal(periodStart(t, 'none'), 0)
  assert.equal(periodEnd(0, 'none'), Infinity)
  assert.equal(periodStart(1250, 500), 1000)
  assert.equal(periodEnd(1000, 500), 1500)
})

test('labels carry the period, fixed width, so names sort by age', () => {
  const t = new Date(2026, 10, 21, 9, 8, 7, 6).getTime()
  assert.equal(labelFor(t, 'daily'), '2026-11-21')
  assert.equal(labelFor(t, 'hourly'), '2026-11-21T09')
  assert.equal(labelFor(t, 'none'), '2026-11-21T09-08-07')
  assert.equal(labelFor(t, 250), '2026-11-21T09-08-07.006')
  assert.equal(rotatedName('/l/agent.log', '2026-11-21', 2), '/l/agent.log.2026-11-21.002')
})

test('listRotated finds rotated and gzipped files, oldest first, and nothing else', () => {
  const dir = tmpDir()
  const log = path.join(dir, 'agent.log')
  const names = ['agent.log.2026-11-20.001', 'agent.log.2026-11-21T13.002.gz', 'agent.log.2026-11-21T13-18-05.001']
  names.forEach((n, i) => {
    fs.writeFileSync(path.join(dir, n), 'x')
    fs.utimesSync(path.join(dir, n), 1000 + i, 1000 + i)
  })
  for (const other of ['agent.log', 'agent.log.rotate-v1.lock', 'agent.log.rotate-v1.state', 'agent.log.1', 'other.log.2026-11-20.001', 'agent.log.2026-11-20.001.compressing-12']) {
    fs.writeFileSync(path.join(dir, other), 'x')
  }
  const found = listRotated(log)
  assert.deepEqual(found.map((f) => path.basename(f.path)), names)
  assert.deepEqual(found.map((f) => f.compressed), [false, true, false])
})

test('the disk bound is size × (files + 1), or none', () => {
  assert.equal(diskBound(100 * 1024 * 1024, 5), 600 * 1024 * 1024)
  assert.equal(diskBound(0, 5), undefined)
  assert.equal(diskBound(1024, 0), undefined)
})
