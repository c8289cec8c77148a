// Shipping end to end, through createLogger(): records to a real rsyslog and
// to an OTLP receiver on loopback, retries, the exit spool, memory while the
// destination is down, and headers that never reach any output.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { after, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import zlib from 'node:zlib'
import { createLogger } from '../../src/index'
import { spawn } from 'node:child_process'
import { cleanEnv, runScript } from '../helpers/child'
import { LIB } from '../helpers/tmp'
import { startRsyslog, type Rsyslog } from '../helpers/rsyslog'
import { readLines, tmpDir } from '../helpers/tmp'
import { decodeWithoutLoss } from '../ship/otlp/proto'

interface Receiver {
  readonly url: string
  /** Every record body received, in order (duplicates kept). */
  readonly bodies: string[]
  readonly requests: Array<{ headers: http.IncomingHttpHeaders, status: number }>
  /** Status for the next requests: shifted off each request; 200 when empty. */
  readonly statuses: Array<{ status: number, headers?: Record<string, string>, body?: string }>
  close (): Promise<void>
}

/** An OTLP/HTTP receiver on loopback that decodes every payload against the proto definitions. */
async function otlpReceiver (port = 0): Promise<Receiver> {
  const bodies: string[] = []
  const requests: Receiver['requests'] = []
  const statuses: Receiver['statuses'] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const next = statuses.shift() ?? { status: 200 }
      requests.push({ headers: req.headers, status: next.status })
      if (next.status === 200) {
        const raw = Buffer.concat(chunks)
        const json = (req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString()
        decodeWithoutLoss(json)
        const parsed = JSON.parse(json) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ body: { stringValue: string } }> }> }> }
        for (const rl of parsed.resourceLogs) for (const sl of rl.scopeLogs) for (const lr of sl.logRecords) bodies.push(lr.body.stringValue)
      }
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers })
      res.end(next.body ?? '{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const bound = (server.address() as AddressInfo).port
  return {
    url: `otlp+http://127.0.0.1:${bound}`,
    bodies,
    requests,
    statuses,
    close: async () => { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())) }
  }
}

async function until (what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

function runAsync (body: string): Promise<{ status: number | null, stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', `const lib = require(${JSON.stringify(LIB)});\n${body}`], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stderr }) })
  })
}

let rsyslog: Rsyslog | undefined
after(async () => { await rsyslog?.stop('SIGKILL') })

test('syslog over TCP, through createLogger: every record at log_ship_level and above arrives once, parsed by rsyslog; debug below it does not', async (t) => {
  rsyslog ??= await startRsyslog()
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const before = rsyslog.received().length
  const log = createLogger({ log_file: path.join(dir, 'agent.log'), log_ship: `syslog+tcp://127.0.0.1:${rsyslog.tcpPort}`, log_ship_level: 'info', log_level: 'debug' }, { global: false })
  const collector = log.child('collector', { run_id: 'r1' })
  for (let i = 0; i < 300; i++) collector.info({ seq: i }, 'harvest %d', i)
  collector.debug('not shipped')
  collector.error(new Error('collector gone'), 'harvest failed')
  const got = await rsyslog.waitFor(before + 301)
  const mine = got.slice(before).filter((m) => m.msgid === 'collector')
  const seqs = mine.filter((m) => m.cee.seq !== undefined).map((m) => m.cee.seq)
  assert.deepEqual(seqs, Array.from({ length: 300 }, (_, i) => i))
  assert.ok(mine.every((m) => m.app === 'oneapm' && m.procid === String(process.pid)))
  const error = mine.find((m) => m.cee.msg === 'harvest failed')
  assert.equal(error?.sev, 3)
  assert.ok(!got.slice(before).some((m) => m.raw.includes('not shipped')))
  await log.close()
  // Counters stay readable after close().
  const s = log.stats().ship[0]
  assert.ok((s?.sent ?? 0) >= 301, JSON.stringify(s))
  assert.deepEqual(s?.dropped, { queue_full: 0, rejected: 0, closed: 0 })
})

test('OTLP: a 503 with Retry-After, then 200, delivers every record exactly once; the outage and the recovery are one line each in the local log', async (t) => {
  const rx = await otlpReceiver()
  const dir = tmpDir()
  t.after(async () => { await rx.close(); fs.rmSync(dir, { recursive: true, force: true }) })
  rx.statuses.push({ status: 503, headers: { 'retry-after': '1' } })
  const file = path.join(dir, 'agent.log')
  const log = createLogger({ log_file: file, log_ship: rx.url }, { global: false })
  for (let i = 0; i < 200; i++) log.info('record %d', i)
  await until('200 records', () => rx.bodies.filter((b) => b.startsWith('record ')).length >= 200)
  await sleep(300)
  const records = rx.bodies.filter((b) => b.startsWith('record '))
  assert.deepEqual(records, Array.from({ length: 200 }, (_, i) => `record ${i}`), 'each once, in order')
  assert.equal(rx.requests[0]?.status, 503)
  log.flush()
  const lines = readLines(file)
  assert.equal(lines.filter((l) => l.includes('event=ship_error')).length, 1, lines.join('\n'))
  assert.equal(lines.filter((l) => l.includes('event=ship_recovered')).length, 1, lines.join('\n'))
  assert.ok((log.stats().ship[0]?.retried ?? 0) >= 200)
  await log.close()
})

