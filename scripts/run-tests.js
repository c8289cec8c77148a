'use strict'
// Runs every compiled test file under build/test with Node's test runner.
// Node 20's runner takes file paths, not globs, so we list them here.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const dir = path.join(__dirname, '..', 'build', 'test')
const only = process.argv.slice(2)
const files = fs.readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => path.join(dir, f))

const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' })
process.exit(res.status ?? 1)
