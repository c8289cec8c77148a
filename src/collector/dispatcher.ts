// The agent's own HTTP client for its collector, built from the config and
// recorded: a dedicated undici Agent (never the global dispatcher, which is
// the host's), timeouts an agent wants (30 s, not undici's 300 s), a proxy
// when one is configured, and a connector that times DNS, TCP and TLS and
// explains TLS failures with the certificate's subject and issuer.

import type { ConnectionOptions, TLSSocket } from 'node:tls'
import type { Socket } from 'node:net'
import type { Dispatcher, ProxyAgent, buildConnector } from 'undici'
import { maskProxy } from '../config/secrets'
import { parseHost, parseProxy } from '../config/values'
import { collectorLog, recordConnections, type ConnectionLog, type RecordOptions, type Recording } from './record-connections'
import { optionOf } from '../internal/describe'
import { undici } from './undici'

export interface CollectorDispatcherOptions extends RecordOptions {
  /** Collector host (the `host` key), e.g. collector.oneapm.com, or host:port; a scheme is removed. */
  readonly host?: string | undefined
  /** `https` (default) or `http`. */
  readonly protocol?: 'https' | 'http'
  /** Proxy URL (the `proxy` key): http:// or https://; anything else is a warning and no proxy. */
  readonly proxy?: string | undefined
  readonly connectTimeoutMs?: number
  readonly headersTimeoutMs?: number
  readonly bodyTimeoutMs?: number
  readonly keepAliveTimeoutMs?: number
  /** TLS options for the collector connection (a private CA, say). */
  readonly tls?: ConnectionOptions
}

export interface CollectorClient extends Recording {
  /** `https://collector.oneapm.com`, or undefined when no host is configured. */
  readonly origin: string | undefined
  /** Stops recording and closes the agent's connections. */
  close (): Promise<void>
}

/**
 * Never throws, whatever it is given: an unusable host or proxy is a warning
 * (no origin; direct connections, as loadConfig() would do with that value),
 * an unusable timeout or TLS option falls back to the default.
 */
export function createCollectorDispatcher (logger: ConnectionLog, options: CollectorDispatcherOptions = {}): CollectorClient {
  const log = collectorLog(logger)
  const o = readOptions(options, log)
  const { Agent, ProxyAgent } = undici()
  let base: Dispatcher
  try {
    base = o.proxy !== undefined
      ? new ProxyAgent({
        uri: o.proxy,
        ...o.timeouts,
        ...(o.tls === undefined ? {} : { requestTls: o.tls }),
        connect: { timeout: o.connectTimeoutMs }
      } as ProxyAgent.Options)
      : new Agent({ ...o.timeouts, keepAliveTimeout: o.keepAliveTimeoutMs, connect: timedConnector(log, o) })
  } catch (err) {
    log.warning({ event: 'collector_config_ignored', err }, 'collector connection options could not be used (%s); using undici defaults', String((err as Error)?.message ?? err))
    base = new Agent()
  }
  const recording = recordConnections(base, log, { ...o.record, connectorLogsConnected: o.proxy === undefined })
  if (o.proxy !== undefined) {
    const shown = maskProxy(o.proxy)
    log.info({ event: 'collector_connecting', origin: o.origin, proxy: shown }, 'collector traffic to %s goes through proxy %s', o.origin ?? '(no host set)', shown)
  }
  return {
    ...recording,
    origin: o.origin,
    async close () {
      recording.stop()
      try {
        await base.close()
      } catch {
        // Already closed or destroyed.
      }
    }
  }
}

interface Options {
  readonly origin: string | undefined
  readonly proxy: string | undefined
  readonly timeouts: { readonly headersTimeout: number, readonly bodyTimeout: number }
  readonly connectTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  readonly tls: ConnectionOptions | undefined
  readonly record: RecordOptions
}

