// The host app that `oneapm-agent-log demo` runs in its own process: a small
// service with the agent embedded, doing a few seconds of what an agent does
// (start up, connect to its collector, harvest, get a 503, live through a
// collector outage, recover, fail one upload, shut down) against a collector
// on loopback. It exits naturally, so what the
// demo shows afterwards is also a test of nothing being lost at exit.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client, type Dispatcher } from 'undici'
import { createCollectorDispatcher, createLogger, getLogger, loadConfig } from '../index'

const early = getLogger('bootstrap')
// Logged before the config is read: kept in the early queue, written in order.
early.info('agent loading in pid %d: node %s', process.pid, process.version)

const cfg = loadConfig(process.argv[2] === undefined ? {} : { file: process.argv[2] })
const log = createLogger(cfg)
const collectorLog = log.child('collector')
const harvestLog = log.child('harvest')
const httpLog = log.child('instrumentation').child('http')

const licenseKey = cfg.settings.license_key ?? 'demo0123456789abcdef0123456789abcdef01'
let outage = false
let runId = ''

// The collector: answers connect and harvest posts; 503 while "in maintenance".
const collector = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    if (outage) {
      res.writeHead(503, { 'retry-after': '1' }).end('{"exception":{"message":"collector in maintenance"}}')
      return
    }
    const method = new URL(req.url ?? '/', 'http://x').searchParams.get('method')
    runId = method === 'connect' ? Math.random().toString(16).slice(2, 10) : runId
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ return_value: method === 'connect' ? { agent_run_id: runId } : null }))
  })
})

async function post (client: Dispatcher, origin: string, method: string, body: unknown): Promise<{ status: number, text: string }> {
  const res = await client.request({
    origin,
    method: 'POST',
    path: `/agent_listener/invoke_raw_method?method=${method}&license_key=${licenseKey}&protocol_version=14`,
    headers: { 'content-type': 'application/json', 'x-license-key': licenseKey },
    body: JSON.stringify(body)
  })
  return { status: res.statusCode, text: await res.body.text() }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => { setTimeout(resolve, ms) })

async function main (): Promise<void> {
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
  const port = (collector.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  // The agent's own client: its connections and requests are recorded under oneapm.collector.
  const client = createCollectorDispatcher(log, { host: `127.0.0.1:${port}`, protocol: 'http', stillFailingIntervalMs: 600, keepAliveTimeoutMs: 1000 })

  httpLog.debug('wrapping %s for outbound spans', 'node:http')
  httpLog.info({ modules: ['http', 'https', 'undici'] }, 'instrumented %d modules', 3)
  if (cfg.settings.proxy !== undefined) collectorLog.info('configured proxy %s (not used by the demo)', cfg.settings.proxy)

  const connect = await post(client.dispatcher, origin, 'connect', [{ pid: process.pid, app_name: [cfg.settings.app_name ?? 'demo-app'] }])
  const session = collectorLog.child('session', { run_id: runId })
  session.info({ status: connect.status }, 'registered with the collector as run %s', runId)

  for (let cycle = 1; cycle <= 18; cycle++) {
    await sleep(150)
    if (cycle === 3) outage = true
    if (cycle === 4) outage = false
    if (cycle === 6) {
      session.warning('collector maintenance begins (the demo closes its collector for about 1.5 s)')
      collector.closeAllConnections()
      await new Promise<void>((resolve) => collector.close(() => { resolve() }))
    }
    if (cycle === 16) await new Promise<void>((resolve) => collector.listen(port, '127.0.0.1', resolve))
    const metrics = 40 + cycle * 7
    harvestLog.debug('harvest cycle %d: %d metrics, %d traces', cycle, metrics, cycle % 3)
    harvestLog.trace({ payload: { metrics, password: 'db-secret', headers: { authorization: 'Bearer abc.def' } } }, 'harvest payload')
    try {
      const sent = await post(client.dispatcher, origin, 'metric_data', { run_id: runId, metrics })
      if (sent.status < 400) session.debug('sent %d metrics', metrics)
      else harvestLog.debug('keeping %d metrics for the next harvest', metrics)
    } catch {
      harvestLog.debug('keeping %d metrics for the next harvest', metrics)
    }
  }

  // A real connection failure, with undici's error as the cause: the flight
  // recorder writes the recent debug records just before it.
  const unreachable = new Client(`http://127.0.0.1:${await closedPort()}`, { connect: { timeout: 1000 } })
  try {
    await unreachable.request({ method: 'POST', path: '/agent_listener/invoke_raw_method?method=error_data', body: '[]' })
  } catch (cause) {
    session.error(new Error('could not send error traces to the backup collector', { cause }), 'error_data upload failed; %d traces dropped', 2)
  }

  session.info({ harvests: 18 }, 'agent shutting down')
  log.logStats()
  await client.close()
  await unreachable.close()
  collector.close()
  process.stdout.write(`host app: served its requests; agent run ${runId} finished\n`)
}

async function closedPort (): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => { resolve() }))
  return port
}

main().catch((err: unknown) => {
  log.critical(err as Error, 'demo host app failed')
  process.exitCode = 1
})
