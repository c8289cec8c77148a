// The agent's own HTTP client for its collector, built from the config and
// recorded: a dedicated undici Agent (never the global dispatcher, which is
// the host's), timeouts an agent wants (30 s, not undici's 300 s), a proxy
// when one is configured, and a connector that times DNS, TCP and TLS and
// explains TLS failures with the certificate's subject and issuer.

import type { ConnectionOptions, TLSSocket } from 'node:tls'
import type { Socket } from 'node:net'
import { Agent, ProxyAgent, buildConnector, type Dispatcher } from 'undici'
import { collectorLog, recordConnections, type ConnectionLog, type RecordOptions, type Recording } from './record-connections'

export interface CollectorDispatcherOptions extends RecordOptions {
  /** Collector host (the `host` key), e.g. collector.oneapm.com, or host:port. */
  readonly host?: string | undefined
  /** `https` (default) or `http`. */
  readonly protocol?: 'https' | 'http'
  /** Proxy URL (the `proxy` key). */
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

export function createCollectorDispatcher (logger: ConnectionLog, options: CollectorDispatcherOptions = {}): CollectorClient {
  const log = collectorLog(logger)
  const protocol = options.protocol ?? 'https'
  const origin = options.host === undefined ? undefined : `${protocol}://${options.host}`
  const timeouts = {
    headersTimeout: options.headersTimeoutMs ?? 30_000,
    bodyTimeout: options.bodyTimeoutMs ?? 30_000
  }
  let base: Dispatcher
  if (options.proxy !== undefined) {
    base = new ProxyAgent({
      uri: options.proxy,
      ...timeouts,
      ...(options.tls === undefined ? {} : { requestTls: options.tls }),
      connect: { timeout: options.connectTimeoutMs ?? 10_000 }
    } as ProxyAgent.Options)
  } else {
    base = new Agent({
      ...timeouts,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
      connect: timedConnector(log, options)
    })
  }
  const recording = recordConnections(base, log, { ...options, connectorLogsConnected: options.proxy === undefined })
  if (options.proxy !== undefined) {
    log.info({ event: 'collector_connecting', origin, proxy: options.proxy }, 'collector traffic to %s goes through proxy %s', origin ?? '(no host set)', options.proxy)
  }
  return {
    ...recording,
    origin,
    async close () {
      recording.stop()
      await base.close()
    }
  }
}


/**
 * undici's connector, timed: 'lookup' is DNS done, 'connect' is TCP done,
 * the callback is TLS done. TLS is verified here rather than by Node's
 * rejectUnauthorized, so that a failure can name the certificate it saw.
 */
function timedConnector (log: ConnectionLog, options: CollectorDispatcherOptions): buildConnector.connector {
  const verify = options.tls?.rejectUnauthorized !== false
  const connect = buildConnector({ ...options.tls, rejectUnauthorized: false, timeout: options.connectTimeoutMs ?? 10_000 } as buildConnector.BuildOptions)
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

