// Workloads 11 to 13, one run in a worker: shipping (issue 11).
//
// 11 and 12, this logger (text layout, default settings), workload 1's call:
//   ship-file  the file only;
//   ship-tcp   the file and `log_ship = syslog+tcp://127.0.0.1:<port>`, to a
//              private rsyslogd (bench/rsyslog.ts) or, where rsyslogd is not
//              installed (or BENCH_SHIP_RECEIVER=node), to a node:net
//              process that counts octet-counted frames (bench/ship-receiver.ts);
//   ship-down  the file and log_ship to a loopback port nothing listens on.
//   ship-ceiling  no logger: the same number of ready-made frames, 1,000 per
//              write, to ship-tcp's receiver, the clock stopping when the
//              socket has taken the last one (as ship-tcp's "drained": every
//              record handed to the socket). A sender that does no work: what
//              the receiver lets any sender reach on this machine.
// The clock runs from the first timed record to the logger's close, and for
// ship-tcp not before the queue has drained (each record sent or dropped):
// records a full queue dropped earn no credit for being "fast", and they are
// reported next to the records/s with what was sent.
//
// 13, records/s delivered to a loopback OTLP/HTTP JSON receiver (node:http in
// a process of its own, counting logRecords after gunzip):
//   otlp-oneapm  this logger, `log_ship = otlp+http://127.0.0.1:<port>` (and its file);
//   otlp-sdk     @opentelemetry/sdk-logs' BatchLogRecordProcessor with
//                @opentelemetry/exporter-logs-otlp-http, default settings;
//   otlp-pino    pino with pino-opentelemetry-transport (worker thread), its
//                exporter set to OTLP/HTTP JSON (its default is protobuf).
// Only the timed records count as delivered: the warm-up logs another path
// (`/api/v1/warmup`), so warm-up records still in a queue when the clock
// starts are not counted. The clock stops when every timed record was sent
// or dropped: this logger's queue empty, the SDK's forceFlush(), pino's
// transport closed (its worker flushes the SDK when it ends).

import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import util from 'node:util'
import { createLogger, type Logger } from '../src/index'
import type { ReceiverMessage, ReceiverMode } from './ship-receiver'
import { findRsyslogd, startBenchRsyslog, type BenchRsyslog } from './rsyslog'

export const SHIP_VARIANTS = ['ship-file', 'ship-tcp', 'ship-down', 'ship-ceiling'] as const
export const OTLP_VARIANTS = ['otlp-oneapm', 'otlp-sdk', 'otlp-pino'] as const
export type ShipVariant = typeof SHIP_VARIANTS[number] | typeof OTLP_VARIANTS[number]

export interface ShipJob {
  readonly variant: ShipVariant
  /** Timed records, after `warmup` untimed ones. */
  readonly records: number
  readonly warmup: number
  /** The agent log (its directory is the run's: the exit spool goes there too). */
  readonly file: string
  /** ship-tcp's receiver: rsyslogd when installed (auto, the default), or the node:net counter. */
  readonly receiver?: 'auto' | 'rsyslog' | 'node'
  /** This logger's log_ship_queue (default: its default, 1MB); the tests make it small to see drops. */
  readonly shipQueue?: string
}

export interface ShipOutcome {
  readonly variant: ShipVariant
  readonly records: number
  /** From the first timed record to the stop (see above). */
  readonly elapsedMs: number
  /** From the first timed record to the last one handed to the logger. */
  readonly handedMs: number
  /** Timed records over elapsedMs. */
  readonly perSec: number
  /** What received: `rsyslogd 8.2302.0`, `node:net`, `node:http`, or `none`. */
  readonly receiver: string
  /** Timed records the receiver got, and those dropped (this logger: its counters; the peers: not delivered). */
  readonly delivered: number
  readonly dropped: number
  /** Timed records delivered over elapsedMs. */
  readonly deliveredPerSec: number
  /** This logger over the whole run (warm-up, notices): stats().ship after close, and the records in its file. */
  readonly sent?: number
  readonly droppedAll?: number
  /** Left queued at close (written to the exit spool). */
  readonly spooled?: number
  /** Messages the receiver got in all (warm-up and notices too). */
  readonly received?: number
  /** Records in the local file that were offered to shipping (all but the spool notice written after it stopped). */
  readonly offered?: number
  /** What the checks found wrong; empty when all is well. */
  readonly problems: readonly string[]
}

