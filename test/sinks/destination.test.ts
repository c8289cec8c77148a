// log_file naming something other than a regular file, or somewhere no file
// can be: each scenario runs in a child process with a timeout, so a hang
// (the FIFO without a reader, mkdir under /proc) fails the test instead of
// the suite.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { runPiped, runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'
import { ensureDir } from '../../src/sinks/log-path'

interface Outcome { status: number | null, signal: string | null, stdout: string, stderr: string, stats: { destination: string, records: Record<string, number>, dropped: Record<string, number>, sinkErrors: Record<string, number> } | undefined }

/** Logs `n` records to `logFile` in a child, exits, and reports what happened (killed after 10 s). */
function logTo (logFile: string, settings: Record<string, unknown> = {}, n = 20): Outcome {
  const r = runScript(`
    const log = lib.createLogger(Object.assign({ log_file: ${JSON.stringify(logFile)} }, ${JSON.stringify(settings)}), { global: false })
    for (let i = 0; i < ${n}; i++) log.info('record %d %s', i, 'x'.repeat(200))
    log.flush()
    require('fs').writeSync(1, 'STATS ' + JSON.stringify(log.stats()) + '\\n')
  `, { timeout: 10_000 })
  const line = r.stdout.split('\n').find((l) => l.startsWith('STATS '))
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, stats: line === undefined ? undefined : JSON.parse(line.slice(6)) as Outcome['stats'] }
}

function finished (o: Outcome): void {
  assert.equal(o.signal, null, `killed by ${String(o.signal)} (hung): ${o.stderr.slice(-500)}`)
  assert.equal(o.status, 0, o.stderr.slice(-2000))
}

for (const file of ['/proc/self/foo/bar.log', '/proc/1/x/y.log', '/sys/oneapm-test/x.log', '/proc/self/oneapm.log']) {
  test(`log_file under a pseudo file system (${file}): no spin, stderr with the reason`, () => {
    const o = logTo(file)
    finished(o)
    assert.equal(o.stats?.destination, 'stderr')
    assert.match(o.stderr, /event=log_file_fallback/)
    assert.match(o.stderr, /pseudo file system|proc|sys/)
    // The records and the startup line, all on stderr.
    assert.equal(o.stats?.records.info, 21)
  })
}

test('ensureDir creates missing levels, refuses pseudo file systems and non-directories, in bounded time', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  ensureDir(path.join(dir, 'a', 'b', 'c'))
  assert.ok(fs.statSync(path.join(dir, 'a', 'b', 'c')).isDirectory())
  fs.writeFileSync(path.join(dir, 'f'), '')
  assert.throws(() => { ensureDir(path.join(dir, 'f', 'sub')) }, { code: 'ENOTDIR' })
  assert.throws(() => { ensureDir('/proc/self/oneapm/x') }, { code: 'EPSEUDOFS' })
  assert.throws(() => { ensureDir(path.join(dir, 'x'), () => ({ type: 0x9fa0 })) }, { code: 'EPSEUDOFS' })
})

test('a FIFO without a reader: the host is not blocked; stderr with the reason and the fix', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const fifo = path.join(dir, 'agent.log')
  execFileSync('mkfifo', [fifo])
  const o = logTo(fifo)
  finished(o)
  assert.equal(o.stats?.destination, 'stderr')
  assert.match(o.stderr, /event=log_file_fallback.*code=ENXIO/)
  assert.match(o.stderr, /no process is reading/)
  assert.ok(fs.statSync(fifo).isFIFO(), 'the FIFO is left alone')
})

test('a FIFO with a reader is written without blocking and never rotated', async (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const fifo = path.join(dir, 'agent.log')
  execFileSync('mkfifo', [fifo])
  const reader = spawn('cat', [fifo])
  let got = ''
  reader.stdout.on('data', (d: Buffer) => { got += d.toString() })
  const done = new Promise((resolve) => reader.on('close', resolve))
  // The reader must have the FIFO open before the writer opens it.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const o = await new Promise<Outcome>((resolve) => { setImmediate(() => { resolve(logTo(fifo, { log_max_size: '4KB', log_max_files: 2 }, 50)) }) })
  await done
  finished(o)
  assert.equal(o.stats?.destination, fifo)
  assert.equal((got.match(/ - record \d+ x+$/mg) ?? []).length, 50)
  assert.match(got, /event=log_file_not_rotated/)
  assert.deepEqual(fs.readdirSync(dir), ['agent.log'], 'no rotated, lock or state files next to a FIFO')
})

