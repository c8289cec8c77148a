// Logs nobody should have to read: a 50 MB line, binary garbage, a cut gzip,
// a file truncated while read, a directory or FIFO given as a file. Each ends
// in bounded time and memory with a message, never a stack trace.

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { test } from 'node:test'
import { describeFile, planFiles } from '../../../src/cli/logs/files'
import { readLogs } from '../../../src/cli/logs/read'
import type { Summary } from '../../../src/cli/logs/model'
import { lineOf } from '../../helpers/format'
import { textFormat } from '../../../src/format/text'
import { tmpDir } from '../../helpers/tmp'

const MAIN = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js')

/** The CLI in a child process, with its peak RSS. */
function run (args: string[]): { status: number | null, out: string, err: string, maxRssMb: number } {
  const script = `const { main } = require(${JSON.stringify(MAIN)});
    let out = ''
    main(process.argv.slice(1), (s) => { out += s }, (s) => process.stderr.write(s)).then((status) => {
      process.stdout.write(JSON.stringify({ status, out, rss: process.resourceUsage().maxRSS }))
    })`
  const r = spawnSync(process.execPath, ['-e', script, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })
  if (r.stdout === '') return { status: r.status, out: '', err: r.stderr, maxRssMb: 0 }
  const o = JSON.parse(r.stdout) as { status: number, out: string, rss: number }
  return { status: o.status, out: o.out, err: r.stderr, maxRssMb: o.rss / 1024 }
}

const records = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => lineOf(textFormat, [{ i: from + i }, 'record %d', from + i], { time: Date.UTC(2026, 10, 21, 5, 0, i) })).join('')

test('a 50 MB single line: skipped without being held, the records around it read, memory bounded', () => {
  const file = path.join(tmpDir(), 'agent.log')
  const fd = fs.openSync(file, 'w')
  fs.writeSync(fd, records(3))
  const mb = Buffer.alloc(1024 * 1024, 'x')
  for (let i = 0; i < 50; i++) fs.writeSync(fd, mb)
  fs.writeSync(fd, '\n' + records(3, 3))
  fs.closeSync(fd)
  const r = run(['summary', '--json', file])
  assert.equal(r.status, 0, r.err)
  const s = JSON.parse(r.out) as Summary
  assert.equal(s.records, 6)
  assert.equal(s.files[0]?.otherLines, 1)
  assert.match(s.files[0]?.problem ?? '', /1 line longer than 2 MB skipped/)
  assert.ok(r.maxRssMb < 200, `peak RSS ${r.maxRssMb} MB`)
})

test('binary garbage: no records, every line counted as other, exit 0, no stack trace', () => {
  const file = path.join(tmpDir(), 'garbage.log')
  let seed = 7
  const bytes = Buffer.alloc(2 * 1024 * 1024)
  for (let i = 0; i < bytes.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; bytes[i] = seed >>> 24 }
  fs.writeFileSync(file, bytes)
  const r = run(['summary', '--json', file])
  assert.equal(r.status, 0, r.err)
  const s = JSON.parse(r.out) as Summary
  assert.equal(s.records, 0)
  assert.ok((s.files[0]?.otherLines ?? 0) > 1000)
  assert.doesNotMatch(r.err, /\n\s+at /)
  const t = run(['tail', file])
  assert.equal(t.status, 0)
  assert.equal(t.out, '')
})

test('a truncated gzip: the records before the cut, and a problem saying so', () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log.1.gz')
  const gz = zlib.gzipSync(records(2000))
  fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)))
  const r = run(['summary', '--json', file])
  assert.equal(r.status, 0, r.err)
  const s = JSON.parse(r.out) as Summary
  assert.ok(s.records > 100 && s.records < 2000, `${s.records} records`)
  assert.match(s.files[0]?.problem ?? '', /^truncated gzip: the file ends inside the compressed data/)
  const text = run(['summary', file])
  assert.match(text.out, /agent\.log\.1\.gz \(gzip\): [\d,]+ records(, 1 other line)?; truncated gzip/)
})

test('a file truncated while it is read (copytruncate): read up to there, a problem says so', async () => {
  const file = path.join(tmpDir(), 'agent.log')
  fs.writeFileSync(file, records(5000))
  const listed = describeFile(file)
  fs.truncateSync(file, 100_000)
  const res = await readLogs(planFiles([listed], -Infinity, Infinity), { since: -Infinity, until: Infinity }, () => true)
  assert.match(res.files[0]?.problem ?? '', /shrank while it was read/)
  assert.ok((res.files[0]?.records ?? 0) > 0)
})

test('a file that keeps growing while read: read up to its size when listed, so the command ends', () => {
  const file = path.join(tmpDir(), 'agent.log')
  fs.writeFileSync(file, records(1000))
  const writer = spawnSync(process.execPath, ['-e', `
    const fs = require('fs'); const { spawn } = require('child_process')
    const line = fs.readFileSync(${JSON.stringify(file)}, 'utf8').split('\\n')[0] + '\\n'
    const child = spawn(process.execPath, ['-e', process.argv[1]], { stdio: ['ignore', 'pipe', 'inherit'] })
    const t = setInterval(() => fs.appendFileSync(${JSON.stringify(file)}, line.repeat(100)), 1)
    child.stdout.on('data', (d) => process.stdout.write(d))
    child.on('exit', (code) => { clearInterval(t); process.exitCode = code })
  `, `require(${JSON.stringify(MAIN)}).main(['summary', '--json', ${JSON.stringify(file)}], (s) => process.stdout.write(String(JSON.parse(s).records)), () => {})`], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(writer.status, 0, writer.stderr)
  assert.ok(Number(writer.stdout) >= 1000)
})

test('a directory or a FIFO given as FILE: exit 1 with a message, never opened, no stack trace', () => {
  const dir = tmpDir()
  const d = run(['summary', dir])
  assert.equal(d.status, 1)
  assert.match(d.err, /is a directory, not a log file/)
  const fifo = path.join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  const f = run(['summary', fifo])
  assert.equal(f.status, 1)
  assert.match(f.err, /is a FIFO \(named pipe\): not read/)
  const t = run(['tail', fifo])
  assert.equal(t.status, 1)
  for (const r of [d, f, t]) assert.doesNotMatch(r.err, /\n\s+at /)
})
