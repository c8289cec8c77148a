// The exit spool: written whole or not at all, read back once by one
// process, and never anything but our own regular files.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { SPOOL_MAX, isSpoolName, parseSpool, readSpools, writeSpool, type SpoolSection } from '../../src/ship/spool'
import { tmpDir } from '../helpers/tmp'

const lineOf = (i: number): string => JSON.stringify({ time: '2026-12-01T00:00:00.000Z', level: 'info', name: 'oneapm', pid: 1, thread: 'main', msg: `m${i}` })

function dir (t: { after: (fn: () => void) => void }): string {
  const d = tmpDir()
  t.after(() => { fs.rmSync(d, { recursive: true, force: true }) })
  return d
}

test('written at exit, read back by the next process: every section and line, then the file is gone', (t) => {
  const d = dir(t)
  const a = Array.from({ length: 100 }, (_, i) => lineOf(i))
  const b = [lineOf(1000)]
  const w = writeSpool(d, [{ destination: 'syslog+tcp://relay:601', lines: a }, { destination: 'otlp+http://c:4318/v1/logs', lines: b }, { destination: 'empty', lines: [] }], 4242)
  assert.ok('file' in w && w.lines === 101, JSON.stringify(w))
  assert.deepEqual(fs.readdirSync(d), ['oneapm-unsent-4242.jsonl'], 'no temp file left')
  assert.equal(fs.statSync(path.join(d, 'oneapm-unsent-4242.jsonl')).mode & 0o777, 0o600)
  const r = readSpools(d, 5151)
  assert.deepEqual(r.sections, [{ destination: 'syslog+tcp://relay:601', lines: a }, { destination: 'otlp+http://c:4318/v1/logs', lines: b }])
  assert.equal(r.skipped, 0)
  assert.deepEqual(fs.readdirSync(d), [])
  assert.deepEqual(readSpools(d, 5151).sections, [], 'read once')
})

test('a second spool of the same pid never overwrites the first', (t) => {
  const d = dir(t)
  writeSpool(d, [{ destination: 'x', lines: [lineOf(1)] }], 7)
  writeSpool(d, [{ destination: 'x', lines: [lineOf(2)] }], 7)
  assert.equal(fs.readdirSync(d).filter(isSpoolName).length, 2)
  assert.equal(readSpools(d, 8).sections.flatMap((s) => s.lines).length, 2)
})

test('two processes reading at once: each spool goes to exactly one of them', (t) => {
  const d = dir(t)
  for (let pid = 1; pid <= 20; pid++) writeSpool(d, [{ destination: 'x', lines: [lineOf(pid)] }], pid)
  const script = `const { readSpools } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'ship', 'spool.js'))}); process.stdout.write(JSON.stringify(readSpools(${JSON.stringify(d)}).sections.flatMap((s) => s.lines)))`
  const outs = [0, 1, 2].map(() => execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))
  const all = outs.flatMap((o) => JSON.parse(o) as string[])
  assert.equal(all.length, 20)
  assert.equal(new Set(all).size, 20)
})

test('foreign files under a spool name are left alone and reported: a symlink, a FIFO, a directory', (t) => {
  const d = dir(t)
  const outside = path.join(d, 'outside.txt')
  fs.writeFileSync(outside, lineOf(1) + '\n')
  fs.symlinkSync(outside, path.join(d, 'oneapm-unsent-1.jsonl'))
  execFileSync('mkfifo', [path.join(d, 'oneapm-unsent-2.jsonl')])
  fs.mkdirSync(path.join(d, 'oneapm-unsent-3.jsonl'))
  const r = readSpools(d, 9)
  assert.deepEqual(r.sections, [])
  assert.deepEqual(r.ignored.map((x) => path.basename(x.file)).sort(), ['oneapm-unsent-1.jsonl', 'oneapm-unsent-2.jsonl', 'oneapm-unsent-3.jsonl'])
  assert.ok(fs.existsSync(outside) && fs.lstatSync(path.join(d, 'oneapm-unsent-1.jsonl')).isSymbolicLink(), 'nothing renamed or removed')
  assert.ok(fs.lstatSync(path.join(d, 'oneapm-unsent-2.jsonl')).isFIFO())
})

