// The host application of `npm run bench:host`: a node:http server whose
// every request makes the 5 debug calls an instrumented request makes
// (bench/host/instrument.ts), then answers a small JSON body.
//
// Forked with an IPC channel: `node build/bench/host/app.js '<AppJob json>'`.
// It says 'listening', measures between 'start' and 'stop', and on 'close'
// stops serving, closes its logger, reports and exits. bench/host/cluster.ts
// runs the same app in each of its workers.

import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { instrument } from './instrument'
import type { AppJob, AppMessage, Closed, Command, Window } from './protocol'
import { specOf } from './variants'

/** What the app answers: small, like an API's JSON. */
export const BODY = Buffer.from('{"id":42,"name":"user-42","ok":true}')

const now = (): number => Number(process.hrtime.bigint()) / 1e6

/** The process's peak RSS in bytes: VmHWM on Linux, else 0 (the caller's samples stand). */
function vmHwm (): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'latin1'))
    return m === null ? 0 : Number(m[1]) * 1024
  } catch {
    return 0
  }
}

/**
 * The histogram samples the time between its timer's runs, the resolution
 * included (an idle loop reads 10.1 ms at 10 ms): what is over it is the delay.
 */
export const DELAY_RESOLUTION_MS = 10
const lateness = (ns: number): number => Math.max(0, ns / 1e6 - DELAY_RESOLUTION_MS)

export interface App {
  readonly port: number
  start (): void
  stop (): Window
  /** Stops serving, closes the logger; what was emitted, by tag. */
  close (): Promise<Closed>
}

/** Starts the app on 127.0.0.1 (port 0: any; in a cluster worker, the port the workers share). */
export async function startApp (job: AppJob, tag: string): Promise<App> {
  const spec = specOf(job.variant, job.rotateSize)
  const calls = await instrument(spec, job.file, tag)
  let requests = 0
  const server = http.createServer((req, res) => {
    requests++
    calls.request(req.method ?? 'GET', req.url ?? '/', 200)
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length })
    res.end(BODY)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { resolve() })
  })
  const port = (server.address() as AddressInfo).port

  let peak = process.memoryUsage.rss()
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 100)
  sampler.unref()
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS })
  let mark = { t: now(), cpu: process.cpuUsage(), requests: 0 }
  return {
    port,
    start () {
      delay.reset()
      delay.enable()
      mark = { t: now(), cpu: process.cpuUsage(), requests }
    },
    stop () {
      const cpu = process.cpuUsage(mark.cpu)
      delay.disable()
      return {
        requests: requests - mark.requests,
        elapsedMs: now() - mark.t,
        cpuUs: cpu.user + cpu.system,
        loopDelayP99Ms: lateness(delay.percentile(99)),
        loopDelayMaxMs: lateness(delay.max)
      }
    },
    async close () {
      // Handlers are synchronous: once the connections are gone no request is half done.
      const closed = new Promise<void>((resolve) => { server.close(() => { resolve() }) })
      server.closeAllConnections()
      await closed
      await calls.close()
      clearInterval(sampler)
      peak = Math.max(peak, process.memoryUsage.rss(), vmHwm())
      return { emitted: { [tag]: calls.emitted() }, requests, peakRssMb: peak / (1024 * 1024) }
    }
  }
}

export function send (m: AppMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('host app: no IPC channel (fork it from bench/host/run.ts)'))
      return
    }
    process.send(m, (err: Error | null) => { err === null ? resolve() : reject(err) })
  })
}

/** Answers the parent's commands until 'close', then disconnects. */
export function serveCommands (handlers: { start: () => Promise<void>, stop: () => Promise<Window>, close: () => Promise<Closed> }): void {
  process.on('message', (c: Command) => {
    const reply = async (): Promise<AppMessage> => {
      switch (c.type) {
        case 'start': await handlers.start(); return { type: 'started' }
        case 'stop': return { type: 'window', ...await handlers.stop() }
        case 'close': return { type: 'closed', ...await handlers.close() }
      }
    }
    reply()
      .catch((err: unknown): AppMessage => ({ type: 'failed', error: err instanceof Error ? err.stack ?? err.message : String(err) }))
      .then(async (m) => {
        await send(m)
        if (c.type === 'close' || m.type === 'failed') process.disconnect()
      })
      .catch(() => { process.exitCode = 1 })
  })
  // The parent gone: nothing left to serve.
  process.on('disconnect', () => { setTimeout(() => { process.exit() }, 5000).unref() })
}

async function main (): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as AppJob
  const app = await startApp(job, 'a')
  serveCommands({ start: async () => { app.start() }, stop: async () => app.stop(), close: () => app.close() })
  await send({ type: 'listening', port: app.port })
}

if (require.main === module) {
  main().catch(async (err: unknown) => {
    process.stderr.write(`host app: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
    process.exitCode = 1
    await send({ type: 'failed', error: String(err) }).catch(() => {})
    process.disconnect?.()
  })
}
