// What a process killed at the wrong moment leaves of a spool, and files
// that only look like ours:
// - a claim (`.claimed-<pid>`) made by an earlier process with the pid this
//   one has now (containers restart the agent as the same pid, on the same
//   volume) and killed before it removed the claim: read, not left forever;
// - a temp spool (`.oneapm-unsent-<pid>-<hex>.jsonl.tmp`) whose writer was
//   killed (SIGKILL mid write-back at start, or mid exit spool): its records
//   are read by the next start, not left on disk forever unread;
// - a spool name that is a hard link to a file of ours elsewhere: never
//   claimed, read or removed (rule 8).
import assert from 'node:assert/strict'
import { spawnSync, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { readSpools, writeSpool } from '../../src/ship/spool'
import { cleanEnv } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const SPOOL = path.join(__dirname, '..', '..', 'src', 'ship', 'spool.js')
const lineOf = (i: number): string => JSON.stringify({ time: '2026-12-01T00:00:00.000Z', level: 'info', name: 'oneapm', pid: 1, thread: 'main', msg: `m${i}` })

/** readSpools in a new process (started after the files were made) that takes `pid` as its own. */
function readInNewProcess (dir: string, pid: number): { lines: string[], files: number, ignored: Array<{ reason: string }> } {
  const body = `const { readSpools } = require(${JSON.stringify(SPOOL)}); const r = readSpools(${JSON.stringify(dir)}, ${pid});
process.stdout.write(JSON.stringify({ lines: r.sections.flatMap((s) => s.lines), files: r.files.length, ignored: r.ignored }))`
  const r = spawnSync(process.execPath, ['-e', body], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout) as { lines: string[], files: number, ignored: Array<{ reason: string }> }
}

test('a claim left by an earlier process with the same pid (killed before removing it) is read by the next start, once', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const w = writeSpool(dir, [{ destination: 'syslog+tcp://relay:601', lines: [lineOf(1), lineOf(2)] }], 7)
  assert.ok('file' in w)
  // pid 7 claimed it and was killed (OOM) mid-read; the container restarts the agent as pid 7 again.
  fs.renameSync(w.file, `${w.file}.claimed-7`)
  const r = readInNewProcess(dir, 7)
  assert.deepEqual(r.lines, [lineOf(1), lineOf(2)])
  assert.deepEqual(fs.readdirSync(dir), [])
  // A claim this process makes itself (a second logger in the same process, a worker thread) is not taken from it.
  const again = writeSpool(dir, [{ destination: 'syslog+tcp://relay:601', lines: [lineOf(3)] }], 8)
  assert.ok('file' in again)
  fs.renameSync(again.file, `${again.file}.claimed-${process.pid}`)
  assert.deepEqual(readSpools(dir, process.pid).sections, [])
})

test('a temp spool left by a writer killed mid-write is read by the next start (its whole lines), then gone; one already published is not read twice', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }))
  // Killed mid write: a header promising 3 lines, 2 whole lines and half of the third.
  const header = JSON.stringify({ oneapm_unsent: 1, destination: 'syslog+tcp://relay:601', count: 3 })
  fs.writeFileSync(path.join(dir, `.oneapm-unsent-${dead}-0a1b2c3d4e5f.jsonl.tmp`), `${header}\n${lineOf(1)}\n${lineOf(2)}\n${lineOf(3).slice(0, 20)}`, { mode: 0o600 })
  // Killed between publishing (the link) and removing the temp name: the same file under two names.
  const w = writeSpool(dir, [{ destination: 'syslog+tcp://relay:601', lines: [lineOf(4)] }], dead)
  assert.ok('file' in w)
  fs.linkSync(w.file, path.join(dir, `.oneapm-unsent-${dead}-ffffffffffff.jsonl.tmp`))
  const r = readInNewProcess(dir, 4242)
  assert.deepEqual(r.lines.filter((l) => l.endsWith('}')).sort(), [lineOf(1), lineOf(2), lineOf(4)].sort())
  assert.deepEqual(r.ignored, [])
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing left behind')
  // A live writer's temp file is its own: left alone.
  const live = path.join(dir, `.oneapm-unsent-${process.pid}-000000000000.jsonl.tmp`)
  fs.writeFileSync(live, `${header}\n`)
  readInNewProcess(dir, 4242)
  assert.ok(fs.existsSync(live))
})

test('a spool name that is a hard link to another file of ours is left alone: not claimed, read or removed', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const target = path.join(dir, 'app-secrets.jsonl')
  fs.writeFileSync(target, `${JSON.stringify({ oneapm_unsent: 1, destination: 'syslog+tcp://relay:601', count: 1 })}\n{"db_password":"s3cr3t"}\n`)
  fs.linkSync(target, path.join(dir, 'oneapm-unsent-99.jsonl'))
  const r = readSpools(dir, 4242)
  assert.deepEqual(r.sections, [])
  assert.deepEqual(r.ignored.map((x) => x.reason), ['a hard link to another file'])
  assert.deepEqual(fs.readdirSync(dir).sort(), ['app-secrets.jsonl', 'oneapm-unsent-99.jsonl'])
})