test('hostile content: lines that are not JSON objects, a count that lies, lines before any header: skipped and counted, never thrown', () => {
  const sections: SpoolSection[] = []
  const skipped = parseSpool([
    'garbage before a header',
    '{"oneapm_unsent":1,"destination":"x","count":2}',
    lineOf(1), 'not json', lineOf(2), lineOf(3),
    '{"oneapm_unsent":1,"destination":"y","count":-5}',
    '{"oneapm_unsent":1,"destination":"z","count":1}',
    lineOf(4)
  ].join('\n'), sections)
  assert.deepEqual(sections.map((s) => [s.destination, s.lines.length]), [['x', 2], ['z', 1]])
  assert.equal(skipped, 4)
})

test('fuzz: parseSpool never throws and keeps only lines it was told about', () => {
  fc.assert(fc.property(fc.string({ maxLength: 2000 }), fc.array(fc.oneof(fc.string(), fc.constant('{"oneapm_unsent":1,"destination":"d","count":3}'), fc.constant(lineOf(1))), { maxLength: 50 }), (noise, parts) => {
    const sections: SpoolSection[] = []
    const text = noise + '\n' + parts.join('\n')
    parseSpool(text, sections)
    for (const s of sections) assert.ok(s.lines.every((l) => l.startsWith('{') && !l.includes('\n')))
  }), { numRuns: 300 })
})

test('bounded: a spool over SPOOL_MAX is read up to SPOOL_MAX (whole lines) and the rest is counted, not loaded', (t) => {
  const d = dir(t)
  const big = lineOf(0) + 'x'.repeat(1000)
  const n = Math.ceil(SPOOL_MAX / big.length) + 500
  fs.writeFileSync(path.join(d, 'oneapm-unsent-77.jsonl'), `{"oneapm_unsent":1,"destination":"x","count":${n}}\n` + (big + '\n').repeat(n))
  const r = readSpools(d, 1)
  const lines = r.sections.flatMap((s) => s.lines)
  assert.ok(lines.length < n && lines.length > 0)
  assert.ok(r.dropped.bytes >= 1 && r.dropped.records === n - lines.length, JSON.stringify(r.dropped))
  assert.ok(lines.reduce((a, l) => a + l.length, 0) <= SPOOL_MAX)
})

test('isSpoolName: only our names', () => {
  assert.ok(isSpoolName('oneapm-unsent-123.jsonl'))
  assert.ok(isSpoolName('oneapm-unsent-123-1764550000000.jsonl'))
  for (const n of ['oneapm-unsent-.jsonl', 'oneapm-unsent-12a.jsonl', 'oneapm-unsent-1-2-3.jsonl', '.oneapm-unsent-1.jsonl.tmp', 'oneapm-unsent-1.jsonl.claimed-5', 'x-oneapm-unsent-1.jsonl']) assert.ok(!isSpoolName(n), n)
})

test('a spool claimed by a process that died before reading it (.claimed-<pid>) is read by the next one; a live claimer\'s and foreign files are left alone', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  // A pid that is surely gone: a child that has exited.
  const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }))
  const w = writeSpool(dir, [{ destination: 'syslog+tcp://relay:601', lines: ['{"msg":"left behind"}'] }], 777)
  assert.ok('file' in w)
  fs.renameSync(w.file, `${w.file}.claimed-${dead}`)
  const live = writeSpool(dir, [{ destination: 'syslog+tcp://relay:601', lines: ['{"msg":"being read"}'] }], 778)
  assert.ok('file' in live)
  fs.renameSync(live.file, `${live.file}.claimed-${process.pid}`)
  fs.symlinkSync('/etc/hostname', path.join(dir, `oneapm-unsent-779.jsonl.claimed-${dead}`))
  const r = readSpools(dir, 1)
  assert.deepEqual(r.sections.flatMap((s) => s.lines), ['{"msg":"left behind"}'])
  const left = fs.readdirSync(dir).sort()
  assert.deepEqual(left, [`oneapm-unsent-778.jsonl.claimed-${process.pid}`, `oneapm-unsent-779.jsonl.claimed-${dead}`])
})
