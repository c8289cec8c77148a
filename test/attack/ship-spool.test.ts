// Attack: the exit spool against what a shared or hostile log directory holds,
// and records logged after our exit listener ran.
// - writeSpool checked the final name with existsSync (which follows a
//   symlink), then renamed over it: a dangling symlink (or anything that
//   appears between the check and the rename) at oneapm-unsent-<pid>.jsonl was
//   replaced, and a second spool in the same millisecond replaced the first.
// - A record logged in a host exit listener registered after ours reached the
//   log file but was neither shipped nor spooled (rule 4).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { readSpools, writeSpool } from '../../src/ship/spool'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const section = (lines: string[]): Array<{ destination: string, lines: string[] }> => [{ destination: 'syslog+tcp://relay:601', lines }]

test('writeSpool never replaces what already holds its name: a dangling symlink stays, the spool goes to a name of its own', () => {
  const dir = tmpDir()
  const name = path.join(dir, 'oneapm-unsent-4242.jsonl')
  fs.symlinkSync(path.join(dir, 'nowhere'), name)
  const r = writeSpool(dir, section(['{"msg":"a"}']), 4242)
  assert.ok('file' in r, JSON.stringify(r))
  assert.ok(fs.lstatSync(name).isSymbolicLink(), 'the symlink was replaced')
  assert.notEqual(r.file, name)
  assert.equal(fs.readFileSync(r.file, 'utf8').split('\n').filter(Boolean).length, 2)
})

test('writeSpool: several spools of one pid in one millisecond each keep their records', () => {
  const dir = tmpDir()
  const files = new Set<string>()
  for (let i = 0; i < 5; i++) {
    const r = writeSpool(dir, section([`{"msg":"${i}"}`]), 4243)
    assert.ok('file' in r, JSON.stringify(r))
    files.add(r.file)
  }
  assert.equal(files.size, 5)
  const read = readSpools(dir, 1)
  assert.deepEqual(read.sections.flatMap((s) => s.lines).sort(), [0, 1, 2, 3, 4].map((i) => `{"msg":"${i}"}`))
})

test('writeSpool never deletes a file at its temp name that is not its own', () => {
  const dir = tmpDir()
  const foreign = path.join(dir, '.oneapm-unsent-4244.jsonl.tmp')
  fs.mkdirSync(foreign)
  const r = writeSpool(dir, section(['{"msg":"a"}']), 4244)
  assert.ok('file' in r, JSON.stringify(r))
  assert.ok(fs.statSync(foreign).isDirectory())
})

test('records logged in a host exit listener registered after ours are spooled for shipping too', () => {
  const dir = tmpDir()
  const r = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(path.join(dir, 'agent.log'))}, log_ship: 'syslog+tcp://127.0.0.1:9' })
    log.info('before exit')
    process.on('exit', () => { log.warning('late one'); log.error('late two') })
  `)
  assert.equal(r.status, 0, r.stderr)
  const read = readSpools(dir, 1)
  const msgs = read.sections.flatMap((s) => s.lines).map((l) => JSON.parse(l).msg as string)
  assert.ok(msgs.includes('before exit'), msgs.join('\n'))
  assert.ok(msgs.includes('late one') && msgs.includes('late two'), msgs.join('\n'))
  assert.equal(msgs.filter((m) => m === 'before exit').length, 1)
})

test('readSpools never deletes what it did not read: past its budget, spool files stay for the next start', () => {
  const dir = tmpDir()
  const line = JSON.stringify({ msg: 'x'.repeat(1000) })
  const lines = Array.from({ length: 7000 }, () => line)
  for (const pid of [101, 102, 103]) {
    const r = writeSpool(dir, section(lines), pid)
    assert.ok('file' in r && r.lines === 7000, JSON.stringify(r))
  }
  const first = readSpools(dir, 1)
  const read = first.sections.reduce((n, s) => n + s.lines.length, 0)
  const left = fs.readdirSync(dir).filter((n) => n.startsWith('oneapm-unsent-'))
  assert.equal(read + left.length * 7000, 21000, `read ${read}, files left: ${left.join(', ')}`)
  assert.ok(left.length >= 1)
  const second = readSpools(dir, 1)
  assert.equal(second.sections.reduce((n, s) => n + s.lines.length, 0) + read, 21000 - (left.length - second.files.length) * 7000)
})
