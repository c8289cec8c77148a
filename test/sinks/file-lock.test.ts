import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { tryLock, unlock } from '../../src/sinks/file-lock'
import { tmpDir } from '../helpers/tmp'

test('one holder at a time; released by unlock', () => {
  const lock = path.join(tmpDir(), 'x.lock')
  const first = tryLock(lock, 10_000)
  assert.equal(first.acquired, true)
  assert.match(fs.readFileSync(lock, 'utf8'), new RegExp(`"id":"${first.id ?? 'none'}"`))
  assert.deepEqual(tryLock(lock, 10_000), { acquired: false })
  unlock(lock, first.id)
  assert.equal(tryLock(lock, 10_000).acquired, true)
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

test('an old name at the lock path that is not a lock of ours is never broken: directory, symlink, foreign content, hard link', () => {
  const dir = tmpDir()
  const old = new Date(Date.now() - 120_000)
  const other = path.join(dir, 'other')
  fs.writeFileSync(other, '{"pid":1}')
  const cases: Array<[string, (p: string) => void]> = [
    ['dir.lock', (p) => { fs.mkdirSync(p) }],
    ['link.lock', (p) => { fs.symlinkSync(other, p) }],
    ['text.lock', (p) => { fs.writeFileSync(p, 'operator notes\n') }],
    ['hard.lock', (p) => { fs.linkSync(other, p) }]
  ]
  for (const [name, make] of cases) {
    const lock = path.join(dir, name)
    make(lock)
    fs.lutimesSync(lock, old, old)
    const r = tryLock(lock, 60_000)
    assert.equal(r.acquired, false, name)
    assert.equal(r.foreign?.code, 'ENOTOURS', name)
    unlock(lock, 'nope')
    assert.ok(fs.existsSync(lock) || fs.lstatSync(lock).isSymbolicLink(), `${name} was removed`)
  }
  assert.deepEqual(fs.readdirSync(dir).sort(), ['dir.lock', 'hard.lock', 'link.lock', 'other', 'text.lock'])
  assert.equal(fs.readFileSync(other, 'utf8'), '{"pid":1}')
})

test('an empty stale lock (its holder died between create and write) is ours and is broken', () => {
  const lock = path.join(tmpDir(), 'x.lock')
  fs.writeFileSync(lock, '', { mode: 0o600 })
  const old = new Date(Date.now() - 120_000)
  fs.utimesSync(lock, old, old)
  assert.equal(tryLock(lock, 60_000).acquired, true)
})

test('unlock removes only the lock it took: not one another process took after breaking ours, nor anything else', () => {
  const lock = path.join(tmpDir(), 'x.lock')
  const ours = tryLock(lock, 10_000)
  fs.unlinkSync(lock)
  const theirs = tryLock(lock, 10_000)
  assert.notEqual(theirs.id, ours.id)
  unlock(lock, ours.id)
  assert.ok(fs.existsSync(lock), 'the newer holder\'s lock was removed')
  unlock(lock, theirs.id)
  assert.equal(fs.existsSync(lock), false)
})
