// The bundle's cost is per LINE, not per byte: every line (even an empty
// one) goes through an async generator, the redactor, the head/tail keeper
// (three array slots) and its own writeSync. A gzip bomb of newlines is
// decompressed up to 2 × share + 64 MB whatever --max-size says, so a 32 KB
// .gz (32 MB of '\n') takes minutes even at --max-size 256KB; and a plain
// log of short lines holds tens of bytes of heap per byte of log.
// docs/support.md / issue 9: hostile gzip bounded in time and memory.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { test } from 'node:test'
import { fixture } from '../helpers/bundle'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

test('bundle: a 32 KB gzip bomb of newlines (32 MB of empty lines) at --max-size 256KB finishes like one of NULs (bounded, not minutes)', () => {
  const f = fixture()
  fs.writeFileSync(f.log, 'current\n')
  fs.writeFileSync(`${f.log}.2026-01-01.001.gz`, zlib.gzipSync(Buffer.alloc(32 * 1024 * 1024, 10), { level: 9 }))
  // The same bomb made of NULs (one endless line) takes about a second.
  const r = spawnSync(process.execPath, [MAIN, 'bundle', '--config', f.config, '--out', f.out, '--max-size', '256KB'], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(r.signal, null, 'killed by the 30 s hang guard: the bomb is not bounded in time')
  assert.equal(r.status, 0, r.stderr)
})

/** Peak RSS growth of a bundle of `log` (bytes) over one of a 6-byte log, in a fresh child. */
function growth (log: Buffer): number {
  const rss = (content: Buffer): number => {
    const f = fixture()
    fs.writeFileSync(f.log, content)
    const body = `require(${JSON.stringify(MAIN)}).main(['bundle', '--config', ${JSON.stringify(f.config)}, '--out', ${JSON.stringify(f.out)}], () => {}, (s) => process.stderr.write(s)).then((st) => { process.stdout.write(String(process.resourceUsage().maxRSS)); process.exitCode = st })`
    const r = spawnSync(process.execPath, ['-e', body], { encoding: 'utf8', timeout: 120_000 })
    assert.equal(r.status, 0, r.stderr)
    return Number(r.stdout) * 1024
  }
  return rss(log) - rss(Buffer.from('hello\n'))
}

test('bundle: 3 MB of empty lines costs no more memory than 3 MB of 100-byte lines (within 3x)', () => {
  const size = 3 * 1024 * 1024
  const lines = Buffer.concat(Array.from({ length: size / 128 }, () => Buffer.from('x'.repeat(127) + '\n')))
  const normal = growth(lines)
  const empty = growth(Buffer.alloc(size, 10))
  assert.ok(empty <= 3 * Math.max(normal, 8 * 1024 * 1024), `peak RSS growth: ${Math.round(empty / 1048576)} MB for 3 MB of empty lines vs ${Math.round(normal / 1048576)} MB for 3 MB of 128-byte lines`)
})
