// Attack: `tail -f` loses records when the log is rotated while tail is
// still reading the older files (startup over a few rotated files takes
// seconds). The current file was listed with its inode and size; when
// reading and following reach it, the path holds a new file: the reader
// reads the new one, and follow() sees another inode and starts the new
// file at 0. The old file's records, those present when tail started as
// well as those added before the rotation, are never printed.
// docs/support-tools.md: -f "follows the file through this logger's own
// rotation and logrotate `create` ... the old one is read to its end"; the
// brief: without losing or duplicating records.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { tmpDir } from '../helpers/tmp'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

const marker = (i: number): string =>
  `{"time":"${new Date().toISOString()}","level":"warning","name":"oneapm.x","pid":1,"thread":"main","msg":"marker ${i}"}\n`

test('tail -f: a rotation while tail reads the older files loses no record', async () => {
  const dir = tmpDir('atk-logs-race-')
  const base = Date.UTC(2026, 0, 1)
  const old: string[] = []
  // Rotated files that take tail a while to read (info records; --level warning prints none of them).
  for (let f = 0; f < 30; f++) {
    let s = ''
    for (let i = 0; i < 20_000; i++) s += `{"time":"${new Date(base + f * 3_600_000 + i * 100).toISOString()}","level":"info","name":"oneapm.collector","pid":4242,"thread":"main","msg":"harvest ${i} sent","n":${i}}\n`
    const p = path.join(dir, `agent.log.${30 - f}`)
    fs.writeFileSync(p, s)
    old.push(p)
  }
  const log = path.join(dir, 'agent.log')
  fs.writeFileSync(log, marker(0))
  const child = spawn(process.execPath, [MAIN, 'tail', '-f', '--level', 'warning', ...old, log])
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  try {
    // Once tail holds the current file and has a rotated one open, it has listed the files and is
    // reading the older ones (before it holds the current file, a rotation is one tail never saw).
    const fdDir = `/proc/${String(child.pid)}/fd`
    let ready = false
    for (let i = 0; i < 3000 && !ready; i++) {
      let targets: string[] = []
      try { targets = fs.readdirSync(fdDir).map((fd) => { try { return fs.readlinkSync(path.join(fdDir, fd)) } catch { return '' } }) } catch {}
      ready = targets.includes(log) && targets.some((t) => t.startsWith(path.join(dir, 'agent.log.')))
      if (!ready) await sleep(10)
    }
    assert.ok(ready, 'tail never held the current file while reading a rotated one')
    // The writer adds a record, rotates (rename, new file at the path), writes on.
    fs.appendFileSync(log, marker(1))
    fs.renameSync(log, path.join(dir, 'agent.log.0'))
    fs.writeFileSync(log, marker(2))
    for (let i = 0; i < 600 && !/marker 2/.test(out); i++) await sleep(50)
    await sleep(1000)
  } finally {
    child.kill()
  }
  const seen = out.match(/marker \d/g) ?? []
  assert.deepEqual(seen, ['marker 0', 'marker 1', 'marker 2'], `tail printed ${JSON.stringify(seen)}; stderr: ${err}`)
})