test('a character device is written, never rotated, never unlinked: /dev/null, /dev/full, and a device node in a temp dir', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const node = path.join(dir, 'null')
  // mknod needs root (as on CI); elsewhere the /dev/null and /dev/full cases below still run.
  let made = true
  try {
    execFileSync('mknod', [node, 'c', '1', '3'], { stdio: 'ignore' })
  } catch {
    made = false
  }
  if (made) {
    const o = logTo(node, { log_max_size: '4KB', log_max_files: 1 }, 50)
    finished(o)
    assert.equal(o.stats?.destination, node)
    assert.equal(o.stats?.records.info, 51)
    assert.deepEqual(fs.readdirSync(dir), ['null'])
    assert.ok(fs.statSync(node).isCharacterDevice())
  }

  const devNull = logTo('/dev/null')
  finished(devNull)
  assert.equal(devNull.stats?.destination, '/dev/null')
  assert.equal(devNull.stats?.records.info, 21)

  const full = logTo('/dev/full')
  finished(full)
  assert.equal(full.stats?.destination, '/dev/full')
  // A device that says ENOSPC: nothing counts as written (the records wait for a retry, then are dropped).
  assert.equal(full.stats?.records.info, 0)
  assert.ok((full.stats?.sinkErrors.ENOSPC ?? 0) >= 1, JSON.stringify(full.stats))
})

test('/dev/stdout as log_file: a pipe is written without rotation; a socket (Node\'s own stdio) falls back to stderr', async () => {
  const o = await runPiped(`
    const log = lib.createLogger({ log_file: '/dev/stdout', log_max_size: '4KB' }, { global: false })
    for (let i = 0; i < 30; i++) log.info('record %d %s', i, 'x'.repeat(200))
  `, 'cat')
  assert.equal(o.status, 0, o.stderr)
  assert.equal((o.stdout.match(/ - record \d+ x+$/mg) ?? []).length, 30)
  assert.match(o.stdout, /event=log_file_not_rotated/)
  const s = logTo('/dev/stdout')
  finished(s)
  assert.equal(s.stats?.destination, 'stderr')
  assert.match(s.stderr, /code=ESOCKET|code=ENXIO/)
})

test('a socket or a directory as log_file: stderr with the reason and the fix', async (t) => {
  const dir = tmpDir()
  const server = net.createServer()
  t.after(() => { server.close(); fs.rmSync(dir, { recursive: true, force: true }) })
  const sock = path.join(dir, 'agent.sock')
  await new Promise<void>((resolve) => server.listen(sock, resolve))
  const o = await new Promise<Outcome>((resolve) => { setImmediate(() => { resolve(logTo(sock)) }) })
  finished(o)
  assert.equal(o.stats?.destination, 'stderr')
  assert.match(o.stderr, /event=log_file_fallback/)
  assert.match(o.stderr, /names a socket/)
  assert.ok(fs.statSync(sock).isSocket())

  const d = logTo(dir)
  finished(d)
  assert.equal(d.stats?.destination, 'stderr')
  assert.match(d.stderr, /code=EISDIR/)
})

test('a symlink to a regular file: its target is written; rotation is refused with a warning; the symlink is never replaced', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const real = path.join(dir, 'real.log')
  const link = path.join(dir, 'agent.log')
  fs.writeFileSync(real, '')
  fs.symlinkSync(real, link)
  const o = logTo(link, { log_max_size: '4KB', log_max_files: 1 }, 50)
  finished(o)
  assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the operator\'s symlink is still there')
  assert.equal(fs.readlinkSync(link), real)
  const text = fs.readFileSync(real, 'utf8')
  assert.equal((text.match(/ - record \d+ x+$/mg) ?? []).length, 50)
  assert.match(text, /event=log_file_not_rotated/)
  assert.deepEqual(fs.readdirSync(dir).sort(), ['agent.log', 'real.log'])
})

test('a dangling symlink: the target is created and written; a symlink to a directory falls back to stderr; a symlink to a FIFO is a FIFO', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const link = path.join(dir, 'dangling.log')
  fs.symlinkSync(path.join(dir, 'target.log'), link)
  const o = logTo(link)
  finished(o)
  assert.ok(fs.lstatSync(link).isSymbolicLink())
  assert.equal((fs.readFileSync(path.join(dir, 'target.log'), 'utf8').match(/ - record \d+/g) ?? []).length, 20)

  const toDir = path.join(dir, 'todir.log')
  fs.mkdirSync(path.join(dir, 'sub'))
  fs.symlinkSync(path.join(dir, 'sub'), toDir)
  const d = logTo(toDir)
  finished(d)
  assert.equal(d.stats?.destination, 'stderr')
  assert.match(d.stderr, /code=EISDIR/)

  const fifo = path.join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  const toFifo = path.join(dir, 'tofifo.log')
  fs.symlinkSync(fifo, toFifo)
  const f = logTo(toFifo)
  finished(f)
  assert.equal(f.stats?.destination, 'stderr')
  assert.match(f.stderr, /code=ENXIO/)
})
