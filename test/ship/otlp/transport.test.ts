import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import zlib from 'node:zlib'
import { resolveOtlpEndpoint, type OtlpEndpoint } from '../../../src/ship/otlp/endpoint'
import { createOtlpTransport, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../../src/ship/otlp/transport'
import type { SendOutcome, ShippedRecord, ShipTransport } from '../../../src/ship/transport'
import { httpServer, httpsServer, makeCerts, type Running } from '../../helpers/servers'
import { decodeWithoutLoss } from './proto'
import { RESOURCE, numbered, record } from './records'

const SECRET = 'Bearer sk-live-9f8e7d6c5b4a3210'

interface Received {
  readonly headers: http.IncomingHttpHeaders
  readonly messages: string[]
  readonly json: string
}

interface Reply { status: number, headers?: Record<string, string>, body?: string | ((r: Received) => string), hang?: boolean }

/** A loopback OTLP receiver answering with `replies` in turn (the last one repeats); it keeps what it got. */
async function receiver (replies: Reply[]): Promise<Running & { got: Received[], accepted: () => string[] }> {
  const got: Received[] = []
  const acceptedMessages: string[] = []
  let n = 0
  const server = await httpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const json = (req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString('utf8')
      const decoded = decodeWithoutLoss(json) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ body: { stringValue: string } }> }> }> }
      const messages = decoded.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((s) => s.logRecords.map((l) => l.body.stringValue)))
      const received = { headers: req.headers, messages, json }
      got.push(received)
      const reply = replies[Math.min(n++, replies.length - 1)] as Reply
      if (reply.hang === true) return
      if (reply.status >= 200 && reply.status < 300) acceptedMessages.push(...messages)
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
      res.end(typeof reply.body === 'function' ? reply.body(received) : reply.body ?? '{}')
    })
  })
  return { ...server, got, accepted: () => acceptedMessages }
}

function endpointFor (origin: string, headers = `authorization=${encodeURIComponent(SECRET)},x-tenant=acme`): OtlpEndpoint {
  const r = resolveOtlpEndpoint(`otlp+${origin}`, headers, {})
  assert.ok(r.ok, r.ok ? '' : r.problem)
  return r.value
}

/** What a queue does: send, and send the `retry` tail again until nothing is left to retry (bounded). */
async function deliverAll (t: ShipTransport, records: readonly ShippedRecord[]): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = []
  let left = records
  for (let i = 0; i < 10 && left.length > 0; i++) {
    const o = await t.send(left)
    outcomes.push(o)
    assert.equal(o.sent + o.rejected + o.retry, left.length, 'the counts add up to the batch')
    left = left.slice(left.length - o.retry)
    if (o.retry === 0) break
  }
  return outcomes
}

function noSecret (...texts: Array<string | undefined>): void {
  for (const text of texts) {
    if (text === undefined) continue
    assert.ok(!text.includes('sk-live'), `a header value leaked: ${text}`)
  }
}

test('a batch arrives gzip-compressed as application/json, with the headers, decoding without loss', async (t) => {
  const server = await receiver([{ status: 200 }])
  const transport = createOtlpTransport(endpointFor(server.origin), RESOURCE)
  t.after(async () => { transport.close(); await server.close() })
  const o = await transport.send([...numbered(3), record({ msg: 'ünïcødé \u2028 "quoted"', fields: { nested: { a: [1, null, true] } } })])
  assert.deepEqual(o, { sent: 4, rejected: 0, retry: 0, truncated: 0 })
  const [req] = server.got
  assert.equal(req?.headers['content-encoding'], 'gzip')
  assert.equal(req?.headers['content-type'], 'application/json')
  assert.equal(req?.headers.authorization, SECRET)
  assert.equal(req?.headers['x-tenant'], 'acme')
  assert.deepEqual(req?.messages, ['m0', 'm1', 'm2', 'ünïcødé \u2028 "quoted"'])
  noSecret(transport.target)
  assert.equal(transport.target, `otlp+${server.origin}/v1/logs [headers: authorization, x-tenant; values hidden]`)
})