/** Workload 1's call; the OTLP workloads count the timed records by MARKER, the warm-up logs WARMUP_PATH. */
export const SHIP_MARKER = 'took 42 ms'
export const OTLP_MARKER = '/api/v1/users took 42 ms'
const TIMED_PATH = '/api/v1/users'
const WARMUP_PATH = '/api/v1/warmup'

const YIELD_EVERY = 1000
const DRAIN_MAX_MS = 60_000
const tick = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve) })
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const now = (): number => Number(process.hrtime.bigint()) / 1e6

async function drive (n: number, call: () => void): Promise<void> {
  for (let i = 1; i <= n; i++) {
    call()
    if (i % YIELD_EVERY === 0) await tick()
  }
}

/** A receiver process of bench/ship-receiver.ts. */
interface Receiver {
  readonly port: number
  count (): Promise<{ total: number, marked: number, bad: number }>
  stop (): Promise<void>
}

async function startReceiver (mode: ReceiverMode, marker: string): Promise<Receiver> {
  const child: ChildProcess = fork(path.join(__dirname, 'ship-receiver.js'), [mode, marker], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    if (child.connected) child.disconnect()
    const timer = setTimeout(() => { child.kill('SIGKILL') }, 5000)
    await exited
    clearTimeout(timer)
  }
  const next = <T extends ReceiverMessage['type']>(type: T): Promise<Extract<ReceiverMessage, { type: T }>> => new Promise((resolve, reject) => {
    const onMessage = (m: ReceiverMessage): void => {
      if (m.type !== type) return
      child.off('message', onMessage)
      resolve(m as Extract<ReceiverMessage, { type: T }>)
    }
    child.on('message', onMessage)
    exited.then(() => { reject(new Error(`the ${mode} receiver exited`)) }, () => {})
  })
  try {
    const { port } = await next('listening')
    return {
      port,
      count: async () => {
        const answer = next('count')
        child.send({ type: 'count' })
        return await answer
      },
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** A loopback port nothing listens on (one just given up by the kernel). */
async function closedPort (): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => { resolve() }))
  return port
}

interface ShipCounts { readonly sent: number, readonly dropped: number, readonly queued: number }

function shipCounts (log: Logger): ShipCounts {
  const s = log.stats().ship[0]
  if (s === undefined) return { sent: 0, dropped: 0, queued: 0 }
  return { sent: s.sent, dropped: s.dropped.queue_full + s.dropped.rejected + s.dropped.closed, queued: s.queued }
}

/** Waits until the queue holds nothing (each record sent or dropped); false after DRAIN_MAX_MS. */
async function drained (log: Logger): Promise<boolean> {
  const deadline = now() + DRAIN_MAX_MS
  while (shipCounts(log).queued > 0) {
    if (now() > deadline) return false
    await sleep(1)
  }
  return true
}

/** Waits until `get` reaches `want` (a receiver writing what it was sent); the last value after `ms`. */
async function reach (get: () => Promise<number> | number, want: number, ms: number): Promise<number> {
  const deadline = now() + ms
  for (;;) {
    const n = await get()
    if (n >= want || now() > deadline) return n
    await sleep(20)
  }
}

/** Lines of the local log (text layout: one record a line), and those with `marker`, and the spool notices. */
function readLocal (file: string, marker: string): { lines: number, marked: number, spoolNotices: number } {
  const text = fs.readFileSync(file, 'latin1')
  let lines = 0
  let marked = 0
  let spoolNotices = 0
  let start = 0
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    lines++
    const line = text.slice(start, nl)
    if (line.includes(marker)) marked++
    else if (line.includes('event=ship_spooled')) spoolNotices++
    start = nl + 1
  }
  return { lines, marked, spoolNotices }
}

const queueSetting = (job: ShipJob): { log_ship_queue?: string } => job.shipQueue === undefined ? {} : { log_ship_queue: job.shipQueue }

const call = (log: Logger, p: string) => (): void => { log.info('request %s took %d ms', p, 42) }

/** ship-tcp's receiver: a private rsyslogd when installed, else the node:net counter. */
interface SyslogReceiver {
  readonly port: number
  readonly name: string
  received (): Promise<{ total: number, marked: number }>
  stop (): Promise<void>
}

