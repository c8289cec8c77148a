// Real undici against loopback servers the tests start. The host's own
// fetch() and undici traffic run alongside and must never show up.

import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { Agent, request as hostRequest } from 'undici'
import { createCollectorDispatcher, createLogger, recordConnections, type Logger } from '../../src/index'
import { readLines, tmpDir } from '../helpers/tmp'

import { closedPort, connectProxy, httpServer, httpsServer, makeCerts, ok } from '../helpers/servers'

const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6'
const PATH = `/agent_listener/invoke_raw_method?method=connect&license_key=${KEY}&protocol_version=14`

function agentLog (): { log: Logger, records: () => Array<Record<string, unknown>> } {
  const file = path.join(tmpDir(), 'agent.log')
  const log = createLogger({ log_file: file, log_format: 'json', log_level: 'debug', license_key: KEY }, { global: false })
  return { log, records: () => { log.flush(); return readLines(file).map((l) => JSON.parse(l) as Record<string, unknown>) } }
}

const events = (recs: Array<Record<string, unknown>>, name: string): Array<Record<string, unknown>> => recs.filter((r) => r.event === name)

async function post (d: { request: Agent['request'] } | { dispatcher: unknown }, origin: string, p = PATH): Promise<{ status: number, text: string }> {
  const dispatcher = ('dispatcher' in d ? d.dispatcher : d) as Agent
  const res = await dispatcher.request({ origin, path: p, method: 'POST', body: '[]' })
  return { status: res.statusCode, text: await res.body.text() }
}

test('HTTP: connected with timings, each request with method, masked URL, status, duration, bytes; host traffic absent', async () => {
  const server = await httpServer(ok)
  const { log, records } = agentLog()
  const client = createCollectorDispatcher(log, { host: `127.0.0.1:${server.port}`, protocol: 'http' })
  assert.equal((await post(client, server.origin)).status, 200)
  // The host's own traffic to the same server, through fetch and the global undici dispatcher.
  await (await fetch(`${server.origin}/host-fetch`)).text()
  await (await hostRequest(`${server.origin}/host-undici`)).body.text()
  assert.equal((await post(client, server.origin)).status, 200)
  await client.close()
  await server.close()
  const recs = records()
  const connected = events(recs, 'collector_connected')
  assert.equal(connected.length, 1)
  assert.equal(connected[0]?.remote_address, '127.0.0.1')
  assert.equal(connected[0]?.name, 'oneapm.collector')
  assert.equal(typeof connected[0]?.tcp_ms, 'number')
  const requests = events(recs, 'collector_request')
  assert.equal(requests.length, 2)
  assert.equal(requests[0]?.method, 'POST')
  assert.equal(requests[0]?.status, 200)
  assert.equal(requests[0]?.bytes, 41)
  assert.equal(typeof requests[0]?.ms, 'number')
  assert.match(String(requests[0]?.url), /^http:\/\/127\.0\.0\.1:\d+\/agent_listener\/invoke_raw_method\?method=connect&license_key=\*\*\*\*&protocol_version=14$/)
  const all = JSON.stringify(recs)
  assert.ok(!all.includes('host-fetch') && !all.includes('host-undici'), 'host traffic in the agent log')
  assert.ok(!all.includes(KEY), 'license key in the agent log')
  assert.equal(log.stats().collector.requests, 2)
  const disconnected = events(recs, 'collector_disconnected')
  assert.ok(disconnected.every((r) => r.level === 'debug'), 'a routine close above debug')
})

test('HTTPS with a certificate made at test time: TLS protocol and DNS/TCP/TLS timings', async () => {
  const server = await httpsServer(ok)
  const { log, records } = agentLog()
  const client = createCollectorDispatcher(log, { host: `localhost:${server.port}`, tls: { ca: makeCerts().caCert } })
  assert.equal((await post(client, `https://localhost:${server.port}`)).status, 200)
  await client.close()
  await server.close()
  const c = events(records(), 'collector_connected')[0]
  assert.match(String(c?.tls), /^TLSv1\.[23]$/)
  for (const k of ['dns_ms', 'tcp_ms', 'tls_ms']) assert.equal(typeof c?.[k], 'number', k)
})

