// The host doing things to the standard streams: detected on the watch timer
// (never per record), one warning per cause, counted; no crash.

import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { runPiped, runScript } from '../helpers/child'
import { readLines, tmpDir } from '../helpers/tmp'

function run (body: string, logFile?: string): { lines: string[], stdout: string, stderr: string, status: number | null } {
  const file = logFile ?? path.join(tmpDir(), 'agent.log')
  const res = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)} }, { hooks: { watchMs: 30 } })
    ${body}
    setTimeout(() => { log.info('still here'); process.stdout.write(JSON.stringify(log.stats().interference)) }, 200)
  `)
  return { lines: logFile === 'stderr' ? [] : readLines(file), stdout: res.stdout, stderr: res.stderr, status: res.status }
}

test('replaced process.stderr.write and console methods: one warning per cause, counted', () => {
  const { lines, stdout } = run(`
    process.stderr.write = function swallow () { return true }
    console.log = () => {}
    console.error = () => {}
  `)
  const causes = lines.filter((l) => l.includes('event=host_interference')).map((l) => /cause=(\w+)/.exec(l)?.[1])
  assert.deepEqual(causes.sort(), ['console_replaced', 'stderr_write_replaced'])
  assert.match(lines.find((l) => l.includes('stderr_write_replaced')) ?? '', /the host replaced process\.stderr\.write \(with swallow\); the agent writes to fd 2 directly/)
  assert.deepEqual(JSON.parse(stdout), { stderr_write_replaced: 1, console_replaced: 1 })
  assert.ok(lines.some((l) => l.endsWith(' - still here')))
})

test('fd 2 closed by the host: detected and recorded in the agent log; no crash', () => {
  const { lines, status } = run("require('node:fs').closeSync(2)")
  assert.equal(status, 0)
  assert.match(lines.find((l) => l.includes('cause=fd2_closed')) ?? '', /fd 2 \(stderr\) was closed by the host/)
})

test('fd 1 redirected by the host (closed, then reused by another open): detected', () => {
  const { lines } = run(`
    const fs = require('node:fs')
    fs.closeSync(1)
    fs.openSync(${JSON.stringify(path.join(tmpDir(), 'stolen'))}, 'w')
  `)
  assert.ok(lines.some((l) => l.includes('cause=fd1_redirected')), lines.join('\n'))
})

test('with log_file = stderr, a replaced process.stderr.write does not swallow agent output', () => {
  const { stderr } = run('process.stderr.write = () => true', 'stderr')
  assert.match(stderr, /WARNING - the host replaced process\.stderr\.write/)
  assert.match(stderr, /INFO - still here/)
})

test('the reader of stdout went away (EPIPE): counted as interference, no crash', async () => {
  const res = await runPiped(`
    const log = lib.createLogger({ log_file: 'stdout' })
    let i = 0
    const t = setInterval(() => {
      for (let j = 0; j < 500; j++) log.info('line %d', i++)
      if (i >= 50000) { clearInterval(t); process.stderr.write(JSON.stringify(log.stats().interference)) }
    }, 1)
  `, 'head -1; sleep 0.2')
  assert.deepEqual(JSON.parse(res.stderr.trim().split('\n').pop() ?? '{}'), { stdout_gone: 1 })
})
