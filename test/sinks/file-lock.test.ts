import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { tryLock, unlock } from '../../src/sinks/file-lock'
import { tmpDir } from '../helpers/tmp'

test('one holder at a time; released by unlock', () => {
  const lock = path.join(tmpDir(), 'x.lock')
  assert.deepEqual(tryLock(lock, 10_000), { acquired: true })
  assert.deepEqual(tryLock(lock, 10_000), { acquired: false })
  unlock(lock)
  assert.deepEqual(tryLock(lock, 10_000), { acquired: true })
  assert.match(fs.readFileSync(lock, 'utf8'), new RegExp(`"pid":${process.pid}`))
})

test('a stale lock (its holder died) is broken; a fresh one is not', () => {
  const lock = path.join(tmpDir(), 'x.lock')
  fs.writeFileSync(lock, '{"pid":999999}')
  assert.equal(tryLock(lock, 60_000).acquired, false)
  const old = new Date(Date.now() - 120_000)
  fs.utimesSync(lock, old, old)
  const r = tryLock(lock, 60_000)
  assert.equal(r.acquired, true)
  assert.ok((r.brokeStaleMs ?? 0) >= 119_000)
  assert.deepEqual(fs.readdirSync(path.dirname(lock)), ['x.lock'])
})
