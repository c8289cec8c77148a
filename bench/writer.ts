// One of the concurrent writers of workload 7 (bench/run.ts forks them with an
// IPC channel): `node build/bench/writer.js '<writer job json>'`.
//
// Creates this logger on the shared file, writes the warm-up, says 'ready',
// waits for 'go', writes the timed records, flushes and closes, then reports
// when it started and finished. Times are process.hrtime, which on Linux is
// CLOCK_MONOTONIC, one clock for every process of the machine, so the parent
// can compare them with its own.

import { createPeer, type ExtraSettings } from './peers'

export interface WriterJob {
  readonly file: string
  readonly warmup: number
  readonly records: number
  readonly settings: ExtraSettings
}

export type WriterMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done', readonly startMs: number, readonly endMs: number }

const YIELD_EVERY = 1000
const tick = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve) })
const now = (): number => Number(process.hrtime.bigint()) / 1e6

async function drive (n: number, call: () => void): Promise<void> {
  for (let i = 1; i <= n; i++) {
    call()
    if (i % YIELD_EVERY === 0) await tick()
  }
}

function send (m: WriterMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('writer: no IPC channel (run it from bench/run.ts)'))
      return
    }
    process.send(m, (err: Error | null) => { err === null ? resolve() : reject(err) })
  })
}

async function main (): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as WriterJob
  const peer = await createPeer('oneapm-text', job.file, job.settings)
  await drive(job.warmup, peer.info2)
  // The warm-up leaves before 'ready', so the clock starts with nothing queued.
  await new Promise((resolve) => setTimeout(resolve, 50))
  const go = new Promise<void>((resolve) => { process.once('message', () => { resolve() }) })
  await send({ type: 'ready' })
  await go
  const startMs = now()
  await drive(job.records, peer.info2)
  await peer.end()
  const endMs = now()
  await send({ type: 'done', startMs, endMs })
  process.disconnect()
}

main().catch((err: unknown) => {
  process.stderr.write(`writer: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
  process.disconnect?.()
})
