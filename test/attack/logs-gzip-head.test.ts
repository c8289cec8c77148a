// Attack: a gzipped log's first record time is never found for an ordinary
// log. firstRecordTime() inflates the first 64 KB of compressed data with
// maxOutputLength 512 KB; log text compresses 10-30x, so that throws
// ERR_BUFFER_TOO_LARGE, is swallowed, and the file gets no lower bound. Then
// (1) `--until` never skips a .gz file (it is inflated whole), against
// docs/support-tools.md: "`--until` skips a file whose first record ... is
// after it ... for `.gz`, only the first compressed chunk is inflated";
// (2) readLogs opens every file without a lower bound at once, so memory
// grows with the number of rotated .gz files (docs: "usually one is open at a
// time"; README: bounded memory): ~3.5 MB per file, 844 MB RSS for 200
// rotated .gz files of 165 KB where the same files plain take 144 MB.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { test } from 'node:test'
import { tmpDir } from '../helpers/tmp'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')
const BASE = Date.UTC(2030, 0, 1)

/** n rotated .gz files of ordinary JSON records, an hour apart, oldest first; returns the paths. */
function rotated (dir: string, n: number, lines = 20_000): string[] {
  const out: string[] = []
  for (let f = 0; f < n; f++) {
    let s = ''
    for (let i = 0; i < lines; i++) {
      s += `{"time":"${new Date(BASE + f * 3_600_000 + i * 100).toISOString()}","level":"info","name":"oneapm.collector","pid":4242,"thread":"main","msg":"harvest ${i} sent","n":${i}}\n`
    }
    const p = path.join(dir, `agent.log.${n - f}.gz`)
    fs.writeFileSync(p, zlib.gzipSync(s))
    const m = new Date(BASE + f * 3_600_000 + 2_100_000)
    fs.utimesSync(p, m, m)
    out.push(p)
  }
  return out
}

test('summary --until before a .gz file\'s first record skips it unopened', () => {
  const dir = tmpDir('atk-logs-gzuntil-')
  const [file] = rotated(dir, 1)
  assert.ok(fs.statSync(file as string).size > 64 * 1024, 'the .gz is larger than the 64 KB head')
  const r = spawnSync(process.execPath, [MAIN, 'summary', '--json', '--until', '2029-01-01T00:00:00Z', file as string], { encoding: 'utf8', timeout: 60_000 })
  assert.equal(r.status, 0, r.stderr)
  const s = JSON.parse(r.stdout) as { files: Array<{ skipped: boolean }> }
  assert.equal(s.files[0]?.skipped, true, 'the .gz file was read although all of it is after --until')
})

function peakRss (dir: string, files: string[], threads: string): number {
  const pre = path.join(dir, 'maxrss.js')
  fs.writeFileSync(pre, "process.on('exit', () => { process.stderr.write('\\nMAXRSS=' + process.resourceUsage().maxRSS + '\\n') })\n")
  const r = spawnSync(process.execPath, ['--require', pre, MAIN, 'summary', '--threads', threads, ...files], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'ignore', 'pipe'] })
  assert.equal(r.status, 0, r.stderr)
  const m = /MAXRSS=(\d+)/.exec(r.stderr)
  assert.ok(m !== null, r.stderr)
  return Number(m[1]) * 1024
}

test('summary over many rotated .gz files: memory does not grow with the number of files', () => {
  const dir = tmpDir('atk-logs-gzmem-')
  const all = rotated(dir, 64, 8000)
  // On one thread and on two: a worker's heap is a constant more, the same for 8 files as for 64.
  for (const threads of ['1', '2']) {
    const few = peakRss(dir, all.slice(0, 8), threads)
    const many = peakRss(dir, all, threads)
    // 56 more files: growth of one reader per file would be ~60 MB and more.
    assert.ok(many - few < 40 * 1024 * 1024, `--threads ${threads}: peak RSS ${(few / 1e6).toFixed(0)} MB for 8 files, ${(many / 1e6).toFixed(0)} MB for 64`)
  }
})