async function startSyslogReceiver (job: ShipJob): Promise<SyslogReceiver> {
  const bin = job.receiver === 'node' ? undefined : findRsyslogd()
  if (bin === undefined && job.receiver === 'rsyslog') throw new Error('rsyslogd is not installed')
  if (bin !== undefined) {
    const rsyslog: BenchRsyslog = await startBenchRsyslog(bin, path.join(path.dirname(job.file), 'rsyslog'))
    return { port: rsyslog.port, name: rsyslog.version, received: async () => rsyslog.count(SHIP_MARKER), stop: async () => { await rsyslog.stop() } }
  }
  const receiver = await startReceiver('syslog', SHIP_MARKER)
  return { port: receiver.port, name: 'node:net', received: async () => await receiver.count(), stop: async () => { await receiver.stop() } }
}

/** ship-ceiling: ready-made frames, as fast as the receiver takes them; then checks it got them all. */
async function ceilingRun (job: ShipJob): Promise<ShipOutcome> {
  const receiver = await startSyslogReceiver(job)
  const problems: string[] = []
  try {
    const msg = `<134>1 2026-12-01T08:00:00.000Z ${'bench-host'} oneapm ${process.pid} - - @cee:{"msg":"request ${TIMED_PATH} took 42 ms","thread":"main"}`
    const frame = `${Buffer.byteLength(msg)} ${msg}`
    const sock = net.connect(receiver.port, '127.0.0.1')
    await once(sock, 'connect')
    const send = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i += YIELD_EVERY) {
        if (!sock.write(frame.repeat(Math.min(YIELD_EVERY, n - i)))) await once(sock, 'drain')
      }
    }
    await send(job.warmup)
    await reach(async () => (await receiver.received()).marked, job.warmup, 15_000)
    const r0 = await receiver.received()
    const t0 = now()
    await send(job.records)
    // Every frame handed to the socket: where ship-tcp's clock stops too (its queue empty, before close()).
    const handedMs = now() - t0
    const elapsedMs = handedMs
    const r1 = await reach(async () => (await receiver.received()).marked, r0.marked + job.records, DRAIN_MAX_MS)
    sock.destroy()
    const delivered = r1 - r0.marked
    if (delivered !== job.records) problems.push(`the receiver got ${delivered} of ${job.records} frames`)
    return {
      variant: job.variant,
      records: job.records,
      elapsedMs,
      handedMs,
      perSec: job.records / elapsedMs * 1000,
      receiver: receiver.name,
      delivered,
      dropped: 0,
      deliveredPerSec: delivered / elapsedMs * 1000,
      problems
    }
  } finally {
    await receiver.stop()
  }
}

