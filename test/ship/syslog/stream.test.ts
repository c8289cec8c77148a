// The stream transport against loopback servers we control: the resend after
// a reset, quick retries while down, connect and write timeouts, close(), and
// a host process that exits with a connection open.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import test from 'node:test'
import { createSyslogTransport } from '../../../src/ship/syslog/transport'
import { parseSyslogUrl } from '../../../src/ship/syslog/url'
import { closedPort } from '../../helpers/servers'
import { numbered, RESOURCE } from './records'

const FAST = { backoff: { minMs: 20, maxMs: 200 } }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function tcp (port: number, options = {}, proto = 'tcp') {
  const r = parseSyslogUrl(`syslog+${proto}://127.0.0.1:${port}`)
  assert.ok(r.ok)
  return createSyslogTransport(r.value, RESOURCE, { ...FAST, ...options })
}

interface Server { port: number, conns: net.Socket[], data: Buffer[], close (): Promise<void> }

async function server (options: { read: boolean }): Promise<Server> {
  const conns: net.Socket[] = []
  const data: Buffer[] = []
  const s = net.createServer({ pauseOnConnect: !options.read }, (c) => {
    conns.push(c)
    const i = conns.length - 1
    data[i] = Buffer.alloc(0)
    c.on('data', (d: Buffer) => { data[i] = Buffer.concat([data[i]!, d]) })
    c.on('error', () => {})
  })
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return {
    port: (s.address() as AddressInfo).port,
    conns,
    data,
    close: async () => {
      for (const c of conns) c.destroy()
      await new Promise<void>((resolve) => s.close(() => { resolve() }))
    }
  }
}

/** The `seq` of each octet-counted message in `buf`. */
function seqsIn (buf: Buffer): number[] {
  const out: number[] = []
  let i = 0
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i)
    const len = Number(buf.subarray(i, sp).toString())
    const msg = buf.subarray(sp + 1, sp + 1 + len).toString()
    out.push(Number(/"seq":(\d+)/.exec(msg)?.[1]))
    i = sp + 1 + len
  }
  return out
}

test('a batch written just before the receiver reset the connection unread is written again, first, on the next connection', async (t) => {
  const srv = await server({ read: false })
  t.after(() => srv.close())
  const tr = tcp(srv.port)
  t.after(() => { tr.close() })
  const [a, b] = [numbered('r', 5, 0), numbered('r', 5, 5)]
  const oa = await tr.send(a)
  assert.equal(oa.sent, 5, 'handed to the kernel: counts as sent')
  // The receiver dies with our batch unread in its socket buffer: RST.
  srv.conns[0]!.resetAndDestroy()
  await sleep(100)
  srv.conns[0]!.resume()
  const ob = await tr.send(b)
  assert.equal(ob.sent, 5)
  srv.conns[1]!.resume()
  await sleep(100)
  assert.deepEqual(seqsIn(srv.data[1]!), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  assert.deepEqual(tr.counters, { connects: 2, connectFailures: 0, resentBatches: 1, resentRecords: 5 })
})

test('a connection the peer ended while idle (past the resend window) is replaced before writing: nothing lost, nothing twice', async (t) => {
  const srv = await server({ read: true })
  t.after(() => srv.close())
  const tr = tcp(srv.port, { resendWindowMs: 50 })
  t.after(() => { tr.close() })
  assert.equal((await tr.send(numbered('r', 3, 0))).sent, 3)
  await sleep(100)
  srv.conns[0]!.end()
  await sleep(50)
  assert.equal((await tr.send(numbered('r', 3, 3))).sent, 3)
  await sleep(100)
  assert.deepEqual(seqsIn(srv.data[0]!), [0, 1, 2])
  assert.deepEqual(seqsIn(srv.data[1]!), [3, 4, 5])
  assert.equal(tr.counters.resentBatches, 0)
})

test('while the receiver is down, send answers retry at once and tells the queue when to come back', async (t) => {
  const port = await closedPort()
  const tr = tcp(port)
  t.after(() => { tr.close() })
  const first = await tr.send(numbered('r', 4))
  assert.deepEqual([first.sent, first.rejected, first.retry], [0, 0, 4])
  assert.match(first.reason ?? '', /ECONNREFUSED/)
  const second = await tr.send(numbered('r', 4))
  assert.equal(second.retry, 4)
  assert.match(second.reason ?? '', /reconnecting in \d+ ms after .*ECONNREFUSED/)
  assert.ok((second.retryAfterMs ?? 0) > 0)
  assert.equal(tr.counters.connectFailures, 1, 'no new attempt during the backoff')
})

test('a TLS handshake that never comes ends at the connect timeout, as retry', async (t) => {
  const srv = await server({ read: false }) // accepts, says nothing
  t.after(() => srv.close())
  const tr = tcp(srv.port, { connectTimeoutMs: 200 }, 'tls')
  t.after(() => { tr.close() })
  const o = await tr.send(numbered('r', 2))
  assert.equal(o.retry, 2)
  assert.match(o.reason ?? '', /connect timeout after 200 ms/)
})

test('a receiver that stops reading: the batch that does not drain is retried after the write timeout, never a hang', async (t) => {
  const srv = await server({ read: false })
  t.after(() => srv.close())
  const tr = tcp(srv.port, { writeTimeoutMs: 300 })
  t.after(() => { tr.close() })
  const big = numbered('r', 2000).map((r) => ({ ...r, msg: 'x'.repeat(4000) })) // ~8 MB: more than the kernel buffers hold
  const o = await tr.send(big)
  assert.deepEqual([o.sent, o.retry], [0, 2000])
  assert.match(o.reason ?? '', /not drained after 300 ms/)
})

test('close() during a send resolves it as retry; later sends answer retry; close is idempotent', async (t) => {
  const srv = await server({ read: false })
  t.after(() => srv.close())
  const tr = tcp(srv.port, { writeTimeoutMs: 60_000 })
  const big = numbered('r', 2000).map((r) => ({ ...r, msg: 'x'.repeat(4000) }))
  const pending = tr.send(big)
  await sleep(200)
  tr.close()
  tr.close()
  const o = await pending
  assert.equal(o.retry, 2000)
  assert.equal((await tr.send(numbered('r', 1))).retry, 1)
})

test('a host process with an open syslog connection exits by itself (sockets and timers unref\'d)', async (t) => {
  const srv = await server({ read: true })
  t.after(() => srv.close())
  const mod = path.join(__dirname, '..', '..', '..', 'src', 'ship', 'syslog')
  const script = `
const { createSyslogTransport } = require(${JSON.stringify(path.join(mod, 'transport.js'))})
const { parseSyslogUrl } = require(${JSON.stringify(path.join(mod, 'url.js'))})
const t = createSyslogTransport(parseSyslogUrl('syslog+tcp://127.0.0.1:${srv.port}').value, { hostName: 'h', pid: 1 })
const rec = { time: Date.now(), level: 30, logger: 'oneapm.x', pid: 1, thread: 'main', msg: 'bye', fields: {}, err: undefined, recorded: false, json: '' }
t.send([rec]).then((o) => { process.stdout.write(JSON.stringify(o)) })
`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('still running after 10 s') }, 10_000)
    child.on('exit', (c) => { clearTimeout(timer); resolve(c ?? -1) })
  })
  assert.equal(code, 0)
  assert.equal(JSON.parse(out).sent, 1)
})
