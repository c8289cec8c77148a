'use strict'
// Runs every compiled test file under build/test with Node's test runner.
// Node 20's runner takes file paths, not globs, so we list them here.
//
// The tests get a private TMPDIR. Whatever is still in it when they finish
// is a test that does not clean up after itself: it is listed, removed, and
// the run fails.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const dir = path.join(__dirname, '..', 'build', 'test')
const only = process.argv.slice(2)
const files = fs.readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => path.join(dir, f))

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oneapm-run-tests-'))
let status
try {
  const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], {
    stdio: 'inherit',
    env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp }
  })
  status = res.status ?? 1
  const left = fs.readdirSync(tmp, { recursive: true }).map(String).sort()
  if (left.length > 0) {
    const top = [...new Set(left.map((f) => f.split(path.sep)[0]))]
    process.stderr.write(`\nrun-tests: the tests left ${left.length} entries in their temp directory (a test does not clean up):\n` +
      left.slice(0, 50).map((f) => `  ${f}\n`).join('') + (left.length > 50 ? `  … ${left.length - 50} more\n` : '') +
      `(top level: ${top.join(', ')})\n`)
    status = status === 0 ? 1 : status
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}
process.exit(status)
