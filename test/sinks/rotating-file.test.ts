import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createLogger } from '../../src/index'
import { networkFs } from '../../src/sinks/network-fs'
import { RotatingFile, compressFile, DEFAULT_TIMING, type FileEvent } from '../../src/sinks/rotating-file'
import { readLines, tmpDir } from '../helpers/tmp'
import zlib from 'node:zlib'
import { execFileSync } from 'node:child_process'

test('disk full (ENOSPC, injected): no crash, records go to stderr meanwhile (said once, with the fix), and back to the file when it recovers', async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  let full = false
  const stderr: string[] = []
  const write = (fd: number, data: string | Buffer): number => {
    if (fd === 2) {
      stderr.push(data.toString())
      return typeof data === 'string' ? Buffer.byteLength(data) : data.length
    }
    if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    return typeof data === 'string' ? fs.writeSync(fd, data) : fs.writeSync(fd, data)
  }
  try {
    const log = createLogger({ log_file: file, log_buffer_max: '64KB' }, { global: false, hooks: { write, rotation: { checkMs: 50 } } })
    log.info('before')
    log.flush()
    full = true
    for (let i = 0; i < 2000; i++) log.info('while the disk is full %d %s', i, 'x'.repeat(100))
    log.flush()
    const during = log.stats()
    assert.ok((during.sinkErrors.ENOSPC ?? 0) >= 1)
    assert.equal(during.dropped.write_error + during.dropped.buffer_full, 0)
    const err = stderr.join('')
    assert.equal((err.match(/event=log_file_failed/g) ?? []).length, 1)
    assert.match(err, /cannot write log file .*agent\.log \(ENOSPC: .*\); logging to stderr until it works again.*Fix: the disk holding .* is full: free space/)
    full = false
    await sleep(80)
    log.info('after')
    log.flush()
    const lines = readLines(file)
    // The first batch that reaches the file again proves it works; the notice follows it.
    assert.ok(lines.pop()?.includes('event=log_file_restored'), lines.slice(-3).join('\n'))
    assert.ok(lines.pop()?.endsWith(' - after'))
    const inFile = lines.filter((l) => l.includes('while the disk is full')).length
    const onStderr = (stderr.join('').match(/while the disk is full/g) ?? []).length
    assert.equal(inFile + onStderr, 2000)
    const s = log.stats()
    const total = readLines(file).length + stderr.join('').split('\n').filter((l) => l !== '').length
    assert.equal(Object.values(s.records).reduce((a, b) => a + b, 0), total, 'every record counted as written is in the file or on stderr')
    log.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('network file systems are recognised from statfs; local ones and errors are not', () => {
  assert.equal(networkFs('/x', () => ({ type: 0x6969 })), 'NFS')
  assert.equal(networkFs('/x', () => ({ type: 0xff534d42 })), 'CIFS')
  assert.equal(networkFs('/x', () => ({ type: -0xacb2be })), 'CIFS')
  assert.equal(networkFs('/x', () => ({ type: 0xef53 })), undefined)
  assert.equal(networkFs('/x', () => { throw new Error('ENOSYS') }), undefined)
  assert.equal(networkFs(tmpDir()), undefined)
})

test('on a network file system each process writes its own <log_file>.<pid>, and says so', () => {
  const file = path.join(tmpDir(), 'agent.log')
  const log = createLogger({ log_file: file }, { global: false, hooks: { statfs: () => ({ type: 0x6969 }) } })
  log.flush()
  const own = `${file}.${process.pid}`
  assert.equal(log.stats().destination, own)
  assert.equal(fs.existsSync(file), false)
  const warning = readLines(own).find((l) => l.includes('event=log_file_network_fs'))
  assert.match(warning ?? '', new RegExp(`WARNING - ${file.replace(/[/.]/g, '\\$&')} is on a network file system \\(NFS\\), where appends from several processes are not atomic: this process writes its own file`))
})

test('a file renamed, replaced or truncated by someone else is followed and reported', () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const events: FileEvent[] = []
  const rf = new RotatingFile(file, { maxSize: 0, period: 'none', maxFiles: 0, compress: false }, { ...DEFAULT_TIMING, checkMs: 0 }, (e) => { events.push(e) })
  fs.writeSync(rf.fdFor(6), 'first\n')
  fs.renameSync(file, `${file}.1`)
  fs.writeSync(rf.fdFor(7), 'second\n')
  fs.writeFileSync(file + '.other', 'stranger\n')
  fs.renameSync(file + '.other', file)
  fs.unlinkSync(`${file}.1`)
  fs.writeSync(rf.fdFor(6), 'third\n')
  fs.writeSync(rf.fdFor(6), 'grows\n')
  fs.truncateSync(file, 0)
  fs.writeSync(rf.fdFor(6), 'fourth\n')
  rf.close()
  assert.deepEqual(events.map((e) => e.kind === 'followed' ? e.reason : e.kind), ['renamed', 'replaced', 'truncated'])
  assert.equal(fs.readFileSync(file, 'utf8'), 'fourth\n')
})

test('compressFile: one process wins the claim; the .gz holds the original bytes', async () => {
  const file = path.join(tmpDir(), 'agent.log.2026-11-21.001')
  const body = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'y'.repeat(i % 200)}`).join('\n') + '\n'
  fs.writeFileSync(file, body)
  const results = await Promise.all([compressFile(file), compressFile(file)])
  assert.deepEqual(results.map((r) => r !== undefined).sort(), [false, true])
  assert.ok(results.includes(`${file}.gz`))
  assert.equal(fs.existsSync(file), false)
  assert.equal(zlib.gunzipSync(fs.readFileSync(`${file}.gz`)).toString(), body)
})

test('a partial line left by a killed writer is closed before the next batch, so it spoils no other record', () => {
  const file = path.join(tmpDir(), 'agent.log')
  const events: FileEvent[] = []
  const rf = new RotatingFile(file, { maxSize: 0, period: 'none', maxFiles: 0, compress: false }, DEFAULT_TIMING, (e) => { events.push(e) })
  fs.appendFileSync(file, '{"p":1,"s":0}\n{"p":1,"s":1,"x":"tor')
  fs.writeSync(rf.fdFor(14), '{"p":2,"s":0}\n')
  fs.writeSync(rf.fdFor(14), '{"p":2,"s":1}\n')
  rf.close()
  assert.deepEqual(fs.readFileSync(file, 'utf8').split('\n'), ['{"p":1,"s":0}', '{"p":1,"s":1,"x":"tor', '{"p":2,"s":0}', '{"p":2,"s":1}', ''])
  assert.deepEqual(events.map((e) => e.kind), ['partial_line'])
})

test('a compression abandoned by a dead process is taken back and finished', async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const rotated = `${file}.2026-11-20.001`
  fs.writeFileSync(`${rotated}.compressing-999999`, 'old lines\n')
  fs.writeFileSync(`${rotated}.gz.tmp-999999`, 'half a gzip')
  const old = new Date(Date.now() - 5000)
  fs.utimesSync(`${rotated}.compressing-999999`, old, old)
  fs.utimesSync(`${rotated}.gz.tmp-999999`, old, old)
  await sleep(350)
  const rf = new RotatingFile(file, { maxSize: 0, period: 'none', maxFiles: 0, compress: true }, { ...DEFAULT_TIMING, graceMs: 300 }, () => {})
  for (let i = 0; i < 40 && !fs.existsSync(`${rotated}.gz`); i++) await sleep(25)
  rf.close()
  assert.equal(zlib.gunzipSync(fs.readFileSync(`${rotated}.gz`)).toString(), 'old lines\n')
  assert.deepEqual(fs.readdirSync(dir).sort(), ['agent.log', 'agent.log.2026-11-20.001.gz'])
})

test('retention and compression touch only our own rotated regular files: not symlinks, directories, hard-linked or other users\' files', async (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  const keep = path.join(dir, 'keep')
  fs.writeFileSync(keep, 'precious\n')
  const old = new Date(Date.now() - 3_600_000)
  const strangers = {
    symlink: `${file}.2020-01-01.001`,
    directory: `${file}.2020-01-02.001`,
    hardlinked: `${file}.2020-01-03.001`,
    otherUser: `${file}.2020-01-04.001`
  }
  fs.symlinkSync(keep, strangers.symlink)
  fs.mkdirSync(strangers.directory)
  fs.linkSync(keep, strangers.hardlinked)
  fs.writeFileSync(strangers.otherUser, 'not ours\n')
  if (process.getuid?.() === 0) fs.chownSync(strangers.otherUser, 65534, 65534)
  for (const p of Object.values(strangers)) fs.lutimesSync(p, old, old)
  // Ours: a rotated file this user owns, old enough to be compressed and then removed.
  for (const n of ['2020-02-01.001', '2020-02-02.001', '2020-02-03.001']) {
    fs.writeFileSync(`${file}.${n}`, `${n}\n`, { mode: 0o600 })
    fs.utimesSync(`${file}.${n}`, old, old)
  }
  const rf = new RotatingFile(file, { maxSize: 0, period: 'none', maxFiles: 1, compress: true }, { ...DEFAULT_TIMING, graceMs: 100 }, () => {})
  for (let i = 0; i < 80 && fs.readdirSync(dir).filter((n) => n.includes('2020-02')).length !== 1; i++) await sleep(25)
  rf.close()
  assert.ok(fs.lstatSync(strangers.symlink).isSymbolicLink())
  assert.ok(fs.statSync(strangers.directory).isDirectory())
  assert.equal(fs.readFileSync(strangers.hardlinked, 'utf8'), 'precious\n')
  assert.equal(fs.readFileSync(keep, 'utf8'), 'precious\n')
  if (process.getuid?.() === 0) assert.equal(fs.readFileSync(strangers.otherUser, 'utf8'), 'not ours\n')
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('2020-02')), ['agent.log.2020-02-03.001.gz'])
})

test('compression never replaces an earlier .gz of the same name (a restart freed the plain name)', async (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const rotated = path.join(dir, 'agent.log.2026-11-21.001')
  fs.writeFileSync(`${rotated}.gz`, zlib.gzipSync('the earlier run\n'))
  fs.writeFileSync(rotated, 'this run\n')
  const gz = await compressFile(rotated)
  assert.equal(gz, path.join(dir, 'agent.log.2026-11-21.002.gz'))
  assert.equal(zlib.gunzipSync(fs.readFileSync(`${rotated}.gz`)).toString(), 'the earlier run\n')
  assert.equal(zlib.gunzipSync(fs.readFileSync(gz)).toString(), 'this run\n')
})

test('compressFile: never writes through a name it did not create, never replaces a claim name, never claims a file that is not ours', async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log.2026-11-21.001')
  fs.writeFileSync(file, 'rotated\n')
  const precious = path.join(dir, 'precious')
  fs.writeFileSync(precious, 'theirs\n')
  // A symlink planted at the temporary .gz name: the compression fails rather than write through it.
  fs.symlinkSync(precious, `${file}.gz.tmp-${process.pid}`)
  await assert.rejects(compressFile(file), { code: 'EEXIST' })
  assert.equal(fs.readFileSync(precious, 'utf8'), 'theirs\n')
  assert.equal(fs.readFileSync(file, 'utf8'), 'rotated\n', 'the rotated file is put back')
  assert.ok(fs.lstatSync(`${file}.gz.tmp-${process.pid}`).isSymbolicLink(), 'the planted symlink is left alone')
  fs.unlinkSync(`${file}.gz.tmp-${process.pid}`)
  // A file already at the claim name is never replaced: the claim fails.
  fs.writeFileSync(`${file}.compressing-${process.pid}`, 'earlier claim\n')
  assert.equal(await compressFile(file), undefined)
  assert.equal(fs.readFileSync(`${file}.compressing-${process.pid}`, 'utf8'), 'earlier claim\n')
  assert.equal(fs.readFileSync(file, 'utf8'), 'rotated\n')
  fs.unlinkSync(`${file}.compressing-${process.pid}`)
  // A rotated name that is a FIFO or a hard link to someone's file is not claimed.
  const fifo = path.join(dir, 'agent.log.2026-11-21.002')
  execFileSync('mkfifo', [fifo])
  const hard = path.join(dir, 'agent.log.2026-11-21.003')
  fs.linkSync(precious, hard)
  assert.equal(await compressFile(fifo), undefined)
  assert.equal(await compressFile(hard), undefined)
  assert.ok(fs.lstatSync(fifo).isFIFO())
  assert.equal(fs.readFileSync(hard, 'utf8'), 'theirs\n')
  assert.equal(await compressFile(file), `${file}.gz`)
  assert.equal(zlib.gunzipSync(fs.readFileSync(`${file}.gz`)).toString(), 'rotated\n')
})
