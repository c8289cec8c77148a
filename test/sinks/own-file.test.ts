import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { createOwn, NOT_OURS, openOwn, readOwn, unlinkOwn } from '../../src/sinks/own-file'
import { tmpDir } from '../helpers/tmp'

const code = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (err) {
    return (err as NodeJS.ErrnoException).code
  }
}

test('openOwn refuses, without blocking or following, anything but our own regular file with one link', () => {
  const dir = tmpDir()
  const fifo = path.join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  const target = path.join(dir, 'target')
  fs.writeFileSync(target, 'theirs\n')
  fs.symlinkSync(target, path.join(dir, 'link'))
  fs.symlinkSync('/dev/zero', path.join(dir, 'zero'))
  fs.linkSync(target, path.join(dir, 'hard'))
  fs.mkdirSync(path.join(dir, 'sub'))
  for (const name of ['fifo', 'link', 'zero', 'hard', 'sub']) {
    assert.equal(code(() => openOwn(path.join(dir, name), fs.constants.O_RDWR | fs.constants.O_CREAT)), name === 'sub' ? 'EISDIR' : NOT_OURS, name)
  }
  assert.equal(fs.readFileSync(target, 'utf8'), 'theirs\n')
  const mine = path.join(dir, 'mine')
  fs.closeSync(openOwn(mine, fs.constants.O_RDWR | fs.constants.O_CREAT))
  assert.equal(fs.statSync(mine).mode & 0o777, 0o600)
})

test('readOwn reads at most what it is asked, whatever the file holds', () => {
  const file = path.join(tmpDir(), 'big')
  fs.writeFileSync(file, 'x'.repeat(100_000))
  assert.equal(readOwn(file, 4096).length, 4096)
  assert.equal(code(() => readOwn(path.join(path.dirname(file), 'none'), 10)), 'ENOENT')
})

test('createOwn never opens an existing name (a symlink included); unlinkOwn removes only our own regular file', () => {
  const dir = tmpDir()
  const target = path.join(dir, 'target')
  fs.writeFileSync(target, 'theirs\n')
  const link = path.join(dir, 'tmp')
  fs.symlinkSync(target, link)
  assert.equal(code(() => createOwn(link)), 'EEXIST')
  assert.equal(unlinkOwn(link), false)
  assert.ok(fs.lstatSync(link).isSymbolicLink())
  fs.linkSync(target, path.join(dir, 'hard'))
  assert.equal(unlinkOwn(target), false, 'a file with another name is kept by someone')
  fs.mkdirSync(path.join(dir, 'sub'))
  assert.equal(unlinkOwn(path.join(dir, 'sub')), false)
  const mine = path.join(dir, 'mine')
  fs.closeSync(createOwn(mine))
  assert.equal(unlinkOwn(mine), true)
  assert.equal(fs.readFileSync(target, 'utf8'), 'theirs\n')
})
