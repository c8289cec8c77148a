// Syslog over a byte stream: TCP (RFC 6587), TLS (RFC 5425) or a unix stream
// socket, each message framed by octet counting (`LEN SP MSG`).
//
// Connection: opened on the first send, not before; a connect timeout; on a
// failure, no new attempt before the backoff delay (100 ms doubling to 30 s,
// ±20 % jitter), and meanwhile send answers `retry` at once (with the time
// left as retryAfterMs) instead of waiting. The socket is unref'd and read
// (and what it reads discarded) so that the peer's FIN is seen.
//
// Backpressure: the batch (every frame waiting, up to STREAM_BATCH_BYTES,
// octet counts included: the queue holds them ready) is one write; it counts as sent once Node has
// handed it to the kernel down to the socket's highWaterMark ('drain'), or
// the write fits under it. A write that does not drain within
// writeTimeoutMs ends the connection, and the batch is retried. Nothing is
// buffered beyond the batch being sent and the copies kept for a resend (2.).
//
// The message in flight when the receiver restarts: a write into a
// connection whose peer has just died succeeds (it only reaches the kernel);
// the peer's RST comes after. Two measures:
//   1. Before writing on a connection that wrote nothing for resendWindowMs,
//      send yields one event-loop turn so that a FIN or RST the kernel
//      already holds is seen; a connection the peer ended is then replaced
//      before anything is written into it (the idle-restart case loses
//      nothing). A busier connection writes at once: 2. covers it.
//   2. What was written in the last resendWindowMs (1 s) is kept, up to
//      resendMaxBytes (256 KiB, oldest dropped first). When the peer ends
//      the connection, those batches are written again, first, on the next
//      connection, once. A receiver that is stopping stops reading before
//      it closes; what we write in between is lost without this (measured
//      with rsyslog and SIGTERM: the last two batches before the FIN).
//      Duplicates are possible (what the receiver did read in that second);
//      loss is limited to what was written more than resendWindowMs before
//      the connection ended, or beyond resendMaxBytes, and not read, plus
//      whatever the receiver read but did not store (syslog has no
//      acknowledgement; where that matters, ship to a local relay with a
//      disk queue).
//
// A unix path that is a datagram socket (/dev/log under journald or
// rsyslog's imuxsock) cannot be reached: Node has no unix datagram sockets.
// Such a connect fails with EPROTOTYPE and the batch is rejected, with a
// reason saying so; only stream sockets (rsyslog imptcp path=, syslog-ng
// unix-stream()) are supported.

import fs from 'node:fs'
import type * as Net from 'node:net'
import type * as Tls from 'node:tls'
import { lazy } from '../../internal/lazy'
import type { Frame, SendOutcome, ShippedRecord } from '../transport'
import { createBackoff } from './backoff'
import { errorCode, errorReason, neverRejects, retryAll } from './batch'
import { whileWritePending } from '../idle-exit'
import type { SyslogFramer } from './format'
import type { SyslogCounters, SyslogTransport, SyslogTransportOptions } from './transport'
import type { SyslogNetTarget, SyslogUnixTarget } from './url'

// Loaded with the first TLS connection: node:tls is not free, and most agents never ship over TLS.
const tlsModule = lazy(() => require('node:tls') as typeof Tls)
const net = lazy(() => require('node:net') as typeof Net)

const DEFAULT_CONNECT_TIMEOUT_MS = 5000
const DEFAULT_WRITE_TIMEOUT_MS = 10_000
const DEFAULT_RESEND_WINDOW_MS = 1000
const DEFAULT_RESEND_MAX_BYTES = 256 * 1024

/** A CA bundle is a few KB; Node's whole trust store is about 200 KB. */
const MAX_CA_BYTES = 1024 * 1024

/**
 * The ca= file, read on the main thread: refused unless a regular file of at
 * most MAX_CA_BYTES (a FIFO would block the host, /dev/zero fill its memory).
 * Opened non-blocking so that opening a FIFO does not wait for a writer.
 */
function readCa (file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile()) throw Object.assign(new Error(`ca ${file} is not a regular file`), { code: 'ENOTFILE' })
    if (st.size > MAX_CA_BYTES) throw Object.assign(new Error(`ca ${file} is over ${MAX_CA_BYTES} bytes`), { code: 'EFBIG' })
    const buf = Buffer.alloc(st.size)
    const n = st.size === 0 ? 0 : fs.readSync(fd, buf, 0, buf.length, 0)
    return buf.toString('utf8', 0, n)
  } finally {
    fs.closeSync(fd)
  }
}