/** The options as plain, checked data; each one unusable is the default (with a warning for host and proxy). */
function readOptions (options: unknown, log: ConnectionLog): Options {
  const get = (name: string): unknown => optionOf(options, name)
  const ms = (name: string, fallback: number): number => {
    const v = get(name)
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 2 ** 31 - 1 ? v : fallback
  }
  const protocol = get('protocol') === 'http' ? 'http' : 'https'
  const hostGiven = get('host')
  const host = hostGiven === undefined ? undefined : parseHost(hostGiven)
  let origin: string | undefined
  if (host !== undefined && !host.ok) {
    const shown = typeof hostGiven === 'string' ? maskProxy(hostGiven) : typeof hostGiven
    log.warning({ event: 'collector_config_ignored', key: 'host', value: shown }, 'collector host %s is not usable (%s); no collector origin is set', JSON.stringify(shown), host.accepted)
  } else if (host?.value !== undefined) {
    origin = `${protocol}://${host.value}`
  }
  const proxyGiven = get('proxy')
  const proxy = proxyGiven === undefined ? undefined : parseProxy(proxyGiven)
  if (proxy !== undefined && !proxy.ok) {
    const shown = typeof proxyGiven === 'string' ? maskProxy(proxyGiven) : typeof proxyGiven
    log.warning({ event: 'collector_config_ignored', key: 'proxy', value: shown }, 'collector proxy %s is not usable (%s); connecting directly', JSON.stringify(shown), proxy.accepted)
  }
  let tls: ConnectionOptions | undefined
  try {
    const t = get('tls')
    tls = typeof t === 'object' && t !== null ? { ...t } : undefined
  } catch {
    tls = undefined
  }
  const record: Record<string, unknown> = {}
  for (const k of ['stillFailingIntervalMs', 'excerptBytes']) if (get(k) !== undefined) record[k] = get(k)
  return {
    origin,
    proxy: proxy?.ok === true ? proxy.value : undefined,
    timeouts: { headersTimeout: ms('headersTimeoutMs', 30_000), bodyTimeout: ms('bodyTimeoutMs', 30_000) },
    connectTimeoutMs: ms('connectTimeoutMs', 10_000),
    keepAliveTimeoutMs: ms('keepAliveTimeoutMs', 4_000),
    tls,
    record: record as RecordOptions
  }
}

/**
 * undici's connector, timed: 'lookup' is DNS done, 'connect' is TCP done,
 * the callback is TLS done. TLS is verified here rather than by Node's
 * rejectUnauthorized, so that a failure can name the certificate it saw.
 */
function timedConnector (log: ConnectionLog, options: Options): buildConnector.connector {
  const verify = options.tls?.rejectUnauthorized !== false
  const connect = undici().buildConnector({ ...options.tls, rejectUnauthorized: false, timeout: options.connectTimeoutMs } as buildConnector.BuildOptions)
  return (opts, callback) => {
    const started = performance.now()
    const target = `${String(opts.protocol)}//${String(opts.hostname)}:${String(opts.port)}`
    log.debug({ event: 'collector_connecting', host: opts.hostname, port: opts.port, protocol: opts.protocol }, 'connecting to collector %s', target)
    let dnsMs: number | undefined
    let tcpMs: number | undefined
    let socket: Socket
    const done: buildConnector.Callback = (...args: unknown[]) => {
      const [err, sock] = args as [Error | null, Socket | TLSSocket | undefined]
      const ms = Math.round(performance.now() - started)
      if (err !== null && err !== undefined) {
        callback(err, null)
        return
      }
      const tlsSocket = sock as TLSSocket
      if (opts.protocol === 'https:' && verify && tlsSocket.authorized === false) {
        const cert = tlsSocket.getPeerCertificate?.()
        const reason = String(tlsSocket.authorizationError ?? 'certificate not trusted')
        const tlsErr = Object.assign(new Error(`TLS handshake with ${target} rejected: ${reason}`), {
          code: reason,
          reason,
          host: opts.hostname,
          certificate: cert === undefined ? undefined : { subject: cert.subject, issuer: cert.issuer, valid_to: cert.valid_to }
        })
        tlsSocket.destroy()
        callback(tlsErr, null)
        return
      }
      const tls = opts.protocol === 'https:' ? tlsSocket : undefined
      // Plain TCP: undici's own 'connect' listener ran first and called back, so TCP is done now.
      if (tls === undefined) tcpMs ??= ms
      log.info({
        event: 'collector_connected',
        host: opts.hostname,
        remote_address: sock?.remoteAddress,
        remote_port: sock?.remotePort,
        tls: tls?.getProtocol?.() ?? undefined,
        alpn: tls === undefined ? undefined : tls.alpnProtocol === false ? undefined : tls.alpnProtocol,
        session_reused: tls?.isSessionReused?.(),
        dns_ms: dnsMs,
        tcp_ms: tcpMs === undefined ? undefined : tcpMs - (dnsMs ?? 0),
        tls_ms: tls === undefined || tcpMs === undefined ? undefined : ms - tcpMs
      }, 'connected to collector %s (%s) in %d ms', target, sock?.remoteAddress ?? '?', ms)
      callback(null, sock as Socket)
    }
    // Typed as void, but undici's connector returns the socket it made.
    socket = connect(opts, done) as unknown as Socket
    socket.once('lookup', () => { dnsMs = Math.round(performance.now() - started) })
    socket.once('connect', () => { tcpMs = Math.round(performance.now() - started) })
    return socket
  }
}

