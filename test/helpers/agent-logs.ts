// Logs made by a real process using the library: a collector that answers
// 413, then goes down (connection refused) and comes back, host interference,
// records dropped before configuration, and size rotation with compression.
// The summary and tail tests read these back and check exact counts.

import fs from 'node:fs'
import path from 'node:path'
import { runScript } from './child'
import { tmpDir } from './tmp'

export const KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6'

export interface Scenario {
  readonly dir: string
  readonly file: string
  readonly pid: number
  readonly port: number
  /** Records the early queue dropped (records_dropped early_queue_full). */
  readonly earlyDropped: number
}

/** Runs the outage scenario in a child process writing `format` to dir/agent.log; returns what it did. */
export function outageScenario (format: 'text' | 'json', options: { maxSize?: string, compress?: boolean } = {}): Scenario {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const res = runScript(`
    const http = require('node:http')
    const { Agent } = require(${JSON.stringify(require.resolve('undici'))})
    const KEY = ${JSON.stringify(KEY)}
    const early = lib.getLogger('oneapm.early')
    for (let i = 0; i < 1100; i++) early.info('early record %d', i)
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_format: ${JSON.stringify(format)}, log_level: 'debug',
      log_max_size: ${JSON.stringify(options.maxSize ?? '16KB')}, log_max_files: 0, log_compress: ${options.compress !== false}, license_key: KEY, app_name: 'shop' },
      { hooks: { watchMs: 30, rotation: { checkMs: 50, graceMs: 100, staleLockMs: 2000 } } })
    let mode = 'ok'
    const handler = (req, res) => {
      req.resume()
      req.on('end', () => {
        if (mode === '413' && req.url.includes('method=metric_data')) { res.writeHead(413); res.end('request entity too large') }
        else { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{}') }
      })
    }
    let server = http.createServer(handler)
    const listen = (port) => new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server.address().port)))
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
    const filler = (n) => { for (let i = 0; i < n; i++) log.child('harvest').info({ i, batch: 'x'.repeat(40) }, 'harvest cycle %d done', i) }
    ;(async () => {
      const port = await listen(0)
      const agent = new Agent({ keepAliveTimeout: 10 })
      lib.recordConnections(agent, log, { stillFailingIntervalMs: 3600000 })
      const origin = 'http://127.0.0.1:' + port
      const post = async (kind) => {
        try {
          const res = await agent.request({ origin, path: '/agent_listener/invoke_raw_method?method=' + kind + '&license_key=' + KEY, method: 'POST', body: '[]' })
          await res.body.text()
        } catch {}
      }
      await post('connect')
      for (let i = 0; i < 3; i++) await post('metric_data')
      filler(100)
      mode = '413'
      for (let i = 0; i < 5; i++) await post('metric_data')
      filler(100)
      mode = 'ok'
      await post('metric_data')
      await new Promise((resolve) => { server.close(resolve); server.closeAllConnections() })
      // Let the client see its kept-alive socket close, so every attempt is a refused connection.
      await sleep(100)
      for (let i = 0; i < 4; i++) await post('metric_data')
      filler(100)
      server = http.createServer(handler)
      await listen(port)
      await post('metric_data')
      await post('error_data')
      process.stderr.write = function swallow () { return true }
      await sleep(150)
      filler(100)
      log.error({ err: Object.assign(new TypeError('boom'), { code: 'E_BOOM' }) }, 'harvest failed')
      log.error({ err: Object.assign(new TypeError('boom'), { code: 'E_BOOM' }) }, 'harvest failed')
      await agent.close()
      server.close()
      // Rotated files are compressed in the background: let that finish.
      await sleep(1500)
      process.stdout.write(JSON.stringify({ pid: process.pid, port, early: log.stats().droppedEarly }))
    })()
  `, { timeout: 60_000 })
  if (res.status !== 0) throw new Error(`scenario failed (${String(res.status)}): ${res.stderr}`)
  const out = JSON.parse(res.stdout) as { pid: number, port: number, early: number }
  return { dir, file, pid: out.pid, port: out.port, earlyDropped: out.early }
}

/** The log's files: the current one and every rotated one. */
export function logFilesIn (dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('agent.log') && !n.includes('.rotate-')).map((n) => path.join(dir, n)).sort()
}