test('a TLS failure (unknown CA) names the reason and the certificate subject and issuer', async () => {
  const server = await httpsServer(ok)
  const { log, records } = agentLog()
  const client = createCollectorDispatcher(log, { host: `127.0.0.1:${server.port}` })
  await assert.rejects(post(client, server.origin))
  await client.close()
  await server.close()
  const e = events(records(), 'collector_error')[0]
  assert.equal(e?.level, 'warning')
  assert.equal(e?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
  const cert = (e?.err as { certificate?: { subject?: { CN?: string }, issuer?: { CN?: string } } }).certificate
  assert.equal(cert?.subject?.CN, 'collector.test')
  assert.equal(cert?.issuer?.CN, 'OneAPM Test CA')
  assert.match(String(e?.msg), /TLS handshake with https:\/\/127\.0\.0\.1:\d+ rejected: UNABLE_TO_VERIFY_LEAF_SIGNATURE/)
})

test('a closed port: one warning with code, syscall and address', async () => {
  const port = await closedPort()
  const { log, records } = agentLog()
  const client = createCollectorDispatcher(log, { host: `127.0.0.1:${port}`, protocol: 'http' })
  await assert.rejects(post(client, `http://127.0.0.1:${port}`))
  await client.close()
  const e = events(records(), 'collector_error')
  assert.equal(e.length, 1)
  assert.equal(e[0]?.cause, `ECONNREFUSED connect 127.0.0.1:${port}`)
  assert.equal(e[0]?.code, 'ECONNREFUSED')
})

test('500 and 413 answers are warnings with a capped excerpt of the body', async () => {
  let status = 500
  const server = await httpServer((req, res) => {
    req.resume()
    res.writeHead(status).end(JSON.stringify({ exception: { message: 'x'.repeat(2000) } }))
  })
  const { log, records } = agentLog()
  const client = createCollectorDispatcher(log, { host: `127.0.0.1:${server.port}`, protocol: 'http' })
  await post(client, server.origin)
  status = 413
  await post(client, server.origin)
  await client.close()
  await server.close()
  const errors = events(records(), 'collector_error')
  assert.deepEqual(errors.map((e) => [e.level, e.status, e.cause]), [['warning', 500, 'HTTP 500'], ['warning', 413, 'HTTP 413']])
  // The excerpt stops before the word the 512-character cut would split (a word could be part of a secret).
  assert.equal(String(errors[0]?.body), '{"exception":{"message":"…')
  assert.match(String(errors[0]?.msg), /^collector answered 500 to POST http:\/\/127\.0\.0\.1:\d+\/agent_listener.* in \d+ ms: \{"exception":\{"message":"…$/)
})

test('a server that stalls past the headers timeout', async () => {
  const server = await httpServer((req) => { req.resume() })
  const { log, records } = agentLog()
  const client = createCollectorDispatcher(log, { host: `127.0.0.1:${server.port}`, protocol: 'http', headersTimeoutMs: 200 })
  await assert.rejects(post(client, server.origin))
  await client.close()
  await server.close()
  assert.equal(events(records(), 'collector_error')[0]?.code, 'UND_ERR_HEADERS_TIMEOUT')
})

test('through a proxy: the tunnel is used, the proxy password masked', async () => {
  const server = await httpServer(ok)
  const proxy = await connectProxy()
  const { log, records } = agentLog()
  const client = createCollectorDispatcher(log, { host: `127.0.0.1:${server.port}`, protocol: 'http', proxy: `http://agent:s3cret@127.0.0.1:${proxy.port}` })
  assert.equal((await post(client, server.origin)).status, 200)
  await client.close()
  await proxy.close()
  await server.close()
  assert.deepEqual(proxy.tunnels, [`127.0.0.1:${server.port} auth=yes`])
  const recs = records()
  assert.equal(events(recs, 'collector_request')[0]?.status, 200)
  assert.match(String(events(recs, 'collector_connecting')[0]?.msg), new RegExp(`goes through proxy http://agent:\\*\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port}`))
  assert.ok(!JSON.stringify(recs).includes('s3cret'))
})

test('recordConnections on a dispatcher the agent built: connect events and requests, stop() detaches', async () => {
  const server = await httpServer(ok)
  const { log, records } = agentLog()
  const agent = new Agent()
  const handle = recordConnections(agent, log)
  await post(handle, server.origin)
  handle.stop()
  await post(handle, server.origin)
  await agent.close()
  await server.close()
  const recs = records()
  assert.equal(events(recs, 'collector_connected').length, 1)
  assert.equal(events(recs, 'collector_request').length, 1)
})

test('a 200-failure outage: a bounded number of lines, then one recovery line', async () => {
  const port = await closedPort()
  const { log, records } = agentLog()
  log.setLevel('info')
  const client = createCollectorDispatcher(log, { host: `127.0.0.1:${port}`, protocol: 'http', stillFailingIntervalMs: 100 })
  const origin = `http://127.0.0.1:${port}`
  const started = Date.now()
  for (let i = 0; i < 200; i++) await post(client, origin).catch(() => {})
  const seconds = (Date.now() - started) / 1000
  const server = await httpServer(ok, port)
  assert.equal((await post(client, origin)).status, 200)
  await client.close()
  await server.close()
  const recs = records().filter((r) => String(r.event ?? '').startsWith('collector_') && r.level !== 'debug')
  const first = events(recs, 'collector_error')
  const still = events(recs, 'collector_still_failing')
  const recovered = events(recs, 'collector_recovered')
  assert.equal(first.length, 1)
  assert.ok(still.length <= Math.ceil(seconds / 0.1) + 1, `${still.length} summaries in ${seconds} s`)
  assert.ok(recs.length < 200 / 4, `${recs.length} lines for 200 failures`)
  assert.equal(recovered.length, 1)
  assert.equal(recovered[0]?.failures, 200)
  assert.match(String(recovered[0]?.msg), /^collector recovered after 200 failures over \d+ s$/)
  const counted = still.reduce((n, r) => n + Number(r.count), 0)
  assert.ok(counted <= 199)
  assert.equal(log.stats().collector.failures, 200)
  assert.equal(log.stats().collector.recoveries, 1)
})
