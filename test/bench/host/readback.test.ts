// The host bench's record check must catch what it exists to catch.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import fc from 'fast-check'
import { matchIds, readBack, readbackProblems } from '../../../bench/host/readback'
import { tmpDir } from '../../helpers/tmp'

const line = (tag: string, n: number): string => `2026-01-01 00:00:00,000+0000 (1/main) oneapm.x DEBUG - request GET / hostrec#${tag}:${n}\n`

test('readback: a lost, a duplicated, an unknown and a joined record are each counted', () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  // a:0 twice, a:1 missing, a:2 and b:0 run together on one line, a:7 and c:0 never emitted.
  fs.writeFileSync(file, line('a', 0) + line('a', 0) + line('a', 2).trimEnd() + ' ' + line('b', 0) + line('a', 7) + line('c', 0) + 'startup line\n')
  const r = readBack(file, { a: 3, b: 1 }, false)
  assert.equal(r.emitted, 4)
  assert.equal(r.found, 3)
  assert.equal(r.lost, 1)
  assert.equal(r.duplicated, 1)
  assert.equal(r.unknown, 2)
  assert.equal(r.joined, 1)
  assert.equal(readbackProblems(r).length, 4)
})

test('readback: a missing log is a problem even when nothing was emitted', () => {
  const r = readBack(path.join(tmpDir(), 'agent.log'), {}, false)
  assert.deepEqual(readbackProblems(r), ['no log file'])
  assert.deepEqual(readbackProblems(r, false), [], 'the app without a logger writes no file')
})

test('readback: any shuffle of the emitted ids, one per line, is found whole; dropping one is one lost', () => {
  const dir = tmpDir()
  fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (n, seed, drop) => {
    const ids = Array.from({ length: n }, (_, i) => i).sort((x, y) => ((x * 7919 + seed) % 1009) - ((y * 7919 + seed) % 1009))
    if (drop) ids.pop()
    const file = path.join(dir, `log-${n}-${seed}`)
    fs.writeFileSync(file, ids.map((i) => line('w1', i)).join(''))
    const r = matchIds([file], { w1: n })
    fs.rmSync(file)
    assert.equal(r.found, drop ? n - 1 : n)
    assert.equal(r.lost, drop ? 1 : 0)
    assert.equal(r.duplicated + r.unknown + r.joined, 0)
  }), { numRuns: 50 })
})
