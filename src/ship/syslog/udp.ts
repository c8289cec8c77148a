// Syslog over UDP (RFC 5426): one message per datagram, on a connected,
// unref'd socket (created on the first send, after one DNS lookup). A
// connected socket hears the ICMP "port unreachable" a stopped receiver
// causes: the next send fails with ECONNREFUSED and the rest of the batch is
// retried after the backoff. UDP has no other feedback, so while the receiver
// is down, about one datagram per reconnect attempt is lost (the one that
// draws the ICMP answer), and a datagram the receiver's buffer has no room
// for is lost silently. EMSGSIZE (a datagram over the path's limit; only
// with a max above the default 2048) rejects that message; the rest go on.
// Nothing here throws or emits an unhandled 'error' (winston-syslog #123).

import type * as Dgram from 'node:dgram'
import { lazy } from '../../internal/lazy'
import type * as Dns from 'node:dns'
import type * as Net from 'node:net'
import type { Frame, SendOutcome, ShippedRecord } from '../transport'
import { createBackoff } from './backoff'
import { errorCode, errorReason, neverRejects, retryAll } from './batch'
import type { SyslogFramer } from './format'
import type { SyslogCounters, SyslogTransport, SyslogTransportOptions } from './transport'
import type { SyslogNetTarget } from './url'

// Loaded with the first UDP destination.
const dgramModule = lazy(() => require('node:dgram') as typeof Dgram)
const dns = lazy(() => require('node:dns') as typeof Dns)
const net = lazy(() => require('node:net') as typeof Net)

const DEFAULT_CONNECT_TIMEOUT_MS = 5000

export function createUdpTransport (target: SyslogNetTarget, framer: SyslogFramer, options: SyslogTransportOptions): SyslogTransport {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const backoff = createBackoff(options.backoff)
  const counters: SyslogCounters = { connects: 0, connectFailures: 0, resentBatches: 0, resentRecords: 0 }
  let sock: Dgram.Socket | undefined
  let notBefore = 0
  let lastError = ''
  let closed = false

  function drop (s: Dgram.Socket): void {
    if (sock === s) sock = undefined
    try { s.close() } catch {}
  }

  function lookup (host: string): Promise<{ address: string, family: number } | string> {
    const family = net().isIP(host)
    if (family !== 0) return Promise.resolve({ address: host, family })
    return new Promise((resolve) => {
      const timer = setTimeout(() => { resolve(`DNS lookup of ${host} timed out after ${connectTimeoutMs} ms`) }, connectTimeoutMs)
      timer.unref()
      dns().lookup(host, (err, address, fam) => {
        clearTimeout(timer)
        resolve(err === null ? { address, family: fam } : errorReason(err))
      })
    })
  }

  async function connect (): Promise<Dgram.Socket | string> {
    const addr = await lookup(target.host)
    if (typeof addr === 'string') return addr
    return new Promise((resolve) => {
      let s: Dgram.Socket
      try {
        s = dgramModule().createSocket({ type: addr.family === 6 ? 'udp6' : 'udp4' })
      } catch (err) {
        resolve(errorReason(err))
        return
      }
      let settled = false
      const settle = (v: Dgram.Socket | string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (typeof v === 'string') drop(s)
        resolve(v)
      }
      const timer = setTimeout(() => { settle(`connect timeout after ${connectTimeoutMs} ms`) }, connectTimeoutMs)
      timer.unref()
      s.on('error', (err) => {
        lastError = errorReason(err)
        if (!settled) settle(lastError)
        else drop(s)
      })
      try {
        s.connect(target.port, addr.address, () => { settle(s) })
        s.unref()
      } catch (err) {
        settle(errorReason(err))
      }
    })
  }

  async function ensure (): Promise<Dgram.Socket | string> {
    if (sock !== undefined) return sock
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
      drop(r)
      return 'closed'
    }
    counters.connects++
    sock = r
    return r
  }

  function sendOne (s: Dgram.Socket, message: Buffer): Promise<unknown> {
    return new Promise((resolve) => {
      try {
        s.send(message, (err) => { resolve(err ?? undefined) })
      } catch (err) {
        resolve(err)
      }
    })
  }

  async function sendFrames (frames: readonly Frame[]): Promise<SendOutcome> {
    const n = frames.length
    if (closed) return retryAll(n, 'closed')
    const s = await ensure()
    if (typeof s === 'string') return retryAll(n, s, notBefore - Date.now())
    let sent = 0
    let rejected = 0
    let truncated = 0
    let reason: string | undefined
    for (let i = 0; i < n; i++) {
      const f = frames[i] as Frame
      const m = Buffer.from(f.text)
      const err = closed ? new Error('closed') : await sendOne(s, m)
      if (err === undefined) {
        sent++
        if (f.truncated) truncated++
      } else if (errorCode(err) === 'EMSGSIZE') {
        rejected++
        reason = `${errorReason(err)} (a ${m.length}-byte datagram)`
      } else {
        lastError = errorReason(err)
        drop(s)
        notBefore = Date.now() + backoff.next()
        const out: SendOutcome = { sent, rejected, retry: n - i, truncated, reason: lastError, retryAfterMs: Math.max(1, notBefore - Date.now()) }
        return out
      }
    }
    if (sent > 0) backoff.reset()
    return reason === undefined ? { sent, rejected, retry: 0, truncated } : { sent, rejected, retry: 0, truncated, reason }
  }

  function encodeRecord (r: ShippedRecord): Frame | undefined {
    try {
      return framer.fromRecord(r)
    } catch {
      return undefined
    }
  }

  async function send (records: readonly ShippedRecord[]): Promise<SendOutcome> {
    // A record that cannot be encoded (it never should) is rejected where it stands; the rest keep their order.
    const frames: Frame[] = []
    let rejected = 0
    for (const r of records) {
      const f = encodeRecord(r)
      if (f === undefined) rejected++
      else frames.push(f)
    }
    const o = await sendFrames(frames)
    return rejected === 0 ? o : { ...o, rejected: o.rejected + rejected }
  }

  return {
    target: target.display,
    send: neverRejects(send),
    sendFrames: neverRejects(sendFrames),
    encodeParts: (p) => framer.fromParts(p),
    encodeRecord,
    maxInFlight: 1,
    batchMax: 512,
    batchMs: 0,
    close () {
      if (closed) return
      closed = true
      if (sock !== undefined) drop(sock)
    },
    get counters () { return { ...counters } }
  }
}
