// createCollectorDispatcher never throws; recordConnections(agent, log)
// records requests sent through `agent` itself; answer excerpts and the
// proxy line hold no secret, even cut.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { Agent } from 'undici'
import { createCollectorDispatcher, createLogger, recordConnections, type Logger } from '../../src/index'
import { readLines, tmpDir } from '../helpers/tmp'
import { closedPort, httpServer, ok } from '../helpers/servers'

const KEY = 'Zq9XW3rT7uV1pL0kM8nB6cD5eF4gH2jA'

function agentLog (t: { after: (fn: () => void) => void }): { log: Logger, records: () => Array<Record<string, unknown>> } {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  const log = createLogger({ log_file: file, log_format: 'json', log_level: 'debug', license_key: KEY }, { global: false })
  return { log, records: () => { log.flush(); return readLines(file).map((l) => JSON.parse(l) as Record<string, unknown>) } }
}

const events = (recs: Array<Record<string, unknown>>, name: string): Array<Record<string, unknown>> => recs.filter((r) => r.event === name)

function hostile (): fc.Arbitrary<unknown> {
  const throwing = new Proxy({}, { get () { throw new Error('trap') }, ownKeys () { throw new Error('trap') }, has (_t, k) { if (k === fc.cloneMethod) return false; throw new Error('trap') } })
  const getters = Object.defineProperties({}, Object.fromEntries(['host', 'proxy', 'protocol', 'tls', 'connectTimeoutMs', 'name', 'child'].map((k) => [k, { enumerable: true, get () { throw new Error(k) } }])))
  return fc.oneof(
    fc.anything(),
    // Picked by index: fast-check itself must not touch them.
    fc.nat(1).map((i) => [throwing, getters][i]),
    fc.record({
      host: fc.oneof(fc.string(), fc.constantFrom('a b', 'h:99999', '::', '[', 'x/y', '\0'), fc.anything()),
      proxy: fc.oneof(fc.string(), fc.constantFrom('not a url', 'socks://x', 'http://', 'http://u:p@@x:1', '\0'), fc.anything()),
      protocol: fc.oneof(fc.constantFrom('http', 'https', 'ftp'), fc.anything()),
      tls: fc.anything(),
      connectTimeoutMs: fc.oneof(fc.double(), fc.anything()),
      headersTimeoutMs: fc.oneof(fc.double(), fc.anything()),
      excerptBytes: fc.oneof(fc.double(), fc.anything()),
      stillFailingIntervalMs: fc.oneof(fc.double(), fc.anything())
    }, { requiredKeys: [] })
  )
}

test('property: createCollectorDispatcher never throws, and close() never rejects, whatever the logger and options', async (t) => {
  const { log } = agentLog(t)
  await fc.assert(fc.asyncProperty(fc.oneof(fc.constant(log), hostile()), hostile(), async (logger, options) => {
    const client = createCollectorDispatcher(logger as Logger, options as never)
    assert.equal(typeof client.dispatcher.dispatch, 'function')
    client.stop()
    await client.close()
  }), { numRuns: 300 })
})

test('property: recordConnections never throws, whatever it is given', async (t) => {
  const { log } = agentLog(t)
  await fc.assert(fc.asyncProperty(fc.oneof(fc.constant(new Agent()), hostile()), fc.oneof(fc.constant(log), hostile()), hostile(), async (d, logger, options) => {
    const r = recordConnections(d as Agent, logger as Logger, options as never)
    r.stop()
  }), { numRuns: 300 })
})

test('an invalid proxy or host from code is a warning, not a throw', async (t) => {
  const { log, records } = agentLog(t)
  const a = createCollectorDispatcher(log, { proxy: 'proxy.local:3128', host: 'a b/c' })
  assert.equal(a.origin, undefined)
  await a.close()
  const warnings = records().filter((r) => r.level === 'warning').map((r) => String(r.msg))
  assert.ok(warnings.some((m) => m.includes('proxy')), warnings.join('\n'))
  assert.ok(warnings.some((m) => m.includes('host')), warnings.join('\n'))
})

test('attach and keep sending through the agent: requests, failures and recovery are recorded', async (t) => {
  const port = await closedPort()
  const { log, records } = agentLog(t)
  const agent = new Agent()
  const handle = recordConnections(agent, log)
  const origin = `http://127.0.0.1:${port}`
  await assert.rejects(agent.request({ origin, path: '/a', method: 'POST', body: '[]' }))
  const server = await httpServer(ok, port)
  const res = await agent.request({ origin, path: '/b', method: 'POST', body: '[]' })
  await res.body.text()
  const viaFetch = await fetch(`${origin}/c`, { dispatcher: agent } as unknown as RequestInit)
  await viaFetch.text()
  handle.stop()
  const after = await agent.request({ origin, path: '/d', method: 'GET' })
  await after.body.text()
  await agent.close()
  await server.close()
  const recs = records()
  assert.equal(events(recs, 'collector_error').length, 1)
  assert.equal(events(recs, 'collector_recovered').length, 1)
  assert.deepEqual(events(recs, 'collector_request').map((r) => String(r.url).replace(/^.*\d/, '')), ['/b', '/c'])
})

test('recording twice, or through the returned dispatcher, records each request once', async (t) => {
  const server = await httpServer(ok)
  const { log, records } = agentLog(t)
  const agent = new Agent()
  const a = recordConnections(agent, log)
  const b = recordConnections(agent, log)
  await (await a.dispatcher.request({ origin: server.origin, path: '/x', method: 'GET' })).body.text()
  b.stop()
  await (await agent.request({ origin: server.origin, path: '/y', method: 'GET' })).body.text()
  a.stop()
  await agent.close()
  await server.close()
  assert.equal(events(records(), 'collector_request').length, 2)
})

test('an answer excerpt is redacted before it is cut: no part of a secret that straddles the cut', async (t) => {
  const server = await httpServer((req, res) => {
    req.resume()
    res.writeHead(500).end(`${'x'.repeat(490)} ${KEY} trailing; password=${'p'.repeat(40)}`)
  })
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const files = [path.join(dir, 'keyed.log'), path.join(dir, 'plain.log')]
  // The second logger does not know the license key: only the cut can keep it out.
  const loggers = [
    createLogger({ log_file: files[0], log_format: 'json', license_key: KEY }, { global: false }),
    createLogger({ log_file: files[1], log_format: 'json' }, { global: false })
  ]
  for (const l of loggers) {
    const client = createCollectorDispatcher(l, { host: `127.0.0.1:${server.port}`, protocol: 'http' })
    await (await client.dispatcher.request({ origin: server.origin, path: '/x', method: 'POST', body: '' })).body.text()
    await client.close()
    l.flush()
  }
  await server.close()
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8')
    assert.match(text, /collector answered 500/)
    assert.ok(!text.includes(KEY.slice(0, 8)), text)
  }
})

test('the proxy line masks a password that contains @', async (t) => {
  const { log, records } = agentLog(t)
  const client = createCollectorDispatcher(log, { host: 'collector.invalid', proxy: 'http://agent:s3c@ret@127.0.0.1:9' })
  await client.close()
  const text = JSON.stringify(records())
  assert.ok(text.includes('goes through proxy'), text)
  assert.ok(!text.includes('ret@127'), text)
  assert.ok(!text.includes('s3c'), text)
})
