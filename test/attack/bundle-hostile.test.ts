// Hostile things next to the log and in the debug dir: symlinks, a FIFO, a
// 200 MB sparse log, binary garbage, huge lines. The bundle stays bounded
// (run in a child process with a timeout, so a hang fails the test), never
// follows a link, never blocks on a FIFO, and records what it left out.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { KEY, fixture, members } from '../helpers/bundle'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

function cli (args: string[], options: { uid?: number, gid?: number } = {}): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', MAIN, 'bundle', ...args], { encoding: 'utf8', timeout: 60_000, ...options })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('bundle: symlinks, a FIFO, a 200 MB sparse log, binary garbage and huge lines: bounded, nothing followed, errors in the manifest', () => {
  const f = fixture()
  const secretFile = path.join(f.dir, 'elsewhere.txt')
  fs.writeFileSync(secretFile, `password=${KEY}\n`)
  // The current log: 200 MB, sparse (NULs, no line break), with a tail line.
  const fd = fs.openSync(f.log, 'w')
  fs.writeSync(fd, 'first line (9/main)\n')
  fs.writeSync(fd, `\nlast line license ${KEY}\n`, 200 * 1024 * 1024)
  fs.closeSync(fd)
  // Rotated names that are symlinks to someone else's file.
  fs.symlinkSync(secretFile, path.join(f.logs, 'agent.log.2026-01-01.001'))
  fs.symlinkSync(secretFile, path.join(f.logs, 'oneapm-debug-77.log'))
  execFileSync('mkfifo', [path.join(f.logs, 'oneapm-debug-78.log')])
  // Binary garbage and a 5 MB line in session files.
  fs.writeFileSync(path.join(f.logs, 'oneapm-debug-79.log'), Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256)))
  fs.writeFileSync(path.join(f.logs, 'oneapm-debug-80.log'), 'x'.repeat(5 * 1024 * 1024) + ` token=${KEY}\nafter\n`)
  const r = cli(['--config', f.config, '--out', f.out, '--max-size', '1MB'])
  assert.equal(r.status, 0, r.stderr)
  const archive = (/^Wrote (.+\.tar\.gz) \(/m.exec(r.stdout) as RegExpExecArray)[1] as string
  assert.ok(fs.statSync(archive).size <= 1024 * 1024)
  const m = members(archive)
  assert.deepEqual([...m.keys()].filter((k) => k.startsWith('logs/') || k.startsWith('debug/')).sort(), ['debug/oneapm-debug-79.log', 'debug/oneapm-debug-80.log', 'logs/agent.log'])
  for (const text of m.values()) assert.ok(!text.toLowerCase().includes(KEY.toLowerCase()))
  const log = m.get('logs/agent.log') as string
  assert.ok(log.startsWith('first line'))
  assert.ok(log.endsWith('\nlast line license Ab12****\n'), 'the tail is kept, redacted')
  assert.ok(/bytes of this file left out here/.test(log), 'the marker')
  assert.ok(log.length < 1024 * 1024)
  const huge = m.get('debug/oneapm-debug-80.log') as string
  assert.ok(/^x{65536} \[oneapm-agent-log bundle: \d+ more bytes of this line left out\]\n/.test(huge), 'a huge line is cut to the cap and marked')
  assert.ok(huge.endsWith('\nafter\n'))
  const manifest = JSON.parse(m.get('manifest.json') as string)
  const why = manifest.errors.map((e: { path: string, message: string }) => `${path.basename(e.path)}: ${e.message}`).join('\n')
  assert.match(why, /agent\.log\.2026-01-01\.001|oneapm-debug-77\.log: left out: a symlink/)
  assert.match(why, /oneapm-debug-77\.log: left out: a symlink \(never followed\)/)
  assert.match(why, /oneapm-debug-78\.log: left out: a FIFO/)
  assert.deepEqual(manifest.pids_seen.includes(79) && manifest.pids_seen.includes(9), true)
})

test('bundle: a log it cannot read (EACCES) goes into manifest.json errors and the bundle still finishes', () => {
  const f = fixture()
  fs.writeFileSync(f.log, 'current\n')
  const rotated = path.join(f.logs, 'oneapm-debug-5.log')
  fs.writeFileSync(rotated, 'secret session\n')
  fs.chmodSync(rotated, 0)
  // Root reads anything: run as nobody, who owns the unreadable file.
  const asNobody = process.getuid?.() === 0
  if (asNobody) {
    for (const p of [f.dir, f.logs, f.out, f.log, f.config]) fs.chownSync(p, 65534, 65534)
    fs.chownSync(rotated, 65534, 65534)
    fs.chmodSync(path.dirname(f.dir), 0o755)
  }
  const r = cli(['--config', f.config, '--out', f.out], asNobody ? { uid: 65534, gid: 65534 } : {})
  assert.equal(r.status, 0, r.stderr)
  const archive = (/^Wrote (.+\.tar\.gz) \(/m.exec(r.stdout) as RegExpExecArray)[1] as string
  if (asNobody) fs.chownSync(archive, 0, 0)
  const m = members(archive)
  const manifest = JSON.parse(m.get('manifest.json') as string)
  assert.deepEqual(manifest.errors.map((e: { path: string, code: string }) => [path.basename(e.path), e.code]), [['oneapm-debug-5.log', 'EACCES']])
  assert.ok(m.has('logs/agent.log'))
  assert.ok(!m.has('debug/oneapm-debug-5.log'))
})
