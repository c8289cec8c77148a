// Promise: one record = one line. With log_file = stderr, a debug session
// writes its output to stderr through a second FdWriter on fd 2, beside the
// main destination's writer. When the reader of stderr is slow (a PaaS log
// pipe), fd 2 (non-blocking once the host touched process.stderr) takes
// partial writes: one writer keeps the unwritten tail of a line for its retry
// timer while the other writes its own batch in between, so a main-log line
// is cut by session lines (and the reverse). Without a session, the same load
// never splits a line.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { cleanEnv } from '../helpers/child'
import { LIB, tmpDir } from '../helpers/tmp'

const HEAD = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}[+-]\d{4} \(\d+\/main\) oneapm/

function program (config: string, session: boolean): string {
  return `
    const lib = require(${JSON.stringify(LIB)})
    process.stderr // as any host that ever wrote to stderr: libuv makes fd 2 non-blocking
    const log = lib.createLogger(lib.loadConfig({ file: ${JSON.stringify(config)} }))
    const c = log.child('collector')
    const big = 'x'.repeat(3000)
    const h = ${session ? "lib.startDebugSession({ only: 'collector', for: '60s', maxSize: '64MB' })" : '{ stop () {} }'}
    let n = 0
    const t = setInterval(() => {
      for (let k = 0; k < 50; k++) { c.info('MAIN %d %s', n, big); c.debug('SESS %d %s', n, big); n++ }
      if (n >= 3000) { clearInterval(t); setTimeout(() => { h.stop(); log.close() }, 300) }
    }, 5)`
}

/** Runs the program with a slow stderr reader (pauses 3 ms after each chunk); the lines it wrote that are not one whole record. */
async function brokenLines (session: boolean): Promise<{ bad: string[], lines: number }> {
  const dir = tmpDir()
  try {
    const config = path.join(dir, 'agent.config')
    fs.writeFileSync(config, `[oneapm]\nlog_file = stderr\nlog_debug_dir = ${dir}\n`)
    const child = spawn(process.execPath, ['-e', program(config, session)], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] })
    const chunks: Buffer[] = []
    child.stderr.on('data', (d: Buffer) => {
      chunks.push(d)
      child.stderr.pause()
      setTimeout(() => child.stderr.resume(), 3)
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    await new Promise((resolve) => child.on('close', resolve))
    clearTimeout(killer)
    const lines = Buffer.concat(chunks).toString().split('\n').filter((l) => l !== '')
    const bad = lines.filter((l) => !HEAD.test(l) || (l.match(/ (MAIN|SESS) \d+ x/g) ?? []).length > 1)
    return { bad, lines: lines.length }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

test('log_file = stderr with a debug session and a slow stderr reader: every line is one whole record', async () => {
  const base = await brokenLines(false)
  assert.equal(base.bad.length, 0, 'control: without a session no line is split')
  let worst: string[] = []
  // Timing-dependent interleaving: a few tries; one split line is enough.
  for (let i = 0; i < 3 && worst.length === 0; i++) worst = (await brokenLines(true)).bad
  assert.equal(worst.length, 0, `lines that are not one record (cut by the other writer on fd 2):\n${worst.slice(0, 3).map((l) => `${l.slice(0, 120)} ... ${l.slice(-120)}`).join('\n')}`)
})
