import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { readBounded, readStates, writeAtomic, writeState } from '../../../src/logger/session/files'
import { tmpDir } from '../../helpers/tmp'

test('readBounded refuses a symlink (to /dev/zero), a FIFO, a directory and a huge file, unread and without waiting', () => {
  const dir = tmpDir()
  const link = path.join(dir, 'link')
  fs.symlinkSync('/dev/zero', link)
  const fifo = path.join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  const sub = path.join(dir, 'sub')
  fs.mkdirSync(sub)
  const huge = path.join(dir, 'huge')
  fs.writeFileSync(huge, '')
  fs.truncateSync(huge, 100 * 1024 * 1024)
  for (const [file, why] of [[link, /symlink/], [fifo, /FIFO/], [sub, /directory/], [huge, /bytes/]] as const) {
    const r = readBounded(file)
    assert.ok('problem' in r, file)
    assert.match(r.problem, why)
  }
  assert.deepEqual(readBounded(path.join(dir, 'none')), { missing: true })
  fs.writeFileSync(path.join(dir, 'ok'), '{}')
  assert.deepEqual(readBounded(path.join(dir, 'ok')), { text: '{}' })
})

test('writeAtomic replaces only our own regular file: a symlink or a directory there is left alone', () => {
  const dir = tmpDir()
  const target = path.join(dir, 'victim')
  fs.writeFileSync(target, 'keep')
  const link = path.join(dir, 'state.json')
  fs.symlinkSync(target, link)
  assert.match(writeAtomic(link, 'x') ?? '', /not our own/)
  assert.equal(fs.readFileSync(target, 'utf8'), 'keep')
  assert.ok(fs.lstatSync(link).isSymbolicLink())
  const d = path.join(dir, 'd.json')
  fs.mkdirSync(d)
  assert.match(writeAtomic(d, 'x') ?? '', /not our own/)
  const own = path.join(dir, 'own.json')
  assert.equal(writeAtomic(own, 'one'), undefined)
  assert.equal(writeAtomic(own, 'two'), undefined)
  assert.equal(fs.readFileSync(own, 'utf8'), 'two')
  // No temporary file left behind.
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [])
})

test('state files are written and read back; damaged ones are skipped', () => {
  const dir = tmpDir()
  const state = { pid: 123, session: 'ds-1', since: 'a', records: 2, bytes: 3, dropped: 0, file: 'f', state: 'active' as const, updated: 'b' }
  assert.equal(writeState(dir, state), undefined)
  fs.writeFileSync(path.join(dir, 'oneapm-debug-9.state.json'), '{not json')
  assert.deepEqual(readStates(dir), [state])
})