/** Workloads 11 and 12. */
async function syslogRun (job: ShipJob): Promise<ShipOutcome> {
  if (job.variant === 'ship-ceiling') return await ceilingRun(job)
  const problems: string[] = []
  let rx: SyslogReceiver | undefined
  let target: string | undefined
  let receiverName = 'none'
  if (job.variant === 'ship-tcp') {
    rx = await startSyslogReceiver(job)
    receiverName = rx.name
    target = `syslog+tcp://127.0.0.1:${rx.port}`
  } else if (job.variant === 'ship-down') {
    target = `syslog+tcp://127.0.0.1:${await closedPort()}`
  }
  const received = async (): Promise<{ total: number, marked: number }> => rx !== undefined ? await rx.received() : { total: 0, marked: 0 }
  try {
    const log = createLogger({ log_file: job.file, log_format: 'text', log_level: 'info', ...(target === undefined ? {} : { log_ship: target }), ...queueSetting(job) }, { global: false })
    const info = call(log, TIMED_PATH)
    await drive(job.warmup, info)
    // The warm-up leaves (and, with a receiver, arrives) before the clock starts.
    if (job.variant === 'ship-tcp') {
      if (!await drained(log)) problems.push(`the warm-up did not drain in ${DRAIN_MAX_MS / 1000} s`)
      await reach(async () => (await received()).total, shipCounts(log).sent, 15_000)
    }
    await sleep(50)
    const s0 = shipCounts(log)
    const r0 = await received()
    const t0 = now()
    await drive(job.records, info)
    const handedMs = now() - t0
    if (job.variant === 'ship-tcp' && !await drained(log)) problems.push(`the queue did not drain in ${DRAIN_MAX_MS / 1000} s`)
    const s1 = shipCounts(log)
    log.flush()
    await log.close()
    const elapsedMs = now() - t0
    const all = log.stats().ship[0]
    const sent = all?.sent ?? 0
    // rsyslog writes what it read a little later: wait until every message sent is there.
    if (job.variant === 'ship-tcp') await reach(async () => (await received()).total, sent, 15_000)
    const r1 = job.variant === 'ship-tcp' ? await received() : r0
    const local = readLocal(job.file, SHIP_MARKER)
    const emitted = job.warmup + job.records
    if (local.marked !== emitted) problems.push(`${local.marked} records in the file, ${emitted} logged`)
    const delivered = r1.marked - r0.marked
    const droppedTimed = s1.dropped - s0.dropped
    const outcome = {
      variant: job.variant,
      records: job.records,
      elapsedMs,
      handedMs,
      perSec: job.records / elapsedMs * 1000,
      receiver: receiverName,
      delivered,
      dropped: droppedTimed,
      deliveredPerSec: delivered / elapsedMs * 1000
    }
    if (all === undefined) return { ...outcome, problems }
    const droppedAll = all.dropped.queue_full + all.dropped.rejected + all.dropped.closed
    // Every record at info and above reaches the file and the ship sink alike, until the sink
    // stops (the spool notice comes after): each of those was sent, dropped, or left queued.
    const offered = local.lines - local.spoolNotices
    if (sent + droppedAll + all.queued !== offered) problems.push(`shipping accounted for ${sent + droppedAll + all.queued} records (${sent} sent, ${droppedAll} dropped, ${all.queued} spooled), the file holds ${offered}`)
    if (job.variant === 'ship-tcp') {
      if (r1.total !== sent) problems.push(`the receiver got ${r1.total} messages, ${sent} were sent`)
      if (delivered + droppedTimed < job.records) problems.push(`${delivered} timed records delivered and ${droppedTimed} dropped, ${job.records} logged`)
      if (all.queued !== 0) problems.push(`${all.queued} records still queued at close`)
    } else if (sent !== 0) {
      problems.push(`${sent} records sent to a port nothing listens on`)
    }
    return { ...outcome, sent, droppedAll, spooled: all.queued, received: r1.total, offered, problems }
  } finally {
    await rx?.stop()
  }
}

/** Workload 13, this logger. */
async function otlpOneapm (job: ShipJob, receiver: Receiver): Promise<ShipOutcome> {
  const problems: string[] = []
  const log = createLogger({ log_file: job.file, log_format: 'text', log_level: 'info', log_ship: `otlp+http://127.0.0.1:${receiver.port}`, ...queueSetting(job) }, { global: false })
  await drive(job.warmup, call(log, WARMUP_PATH))
  if (!await drained(log)) problems.push(`the warm-up did not drain in ${DRAIN_MAX_MS / 1000} s`)
  await sleep(50)
  const s0 = shipCounts(log)
  const t0 = now()
  await drive(job.records, call(log, TIMED_PATH))
  const handedMs = now() - t0
  if (!await drained(log)) problems.push(`the queue did not drain in ${DRAIN_MAX_MS / 1000} s`)
  const elapsedMs = now() - t0
  const s1 = shipCounts(log)
  log.flush()
  await log.close()
  const all = log.stats().ship[0]
  const r = await receiver.count()
  const local = readLocal(job.file, OTLP_MARKER)
  const sent = all?.sent ?? 0
  const droppedAll = all === undefined ? 0 : all.dropped.queue_full + all.dropped.rejected + all.dropped.closed
  const offered = local.lines - local.spoolNotices
  const dropped = s1.dropped - s0.dropped
  if (r.total !== sent) problems.push(`the receiver got ${r.total} records, ${sent} were sent`)
  if (r.bad > 0) problems.push(`the receiver could not read ${r.bad} payloads`)
  if (sent + droppedAll + (all?.queued ?? 0) !== offered) problems.push(`shipping accounted for ${sent + droppedAll + (all?.queued ?? 0)} records, the file holds ${offered}`)
  if (r.marked + dropped < job.records || r.marked > job.records) problems.push(`${r.marked} timed records delivered and ${dropped} dropped, ${job.records} logged`)
  return {
    variant: job.variant,
    records: job.records,
    elapsedMs,
    handedMs,
    perSec: job.records / elapsedMs * 1000,
    receiver: 'node:http',
    delivered: r.marked,
    dropped,
    deliveredPerSec: r.marked / elapsedMs * 1000,
    sent,
    droppedAll,
    spooled: all?.queued ?? 0,
    received: r.total,
    offered,
    problems
  }
}