test('503 with Retry-After, then 200: retry (retryAfterMs) then sent, every record accepted exactly once', async (t) => {
  const server = await receiver([{ status: 503, headers: { 'retry-after': '7' } }, { status: 200 }])
  const transport = createOtlpTransport(endpointFor(server.origin), RESOURCE)
  t.after(async () => { transport.close(); await server.close() })
  const records = numbered(50)
  const outcomes = await deliverAll(transport, records)
  assert.deepEqual(outcomes, [
    { sent: 0, rejected: 0, retry: 50, truncated: 0, reason: 'HTTP 503', retryAfterMs: 7000 },
    { sent: 50, rejected: 0, retry: 0, truncated: 0 }
  ])
  assert.deepEqual(server.accepted(), records.map((r) => r.msg))
  assert.equal(server.got.length, 2)
})

test('Retry-After: seconds or an HTTP-date, capped at 5 minutes; nonsense ignored', () => {
  const now = Date.parse('2025-01-01T00:00:00Z')
  assert.equal(parseRetryAfter('120', now), 120_000)
  assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000)
  assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now), 0)
  assert.equal(parseRetryAfter('999999999', now), MAX_RETRY_AFTER_MS)
  assert.equal(parseRetryAfter(['3', '9'], now), 3000)
  assert.equal(parseRetryAfter('soon', now), undefined)
  assert.equal(parseRetryAfter('-5', now), undefined)
  assert.equal(parseRetryAfter(undefined, now), undefined)
  assert.equal(parseRetryAfter('1'.repeat(100_000), now), undefined)
})

test('429, 502 and 504 are retried (with the receiver\'s message); a 400 is rejected and never retried', async (t) => {
  for (const status of [429, 502, 504]) {
    const server = await receiver([{ status, body: '{"code":14,"message":"busy"}' }, { status: 200 }])
    const transport = createOtlpTransport(endpointFor(server.origin), RESOURCE)
    const outcomes = await deliverAll(transport, numbered(5))
    transport.close()
    await server.close()
    assert.deepEqual(outcomes.map((o) => [o.sent, o.retry, o.reason]), [[0, 5, `HTTP ${status}: busy`], [5, 0, undefined]], `status ${status}`)
  }
  for (const status of [400, 401, 403, 404, 500, 501, 301]) {
    const server = await receiver([{ status, body: '{"code":3,"message":"bad field"}' }, { status: 200 }])
    const transport = createOtlpTransport(endpointFor(server.origin), RESOURCE)
    t.after(() => { transport.close() })
    const outcomes = await deliverAll(transport, numbered(5))
    await server.close()
    assert.equal(outcomes.length, 1, `status ${status} sent once`)
    assert.equal(server.got.length, 1)
    assert.deepEqual([outcomes[0]?.rejected, outcomes[0]?.retry, outcomes[0]?.sent], [5, 0, 0])
    assert.match(outcomes[0]?.reason ?? '', new RegExp(`^HTTP ${status}: bad field`))
  }
})

test('ECONNREFUSED is retried, with the errno as the reason', async (t) => {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => { resolve() }))
  const transport = createOtlpTransport(endpointFor(`http://127.0.0.1:${port}`), RESOURCE)
  t.after(() => { transport.close() })
  const o = await transport.send(numbered(4))
  assert.deepEqual(o, { sent: 0, rejected: 0, retry: 4, truncated: 0, reason: 'ECONNREFUSED' })
})

test('a partial success is reported: rejected count and message, never retried', async (t) => {
  const server = await receiver([{ status: 200, body: '{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"2 records too old"}}' }])
  const transport = createOtlpTransport(endpointFor(server.origin), RESOURCE)
  t.after(async () => { transport.close(); await server.close() })
  const o = await transport.send(numbered(5))
  assert.deepEqual(o, { sent: 3, rejected: 2, retry: 0, truncated: 0, reason: 'partial success, 2 rejected: 2 records too old' })
  const warn = await receiver([{ status: 200, body: '{"partialSuccess":{"errorMessage":"deprecated field"}}' }])
  const t2 = createOtlpTransport(endpointFor(warn.origin), RESOURCE)
  const w = await t2.send(numbered(2))
  t2.close()
  await warn.close()
  assert.deepEqual(w, { sent: 2, rejected: 0, retry: 0, truncated: 0, reason: 'receiver warning: deprecated field' })
  // An absurd count is clamped to the batch.
  const big = await receiver([{ status: 200, body: '{"partialSuccess":{"rejectedLogRecords":"99999999999999999999"}}' }])
  const t3 = createOtlpTransport(endpointFor(big.origin), RESOURCE)
  const b = await t3.send(numbered(2))
  t3.close()
  await big.close()
  assert.deepEqual([b.sent, b.rejected, b.retry], [0, 2, 0])
})

