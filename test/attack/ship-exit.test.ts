// Attack: receivers that never let a send finish must not keep the host
// alive, and what they did not take must be spooled: a TCP receiver that
// accepts and never reads (full socket buffers), an HTTP receiver that reads
// the request and never answers (slowloris), and a close() while those sends
// are in flight.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { readSpools } from '../../src/ship/spool'
import { cleanEnv } from '../helpers/child'
import { LIB, tmpDir } from '../helpers/tmp'

function run (body: string, ms: number): Promise<{ status: number | null, signal: string | null, stderr: string, elapsed: number }> {
  return new Promise((resolve) => {
    const start = Date.now()
    const child = spawn(process.execPath, ['-e', `const lib = require(${JSON.stringify(LIB)});\n${body}`], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => child.kill('SIGKILL'), ms)
    child.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, stderr, elapsed: Date.now() - start }) })
  })
}

test('receivers that never read or never answer: the host exits on its own, and what they did not take is spooled', async (t) => {
  const sockets: net.Socket[] = []
  const tcp = net.createServer((s) => { s.pause(); sockets.push(s) })
  const slow = http.createServer((req) => { req.resume() })
  // Reads nothing of the request, not even its body.
  const deaf = http.createServer((req) => { req.socket.pause() })
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
  await new Promise<void>((resolve) => deaf.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    for (const s of sockets) s.destroy()
    slow.closeAllConnections()
    deaf.closeAllConnections()
    await new Promise((resolve) => deaf.close(resolve))
    await new Promise((resolve) => tcp.close(resolve))
    await new Promise((resolve) => slow.close(resolve))
  })
  const dir = tmpDir()
  const ship = `syslog+tcp://127.0.0.1:${(tcp.address() as AddressInfo).port},otlp+http://127.0.0.1:${(slow.address() as AddressInfo).port},otlp+http://127.0.0.1:${(deaf.address() as AddressInfo).port}`
  for (const ending of ['', 'setTimeout(() => { log.close() }, 1500)']) {
    const r = await run(`
      const log = lib.createLogger({ log_file: ${JSON.stringify(path.join(dir, 'agent.log'))}, log_ship: ${JSON.stringify(ship)}, log_ship_queue: '4MB' })
      // Incompressible: the gzip'd batch stays bigger than the socket buffers.
      const big = require('crypto').randomBytes(3000).toString('hex')
      for (let i = 0; i < 3000; i++) log.info({ i, big }, 'record %d', i)
      setTimeout(() => { log.info('still here') }, 1200)
      ${ending}
    `, 30_000)
    assert.equal(r.signal, null, `the host was kept alive (killed after ${r.elapsed} ms)`)
    assert.equal(r.status, 0, r.stderr)
    assert.ok(r.elapsed < 8000, `the host exited ${r.elapsed} ms after it started (its own work: 1.5 s)\n${r.stderr}`)
    const spooled = readSpools(dir, 1)
    const byDest = new Map<string, number>()
    for (const s of spooled.sections) byDest.set(s.destination, (byDest.get(s.destination) ?? 0) + s.lines.length)
    // The syslog receiver's kernel buffers may take every batch (sent, for syslog); the OTLP ones answered nothing.
    assert.equal([...byDest.keys()].filter((d) => d.startsWith('otlp')).length, 2, JSON.stringify([...byDest]))
    for (const n of byDest.values()) assert.ok(n > 0)
  }
})

test('a host exit listener registered before the library loaded, which logs and calls process.exit(): nothing is lost, in the file or the spool', async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const r = spawnSync(process.execPath, ['-e', `
    process.on('exit', () => { log.warning('in an earlier exit listener'); process.exit(3) })
    const lib = require(${JSON.stringify(LIB)})
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_ship: 'syslog+tcp://127.0.0.1:9' })
    log.info('before exit')
  `], { env: cleanEnv(), encoding: 'utf8', timeout: 20_000 })
  assert.equal(r.status, 3, r.stderr)
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  assert.match(text, /before exit/)
  assert.match(text, /in an earlier exit listener/)
  const msgs = readSpools(dir, 1).sections.flatMap((s) => s.lines).map((l) => JSON.parse(l).msg as string)
  assert.ok(msgs.includes('before exit') && msgs.includes('in an earlier exit listener'), msgs.join('\n'))
})
