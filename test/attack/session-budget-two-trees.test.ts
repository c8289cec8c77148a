// Promise: the session's byte budget is per process (README: `--max-size`,
// "the byte budget per process"; docs/support.md). createLogger() after the
// first one gives an independent tree (documented), and every tree runs its
// own SessionRuntime on the same control file: each joins the session with
// its own budget and appends to the same oneapm-debug-<pid>.log, so the
// process's session file grows to a multiple of max_size (and both trees
// overwrite the same state file).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { setup } from '../helpers/debug-session'

test('two logger trees in one process: the session file of that process stays within --max-size', (t) => {
  const s = setup()
  t.after(() => { fs.rmSync(s.dir, { recursive: true, force: true }) })
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js'), 'debug', 'start', '--config', s.config, '--max-size', '64KB', '--for', '30s'])
  const r = runScript(`
    const cfg = lib.loadConfig({ file: ${JSON.stringify(s.config)} })
    const a = lib.createLogger(cfg), b = lib.createLogger(cfg)
    const ca = a.child('collector'), cb = b.child('collector')
    let n = 0
    const t = setInterval(() => { for (let k = 0; k < 20; k++) { ca.debug('A %d %s', n, 'a'.repeat(100)); cb.debug('B %d %s', n, 'b'.repeat(100)); n++ } }, 10)
    setTimeout(() => { clearInterval(t); a.close(); b.close(); process.stdout.write(String(process.pid)) }, 1500)
  `, { timeout: 20_000 })
  assert.equal(r.status, 0, r.stderr)
  const file = path.join(s.dir, `oneapm-debug-${r.stdout}.log`)
  const size = fs.statSync(file).size
  assert.ok(size <= 64 * 1024, `${file} is ${size} bytes, over the 65536-byte per-process budget`)
})