test('a 413 splits the batch in halves sent in order: only the record too large alone is rejected', async (t) => {
  // The receiver refuses any request holding the record "huge".
  const got: string[][] = []
  const server = await receiver([{ status: 0 }])
  await server.close()
  const picky = await httpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const json = zlib.gunzipSync(Buffer.concat(chunks)).toString('utf8')
      const messages = (decodeWithoutLoss(json) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ body: { stringValue: string } }> }> }> })
        .resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((s) => s.logRecords.map((l) => l.body.stringValue)))
      got.push(messages)
      res.writeHead(messages.includes('huge') ? 413 : 200).end('{}')
    })
  })
  const transport = createOtlpTransport(endpointFor(picky.origin), RESOURCE)
  t.after(async () => { transport.close(); await picky.close() })
  const records = numbered(16)
  records[5] = record({ msg: 'huge' })
  const o = await transport.send(records)
  assert.deepEqual([o.sent, o.rejected, o.retry], [15, 1, 0])
  assert.match(o.reason ?? '', /^HTTP 413/)
  const accepted = got.filter((m) => !m.includes('huge')).flat()
  assert.deepEqual(accepted, records.map((r) => r.msg).filter((m) => m !== 'huge'), 'in order, exactly once')
  assert.ok(got.length <= 2 * Math.log2(16) + 1, `${got.length} requests`)
})

test('a 413 followed by a 503 retries the tail only: counts stay a prefix of sent/rejected and a suffix of retry', async (t) => {
  const server = await receiver([{ status: 413 }, { status: 200 }, { status: 503 }])
  const transport = createOtlpTransport(endpointFor(server.origin), RESOURCE)
  t.after(async () => { transport.close(); await server.close() })
  const o = await transport.send(numbered(8))
  // 8 → 413; first 4 → 200; last 4 → 503.
  assert.deepEqual([o.sent, o.rejected, o.retry], [4, 0, 4])
  assert.equal(o.reason, 'HTTP 503')
  assert.deepEqual(server.accepted(), ['m0', 'm1', 'm2', 'm3'])
})

test('header values never appear in target, reason, or anything a send returns, even when the receiver echoes them', async (t) => {
  const echo = (r: Received): string => JSON.stringify({ message: `denied for ${String(r.headers.authorization)}` })
  const server = await receiver([
    { status: 401, body: echo },
    { status: 503, body: echo },
    { status: 200, body: (r) => JSON.stringify({ partialSuccess: { rejectedLogRecords: 1, errorMessage: `token ${String(r.headers.authorization)} over quota` } }) }
  ])
  const transport = createOtlpTransport(endpointFor(server.origin), RESOURCE)
  t.after(async () => { transport.close(); await server.close() })
  const outcomes = [await transport.send(numbered(2)), await transport.send(numbered(2)), await transport.send(numbered(2))]
  for (const o of outcomes) noSecret(JSON.stringify(o))
  noSecret(transport.target)
  assert.equal(outcomes[0]?.reason, 'HTTP 401: denied for ****')
  assert.equal(outcomes[2]?.reason, 'partial success, 1 rejected: token **** over quota')
  assert.equal(server.got[0]?.headers.authorization, SECRET, 'the header did reach the receiver')
})

test('a receiver that never answers: the send ends as retry at the timeout, and the queue is not stuck', async (t) => {
  const server = await receiver([{ status: 200, hang: true }])
  const transport = createOtlpTransport(endpointFor(server.origin), RESOURCE, { timeoutMs: 300 })
  t.after(async () => { transport.close(); await server.close() })
  const o = await transport.send(numbered(3))
  assert.deepEqual(o, { sent: 0, rejected: 0, retry: 3, truncated: 0, reason: 'timeout after 300 ms' })
})

