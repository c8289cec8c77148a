// The cluster variant of `npm run bench:host`: a node:cluster primary and
// its workers (2 by default), each running the host app (bench/host/app.ts)
// with this logger at debug, all on one log file that rotates. Forked like
// the app, `node build/bench/host/cluster.js '<AppJob json>'`: the primary
// speaks the app's protocol for all its workers, adding up what they report.

import cluster, { type Worker } from 'node:cluster'
import { send, serveCommands, startApp } from './app'
import type { AppJob, AppMessage, Closed, Command, Window } from './protocol'

const JOB_ENV = 'BENCH_HOST_JOB'

async function worker (): Promise<void> {
  const job = JSON.parse(process.env[JOB_ENV] ?? '') as AppJob
  const app = await startApp(job, `w${cluster.worker?.id ?? process.pid}`)
  serveCommands({ start: async () => { app.start() }, stop: async () => app.stop(), close: () => app.close() })
  await send({ type: 'listening', port: app.port })
}

/** The next message of `type` from a worker; rejects on 'failed' or if it exits first. */
function next<T extends AppMessage['type']> (w: Worker, type: T): Promise<Extract<AppMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: AppMessage): void => {
      if (m.type === type) { done(); resolve(m as Extract<AppMessage, { type: T }>) }
      if (m.type === 'failed') { done(); reject(new Error(`worker ${w.id}: ${m.error}`)) }
    }
    const onExit = (code: number | null, signal: string | null): void => { done(); reject(new Error(`worker ${w.id} exited with ${code ?? signal ?? '?'} before '${type}'`)) }
    const done = (): void => { w.off('message', onMessage); w.off('exit', onExit) }
    w.on('message', onMessage)
    w.on('exit', onExit)
  })
}

function sumWindows (ws: readonly Window[]): Window {
  return {
    requests: ws.reduce((n, w) => n + w.requests, 0),
    elapsedMs: Math.max(...ws.map((w) => w.elapsedMs)),
    cpuUs: ws.reduce((n, w) => n + w.cpuUs, 0),
    loopDelayP99Ms: Math.max(...ws.map((w) => w.loopDelayP99Ms)),
    loopDelayMaxMs: Math.max(...ws.map((w) => w.loopDelayMaxMs))
  }
}

function sumClosed (cs: readonly Closed[]): Closed {
  return {
    emitted: Object.assign({}, ...cs.map((c) => c.emitted)) as Record<string, number>,
    requests: cs.reduce((n, c) => n + c.requests, 0),
    peakRssMb: cs.reduce((n, c) => n + c.peakRssMb, 0)
  }
}

async function primary (): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as AppJob
  const workers: Worker[] = []
  for (let i = 0; i < (job.workers ?? 2); i++) workers.push(cluster.fork({ [JOB_ENV]: JSON.stringify(job) }))
  const ports = await Promise.all(workers.map(async (w) => (await next(w, 'listening')).port))
  if (new Set(ports).size !== 1) throw new Error(`the workers listen on different ports: ${ports.join(', ')}`)
  const all = async <T extends AppMessage['type']>(c: Command, type: T): Promise<Array<Extract<AppMessage, { type: T }>>> => {
    const replies = workers.map((w) => next(w, type))
    for (const w of workers) w.send(c)
    return await Promise.all(replies)
  }
  serveCommands({
    start: async () => { await all({ type: 'start' }, 'started') },
    stop: async () => sumWindows(await all({ type: 'stop' }, 'window')),
    close: async () => {
      const exited = workers.map((w) => new Promise<void>((resolve) => { w.isDead() ? resolve() : w.once('exit', () => { resolve() }) }))
      const closed = await all({ type: 'close' }, 'closed')
      await Promise.all(exited)
      return sumClosed(closed)
    }
  })
  await send({ type: 'listening', port: ports[0] as number })
}

(cluster.isPrimary ? primary() : worker()).catch(async (err: unknown) => {
  process.stderr.write(`host cluster: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
  await send({ type: 'failed', error: String(err) }).catch(() => {})
  process.disconnect?.()
  for (const w of Object.values(cluster.workers ?? {})) w?.kill()
})