interface Written { readonly bytes: Buffer, readonly records: number, readonly at: number }

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * At most this much per write: everything a busy host logged while the last
 * write drained, and under resendMaxBytes, so that a batch can be written
 * again after a receiver restart.
 */
const STREAM_BATCH_BYTES = 192 * 1024
const STREAM_BATCH_MAX = 8192

export function createStreamTransport (target: SyslogNetTarget | SyslogUnixTarget, framer: SyslogFramer, options: SyslogTransportOptions): SyslogTransport {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS
  const resendWindowMs = options.resendWindowMs ?? DEFAULT_RESEND_WINDOW_MS
  const resendMaxBytes = options.resendMaxBytes ?? DEFAULT_RESEND_MAX_BYTES
  const backoff = createBackoff(options.backoff)
  const counters: SyslogCounters = { connects: 0, connectFailures: 0, resentBatches: 0, resentRecords: 0 }

  let sock: Net.Socket | undefined
  /** A connection being opened, so that close() can end it. */
  let opening: Net.Socket | undefined
  /** The peer ended `sock` (FIN or error) and its 'close' has not come yet. */
  let peerEnded = false
  let notBefore = 0
  let lastError = ''
  /** Batches written on `sock` in the last resendWindowMs, oldest first, at most resendMaxBytes. */
  let recent: Written[] = []
  let recentBytes = 0
  let resend: { bytes: Buffer, records: number } | undefined
  let closed = false
  let abortWrite: (() => void) | undefined
  let ca: string | undefined
  /** When the last batch was written (drained): a connection busier than the resend window skips the turn before writing. */
  let lastWriteAt = -Infinity

  function prune (now: number): void {
    let i = 0
    while (i < recent.length && (now - recent[i]!.at > resendWindowMs || recentBytes > resendMaxBytes)) {
      recentBytes -= recent[i]!.bytes.length
      i++
    }
    if (i > 0) recent = recent.slice(i)
  }

  function remember (bytes: Buffer, records: number): void {
    if (resendWindowMs <= 0 || bytes.length > resendMaxBytes) {
      recent = []
      recentBytes = 0
      return
    }
    recent.push({ bytes, records, at: Date.now() })
    recentBytes += bytes.length
    prune(Date.now())
  }

  /** Forget `s` as the connection; what was written on it just before it ended is to be written again. */
  function drop (s: Net.Socket): void {
    if (s !== sock) return
    sock = undefined
    prune(Date.now())
    if (recent.length > 0 && resend === undefined) {
      resend = { bytes: Buffer.concat(recent.map((w) => w.bytes)), records: recent.reduce((n, w) => n + w.records, 0) }
    }
    recent = []
    recentBytes = 0
    s.destroy()
  }

  function open (): Net.Socket {
    if (target.protocol === 'unix') return net().connect({ path: target.path })
    if (target.protocol === 'tcp') return net().connect({ host: target.host, port: target.port })
    if (target.caFile !== undefined && ca === undefined) ca = readCa(target.caFile)
    const o: Tls.ConnectionOptions = { host: target.host, port: target.port, rejectUnauthorized: true }
    if (net().isIP(target.host) === 0) o.servername = target.host
    if (ca !== undefined) o.ca = ca
    return tlsModule().connect(o)
  }

  function connect (): Promise<Net.Socket | string> {
    return new Promise((resolve) => {
      let s: Net.Socket
      try {
        s = open()
      } catch (err) {
        resolve(errorReason(err))
        return
      }
      opening = s
      s.unref()
      let settled = false
      const settle = (v: Net.Socket | string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (opening === s) opening = undefined
        if (typeof v === 'string') s.destroy()
        resolve(v)
      }
      const timer = setTimeout(() => { settle(`connect timeout after ${connectTimeoutMs} ms`) }, connectTimeoutMs)
      timer.unref()
      s.on('error', (err) => {
        if (!settled) {
          settle(errorCode(err) === 'EPROTOTYPE' ? `EPROTOTYPE: ${target.display} is not a stream socket (a datagram socket such as journald's /dev/log cannot be reached from Node.js; use rsyslog imptcp path= or syslog+udp://127.0.0.1:514)` : errorReason(err))
          return
        }
        lastError = errorReason(err)
        peerEnded = true
      })
      s.once(target.protocol === 'tls' ? 'secureConnect' : 'connect', () => { settle(s) })
      s.on('end', () => { peerEnded = true })
      s.on('close', () => {
        settle('connection closed while connecting')
        drop(s)
      })
      // Read, and discard: a receiver sends nothing, but reading is how its FIN is seen.
      s.on('data', () => {})
    })
  }

  async function ensure (): Promise<Net.Socket | string> {
    if (sock !== undefined) {
      if (!peerEnded && !sock.destroyed && sock.writable) return sock
      drop(sock)
    }
    const wait = notBefore - Date.now()
    if (wait > 0) return `reconnecting in ${wait} ms after ${lastError}`
    const r = await connect()
    if (typeof r === 'string') {
      counters.connectFailures++
      lastError = r
      notBefore = Date.now() + backoff.next()
      return r
    }
    if (closed) {
      r.destroy()
      return 'closed'
    }
    counters.connects++
    sock = r
    peerEnded = false
    return r
  }

  /** true once `payload` is written and drained; else why not. */
  function write (s: Net.Socket, payload: Buffer): Promise<true | string> {
    return new Promise((resolve) => {
      let settled = false
      let release: (() => void) | undefined
      const settle = (v: true | string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        release?.()
        s.off('drain', onDrain)
        s.off('close', onClose)
        abortWrite = undefined
        resolve(v)
      }
      const onDrain = (): void => { settle(true) }
      const onClose = (): void => { settle(lastError === '' ? 'connection closed' : lastError) }
      const timer = setTimeout(() => { settle(`write not drained after ${writeTimeoutMs} ms`) }, writeTimeoutMs)
      timer.unref()
      abortWrite = () => { settle('closed') }
      s.on('drain', onDrain)
      s.on('close', onClose)
      let flushed: boolean
      try {
        flushed = s.write(payload, (err) => { if (err != null) settle(errorReason(err)) })
      } catch (err) {
        settle(errorReason(err))
        return
      }
      if (flushed) settle(true)
      else if (!settled) {
        release = whileWritePending(() => {
          settle('the host is exiting and the receiver is not reading')
          drop(s)
        })
      }
    })
  }

  async function sendFrames (frames: readonly Frame[]): Promise<SendOutcome> {
    const n = frames.length
    if (closed) return retryAll(n, 'closed')
    let truncated = 0
    for (const f of frames) if (f.truncated) truncated++
    // A connection idle for longer than the resend window gets a turn to show a FIN first (1. above);
    // a busy one needs none: what it takes before an unseen FIN is in the window, written again (2.).
    if (sock === undefined || peerEnded || Date.now() - lastWriteAt >= resendWindowMs) {
      await nextTurn()
      if (closed) return retryAll(n, 'closed')
    }
    const s = await ensure()
    if (typeof s === 'string') {
      if (s.startsWith('EPROTOTYPE')) return { sent: 0, rejected: n, retry: 0, truncated: 0, reason: s }
      return retryAll(n, s, notBefore - Date.now())
    }
    // One write per batch: the frames joined, already octet-counted.
    let joined = ''
    for (const f of frames) joined += f.text
    const bytes = Buffer.from(joined)
    const again = resend
    const payload = again === undefined ? bytes : Buffer.concat([again.bytes, bytes])
    const done = await write(s, payload)
    if (done !== true) {
      if (sock === s) drop(s)
      notBefore = Date.now() + backoff.next()
      return retryAll(n, done, notBefore - Date.now())
    }
    if (again !== undefined && resend === again) {
      resend = undefined
      counters.resentBatches++
      counters.resentRecords += again.records
    }
    backoff.reset()
    lastWriteAt = Date.now()
    if (sock === s) remember(bytes, n)
    return { sent: n, rejected: 0, retry: 0, truncated }
  }

  async function send (records: readonly ShippedRecord[]): Promise<SendOutcome> {
    const frames: Frame[] = []
    let rejected = 0
    for (const r of records) {
      const f = encodeRecord(r)
      if (f === undefined) rejected++
      else frames.push(f)
    }
    if (frames.length === 0) return { sent: 0, rejected, retry: 0, truncated: 0, reason: 'records could not be encoded' }
    const o = await sendFrames(frames)
    return rejected === 0 ? o : { ...o, rejected: o.rejected + rejected }
  }

  function encodeRecord (r: ShippedRecord): Frame | undefined {
    try {
      return framer.fromRecord(r)
    } catch {
      return undefined
    }
  }

  return {
    target: target.display,
    send: neverRejects(send),
    sendFrames: neverRejects(sendFrames),
    encodeParts: (p) => framer.fromParts(p),
    encodeRecord,
    maxInFlight: 1,
    batchMax: STREAM_BATCH_MAX,
    batchBytes: STREAM_BATCH_BYTES,
    batchMs: 0,
    close () {
      if (closed) return
      closed = true
      abortWrite?.()
      opening?.destroy()
      if (sock !== undefined) {
        const s = sock
        sock = undefined
        s.destroy()
      }
      resend = undefined
      recent = []
    },
    get counters () { return { ...counters } }
  }
}