test('OTLP: a 400 is not retried; the rejected records are counted and said once', async (t) => {
  const rx = await otlpReceiver()
  const dir = tmpDir()
  t.after(async () => { await rx.close(); fs.rmSync(dir, { recursive: true, force: true }) })
  rx.statuses.push({ status: 400, body: '{"error":"bad"}' })
  const file = path.join(dir, 'agent.log')
  const log = createLogger({ log_file: file, log_ship: rx.url }, { global: false })
  for (let i = 0; i < 10; i++) log.warning('bad %d', i)
  await until('the 400', () => rx.requests.length >= 1)
  await sleep(1500)
  log.info('after')
  await until('the next batch', () => rx.bodies.includes('after'))
  assert.equal(rx.bodies.filter((b) => b.startsWith('bad ')).length, 0, 'never retried')
  // The startup line went in the same first batch.
  assert.equal(log.stats().ship[0]?.dropped.rejected, 11)
  log.flush()
  assert.equal(readLines(file).filter((l) => l.includes('event=ship_rejected')).length, 1)
  await log.close()
})

test('OTLP headers (log_ship_headers and OTEL_EXPORTER_OTLP_HEADERS) reach the receiver and no output: records, stats, doctor-visible config problems', async (t) => {
  const rx = await otlpReceiver()
  const dir = tmpDir()
  const secret = 'hdrS3cretValue9f8e7d6c'
  const envSecret = 'envS3cretValue1a2b3c4d'
  process.env.OTEL_EXPORTER_OTLP_HEADERS = `x-env-key=${envSecret}`
  t.after(async () => { delete process.env.OTEL_EXPORTER_OTLP_HEADERS; await rx.close(); fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  const log = createLogger({ log_file: file, log_ship: `${rx.url}, otlp+http://127.0.0.1:1`, log_ship_headers: `api-key=${secret}` }, { global: false })
  log.info('the key is %s and the env one %s', secret, envSecret)
  log.info({ header: `api-key=${secret}` }, 'as a field')
  await until('the records', () => rx.bodies.length >= 2)
  assert.equal(rx.requests[0]?.headers['api-key'], secret)
  assert.equal(rx.requests[0]?.headers['x-env-key'], envSecret)
  for (const b of rx.bodies) assert.ok(!b.includes(secret) && !b.includes(envSecret), b)
  log.flush()
  const text = fs.readFileSync(file, 'utf8') + JSON.stringify(log.stats())
  assert.ok(!text.includes(secret) && !text.includes(envSecret), text)
  await log.close()
})

test('exit spool: with the destination down, process.exit() after 1,000 records leaves a spool; the next process delivers those 1,000 records', async (t) => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  // A port nothing listens on yet: the first process cannot ship.
  const rx = await otlpReceiver()
  const url = rx.url
  await rx.close()
  const first = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_ship: ${JSON.stringify(url)} })
    for (let i = 0; i < 1000; i++) log.info('spooled %d', i)
    setTimeout(() => process.exit(0), 300)
  `)
  assert.equal(first.status, 0, first.stderr)
  const spools = fs.readdirSync(dir).filter((n) => n.startsWith('oneapm-unsent-'))
  assert.equal(spools.length, 1, fs.readdirSync(dir).join(' '))
  // The 1,000 and the startup line, plus the outage warning when the first send failed before the exit (a loaded machine may not get that far in 300 ms).
  assert.ok(readLines(file).some((l) => l.includes('event=ship_spooled') && /records=100[12]\b/.test(l)), readLines(file).slice(-3).join('\n'))
  // The receiver comes back on the same port; a new process ships what the first could not.
  const port = Number(new URL(url.replace('otlp+', '')).port)
  const back = await otlpReceiver(port)
  t.after(async () => { await back.close() })
  // Asynchronously: this process serves the receiver meanwhile.
  const second = await runAsync(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_ship: ${JSON.stringify(url)} })
    setTimeout(() => log.close(), 2500)
  `)
  assert.equal(second.status, 0, second.stderr)
  const spooled = back.bodies.filter((b) => b.startsWith('spooled '))
  assert.deepEqual(spooled, Array.from({ length: 1000 }, (_, i) => `spooled ${i}`))
  assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith('oneapm-unsent-')).length, 0, 'the spool was consumed')
})