/** Workload 13, the OpenTelemetry SDK: BatchLogRecordProcessor and the OTLP/HTTP (JSON) exporter, defaults. */
async function otlpSdk (job: ShipJob, receiver: Receiver): Promise<Omit<ShipOutcome, 'delivered' | 'dropped' | 'deliveredPerSec' | 'problems'>> {
  const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs') as typeof import('@opentelemetry/sdk-logs')
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http') as typeof import('@opentelemetry/exporter-logs-otlp-http')
  const { SeverityNumber } = require('@opentelemetry/api-logs') as typeof import('@opentelemetry/api-logs')
  const exporter = new OTLPLogExporter({ url: `http://127.0.0.1:${receiver.port}/v1/logs` })
  const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor(exporter)] })
  const logger = provider.getLogger('bench')
  // What a caller of the SDK writes for workload 1: the message formatted, then emitted.
  const emit = (p: string) => (): void => { logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: util.format('request %s took %d ms', p, 42) }) }
  await drive(job.warmup, emit(WARMUP_PATH))
  await provider.forceFlush()
  await sleep(50)
  const t0 = now()
  await drive(job.records, emit(TIMED_PATH))
  const handedMs = now() - t0
  await provider.forceFlush()
  const elapsedMs = now() - t0
  await provider.shutdown()
  return { variant: job.variant, records: job.records, elapsedMs, handedMs, perSec: job.records / elapsedMs * 1000, receiver: 'node:http' }
}

interface PinoLike { info: (...args: unknown[]) => void }
interface ThreadStream extends NodeJS.EventEmitter { end: () => void }

/** Workload 13, pino with pino-opentelemetry-transport (a worker thread running the SDK, batch processor defaults). */
async function otlpPino (job: ShipJob, receiver: Receiver): Promise<Omit<ShipOutcome, 'delivered' | 'dropped' | 'deliveredPerSec' | 'problems'>> {
  const pino = require('pino') as ((stream: ThreadStream) => PinoLike) & { transport: (o: unknown) => ThreadStream }
  const transport = pino.transport({
    target: 'pino-opentelemetry-transport',
    options: {
      loggerName: 'bench',
      serviceVersion: '1.0.0',
      logRecordProcessorOptions: { recordProcessorType: 'batch', exporterOptions: { protocol: 'http', httpExporterOptions: { url: `http://127.0.0.1:${receiver.port}/v1/logs` } } }
    }
  })
  // The transport is ready once it has pino's config (expectPinoConfig), which pino() sends.
  const ready = once(transport, 'ready')
  const log = pino(transport)
  await ready
  const info = (p: string) => (): void => { log.info('request %s took %d ms', p, 42) }
  await drive(job.warmup, info(WARMUP_PATH))
  await sleep(50)
  const t0 = now()
  await drive(job.records, info(TIMED_PATH))
  const handedMs = now() - t0
  // No flush reaches the SDK inside the worker: ending the transport shuts it down, which exports what it holds.
  const closed = once(transport, 'close')
  transport.end()
  await closed
  const elapsedMs = now() - t0
  return { variant: job.variant, records: job.records, elapsedMs, handedMs, perSec: job.records / elapsedMs * 1000, receiver: 'node:http' }
}

async function otlpRun (job: ShipJob): Promise<ShipOutcome> {
  const receiver = await startReceiver('otlp', OTLP_MARKER)
  try {
    if (job.variant === 'otlp-oneapm') return await otlpOneapm(job, receiver)
    const base = job.variant === 'otlp-sdk' ? await otlpSdk(job, receiver) : await otlpPino(job, receiver)
    const r = await receiver.count()
    const problems: string[] = []
    if (r.marked > job.records) problems.push(`${r.marked} timed records delivered, ${job.records} logged`)
    if (r.bad > 0) problems.push(`the receiver could not read ${r.bad} payloads`)
    return { ...base, delivered: r.marked, dropped: job.records - r.marked, deliveredPerSec: r.marked / base.elapsedMs * 1000, received: r.total, problems }
  } finally {
    await receiver.stop()
  }
}

export async function runShip (job: ShipJob): Promise<ShipOutcome> {
  return (OTLP_VARIANTS as readonly string[]).includes(job.variant) ? await otlpRun(job) : await syslogRun(job)
}