test('close() ends a send in flight as retry; later sends retry without a request; close is idempotent', async (t) => {
  const server = await receiver([{ status: 200, hang: true }])
  const transport = createOtlpTransport(endpointFor(server.origin), RESOURCE)
  t.after(async () => { await server.close() })
  const pending = transport.send(numbered(3))
  while (server.got.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  transport.close()
  transport.close()
  assert.deepEqual(await pending, { sent: 0, rejected: 0, retry: 3, truncated: 0, reason: 'transport closed' })
  assert.deepEqual(await transport.send(numbered(1)), { sent: 0, rejected: 0, retry: 1, truncated: 0, reason: 'transport closed' })
  assert.deepEqual(await transport.send([]), { sent: 0, rejected: 0, retry: 0, truncated: 0 })
  assert.equal(server.got.length, 1)
})

test('https with the CA given verifies the receiver; without it, the send is retried (certificate error)', async (t) => {
  const server = await httpsServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200).end('{}')) })
  const trusted = createOtlpTransport(endpointFor(server.origin), RESOURCE, { ca: makeCerts().caCert })
  const untrusted = createOtlpTransport(endpointFor(server.origin), RESOURCE)
  t.after(async () => { trusted.close(); untrusted.close(); await server.close() })
  assert.equal(trusted.target.startsWith('otlp+https://127.0.0.1:'), true)
  assert.deepEqual(await trusted.send(numbered(2)), { sent: 2, rejected: 0, retry: 0, truncated: 0 })
  const o = await untrusted.send(numbered(2))
  assert.deepEqual([o.sent, o.retry], [0, 2])
  assert.match(o.reason ?? '', /CERT|SELF_SIGNED|UNABLE/)
})

function runChild (script: string, timeoutMs: number): Promise<{ code: number | null, stdout: string, stderr: string, ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
  })
}

function childScript (origin: string, body: string): string {
  const mod = path.join(__dirname, '..', '..', '..', 'src', 'ship', 'otlp')
  return `
    const { createOtlpTransport } = require(${JSON.stringify(path.join(mod, 'transport.js'))})
    const { resolveOtlpEndpoint } = require(${JSON.stringify(path.join(mod, 'endpoint.js'))})
    const ep = resolveOtlpEndpoint('otlp+${origin}', 'authorization=x', {}).value
    const rec = (msg) => ({ time: Date.now(), level: 30, logger: 'oneapm.t', pid: process.pid, thread: 'main', msg, fields: {}, err: undefined, recorded: false, json: '' })
    const resource = { hostName: 'h', pid: process.pid, serviceName: 's', instanceId: 'i', runtimeName: 'nodejs', runtimeVersion: process.versions.node, version: '0' }
    ${body}
  `
}

test('the transport keeps no handle open: a child that sends (keep-alive) exits by itself, and one with a request in flight does not wait for the timeout', async (t) => {
  const ok = await receiver([{ status: 200 }])
  const hang = await receiver([{ status: 200, hang: true }])
  t.after(async () => { await ok.close(); await hang.close() })
  const sent = await runChild(childScript(ok.origin, `
    // The transport holds nothing open, so the child waits for the outcome with a timer of its own, then lets go.
    const wait = setInterval(() => {}, 1000)
    const t = createOtlpTransport(ep, resource)
    t.send([rec('a'), rec('b')]).then((o) => {
      clearInterval(wait)
      // What still holds the loop once the send is done: the idle keep-alive socket must not be among it.
      setImmediate(() => { process.stdout.write(JSON.stringify({ o, active: process.getActiveResourcesInfo() })) })
    })
  `), 20_000)
  assert.equal(sent.code, 0, sent.stderr)
  const report = JSON.parse(sent.stdout) as { o: unknown, active: string[] }
  assert.deepEqual(report.o, { sent: 2, rejected: 0, retry: 0, truncated: 0 })
  assert.deepEqual(report.active.filter((r) => r !== 'PipeWrap' && r !== 'TTYWrap'), [], 'nothing of ours keeps the loop alive')
  assert.deepEqual(ok.accepted(), ['a', 'b'])
  // Sent while the receiver holds the request: the child's own work is done, so it exits well before the 60 s timeout.
  const inFlight = await runChild(childScript(hang.origin, `
    const t = createOtlpTransport(ep, resource, { timeoutMs: 60000 })
    t.send([rec('c')]).then((o) => { process.stdout.write('resolved ' + JSON.stringify(o)) })
  `), 20_000)
  assert.equal(inFlight.code, 0, inFlight.stderr)
  assert.ok(inFlight.ms < 15_000, `exited after ${inFlight.ms} ms`)
})
