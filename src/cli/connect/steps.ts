// The network steps of `doctor --connect` before the HTTP request, done by
// hand with node:dns/net/tls so each one can be timed and described: the
// addresses a name resolved to, the TCP connection, the proxy's answer to
// CONNECT, the certificate the server presented. Each step is bounded by the
// time left for the whole probe and fails with a ProbeError carrying a code
// (the OS's, OpenSSL's, or ETIMEDOUT for our own deadline).

import dns from 'node:dns'
import net from 'node:net'
import tls from 'node:tls'

export type StepName = 'dns' | 'tcp' | 'proxy' | 'tls' | 'http'

/** A failed step: the code diagnose() maps, and what was seen (HTTP status, certificate names). */
export class ProbeError extends Error {
  constructor (
    readonly step: StepName,
    readonly code: string,
    message: string,
    readonly seen: { readonly status?: number, readonly issuer?: string, readonly subject?: string, readonly detail?: Record<string, unknown> } = {}
  ) {
    super(message)
  }
}

/** The code of whatever a Node API threw: its `code`, else its name. */
export function codeOf (err: unknown): string {
  const e = err as { code?: unknown, name?: unknown } | null
  if (typeof e?.code === 'string' && e.code !== '') return e.code
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'ETIMEDOUT'
  return typeof e?.name === 'string' && e.name !== '' && e.name !== 'Error' ? e.name : 'ERR_UNKNOWN'
}

export function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Runs `start` with at most `ms` to settle; on timeout calls `abort` (to free
 * the socket) and fails with ETIMEDOUT. The timer never keeps the process up.
 */
export function within<T> (step: StepName, ms: number, what: string, start: (resolve: (v: T) => void, reject: (e: unknown) => void) => void, abort: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (ms <= 0) {
      abort()
      reject(new ProbeError(step, 'ETIMEDOUT', `${what}: no time left in the probe's --timeout`))
      return
    }
    let settled = false
    const timer = setTimeout(() => {
      if (settled) return
      settled = true
      abort()
      reject(new ProbeError(step, 'ETIMEDOUT', `${what}: no answer in ${ms} ms`))
    }, ms)
    timer.unref()
    start((v) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(v)
    }, (e) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(e)
    })
  })
}

export interface Resolved {
  readonly addresses: ReadonlyArray<{ readonly address: string, readonly family: number }>
  /** True when the name was an IP address: nothing was looked up. */
  readonly literal: boolean
}

/** The addresses `name` resolves to, as net.connect would find them (getaddrinfo, all families). */
export function resolve (name: string, ms: number): Promise<Resolved> {
  const family = net.isIP(name)
  if (family !== 0) return Promise.resolve({ addresses: [{ address: name, family }], literal: true })
  return within<Resolved>('dns', ms, `looking up ${name}`, (ok, fail) => {
    dns.lookup(name, { all: true }, (err, addresses) => {
      if (err !== null) fail(new ProbeError('dns', codeOf(err), `${name} could not be resolved: ${err.message}`))
      else if (addresses.length === 0) fail(new ProbeError('dns', 'ENOTFOUND', `${name} resolved to no address`))
      else ok({ addresses, literal: false })
    })
  }, () => {})
}

/** A TCP connection to host:port over the addresses already resolved (no second lookup). */
export function connectTcp (step: StepName, host: string, port: number, resolved: Resolved, ms: number): Promise<net.Socket> {
  let socket: net.Socket | undefined
  return within<net.Socket>(step, ms, `connecting to ${host}:${port}`, (ok, fail) => {
    const lookup = (_h: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void): void => {
      const list = resolved.addresses.map((a) => ({ address: a.address, family: a.family }))
      if (opts.all === true) cb(null, list)
      else cb(null, list[0]?.address, list[0]?.family)
    }
    socket = net.connect({ host, port, lookup: lookup as unknown as net.LookupFunction })
    socket.once('connect', () => { ok(socket as net.Socket) })
    socket.once('error', (err) => { fail(new ProbeError(step, codeOf(err), `connecting to ${host}:${port}: ${err.message}`)) })
  }, () => { socket?.destroy() })
}

export interface ProxyAnswer {
  readonly status: number
  readonly reason: string
  readonly socket: net.Socket
}

/** The most a proxy's answer to CONNECT may take before its blank line. */
const MAX_PROXY_HEAD = 16 * 1024

/**
 * Asks the proxy for a tunnel to `authority` (host:port), with the proxy
 * URL's user and password as Basic credentials, as undici's ProxyAgent sends
 * them. Resolves with the proxy's status whatever it is; a 200 leaves the
 * socket as the tunnel.
 */
export function proxyConnect (socket: net.Socket, authority: string, proxy: URL, ms: number): Promise<ProxyAnswer> {
  return within<ProxyAnswer>('proxy', ms, `asking the proxy for a tunnel to ${authority}`, (ok, fail) => {
    const head = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`]
    if (proxy.username !== '' || proxy.password !== '') {
      const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
      head.push(`Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}`)
    }
    let got = Buffer.alloc(0)
    const onData = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk])
      const end = got.indexOf('\r\n\r\n')
      if (end === -1) {
        if (got.length > MAX_PROXY_HEAD) done(new ProbeError('proxy', 'ERR_PROXY_ANSWER', `the proxy's answer to CONNECT has no end in ${MAX_PROXY_HEAD} bytes`))
        return
      }
      const statusLine = got.subarray(0, Math.min(end, got.indexOf('\r\n'))).toString('latin1')
      const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine)
      if (m === null) {
        done(new ProbeError('proxy', 'ERR_PROXY_ANSWER', `the proxy did not answer CONNECT with HTTP (it said ${JSON.stringify(cutAtWord(statusLine, 80))})`))
        return
      }
      const rest = got.subarray(end + 4)
      if (rest.length > 0) socket.unshift(rest)
      done(undefined, { status: Number(m[1]), reason: m[2] ?? '', socket })
    }
    const onError = (err: Error): void => { done(new ProbeError('proxy', codeOf(err), `the proxy connection failed: ${err.message}`)) }
    const onEnd = (): void => { done(new ProbeError('proxy', 'ECONNRESET', 'the proxy closed the connection without answering CONNECT')) }
    const done = (err: ProbeError | undefined, answer?: ProxyAnswer): void => {
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('end', onEnd)
      if (err !== undefined) fail(err)
      else ok(answer as ProxyAnswer)
    }
    socket.on('data', onData)
    socket.once('error', onError)
    socket.once('end', onEnd)
    socket.write(head.join('\r\n') + '\r\n\r\n')
  }, () => { socket.destroy() })
}

export interface TlsInfo {
  readonly protocol: string | null
  readonly cipher: string | null
  readonly alpn: string | null
  readonly subject: string | null
  readonly issuer: string | null
  readonly altNames: string | null
  readonly validFrom: string | null
  readonly validTo: string | null
  readonly fingerprint256: string | null
  /** 'ok', or the reason the certificate is not trusted for this name (OpenSSL's code, or ERR_TLS_CERT_ALTNAME_INVALID). */
  readonly verification: string
}

/**
 * The TLS handshake over `socket`, verified as the agent verifies it (Node's
 * trust store plus NODE_EXTRA_CA_CERTS, and the host name), but without
 * rejecting: the certificate is read whatever the verdict, so that a
 * failure can name it. The caller closes the socket (or tunnels through it).
 */
export function handshake (step: StepName, socket: net.Socket, host: string, ms: number): Promise<{ info: TlsInfo, secure: tls.TLSSocket }> {
  let secure: tls.TLSSocket | undefined
  return within<{ info: TlsInfo, secure: tls.TLSSocket }>(step, ms, `TLS handshake with ${host}`, (ok, fail) => {
    secure = tls.connect({
      socket,
      host,
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1']
    })
    secure.once('secureConnect', () => {
      const s = secure as tls.TLSSocket
      const cert = s.getPeerCertificate()
      const has = cert !== undefined && cert !== null && Object.keys(cert).length > 0
      const info: TlsInfo = {
        protocol: s.getProtocol() ?? null,
        cipher: s.getCipher()?.name ?? null,
        alpn: typeof s.alpnProtocol === 'string' ? s.alpnProtocol : null,
        subject: has ? distinguishedName(cert.subject) : null,
        issuer: has ? distinguishedName(cert.issuer) : null,
        altNames: has && typeof cert.subjectaltname === 'string' ? cert.subjectaltname : null,
        validFrom: has ? isoDate(cert.valid_from) : null,
        validTo: has ? isoDate(cert.valid_to) : null,
        fingerprint256: has && typeof cert.fingerprint256 === 'string' ? cert.fingerprint256 : null,
        verification: s.authorized ? 'ok' : String(s.authorizationError ?? 'CERT_UNTRUSTED')
      }
      ok({ info, secure: s })
    })
    secure.once('error', (err) => { fail(new ProbeError(step, codeOf(err), `TLS handshake with ${host}: ${err.message}`)) })
  }, () => { secure?.destroy(); socket.destroy() })
}

/** `CN=collector.test, O=OneAPM`: a certificate name as one string. */
export function distinguishedName (name: unknown): string | null {
  if (typeof name !== 'object' || name === null) return null
  const parts: string[] = []
  for (const [k, v] of Object.entries(name as Record<string, unknown>)) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${k}=${String(one)}`)
  }
  // Most specific first, as people read them.
  parts.sort((a, b) => (a.startsWith('CN=') ? 0 : 1) - (b.startsWith('CN=') ? 0 : 1))
  return parts.length === 0 ? null : parts.join(', ')
}

function isoDate (s: unknown): string | null {
  if (typeof s !== 'string') return null
  const d = new Date(s)
  return Number.isNaN(d.getTime()) ? s : d.toISOString()
}

/** At most `max` characters of a peer's words, cut back to a word's end: no part of a token (a secret) straddling the cut is shown. */
export function cutAtWord (s: string, max: number): string {
  if (s.length <= max) return s
  let end = max
  while (end > 0 && /[A-Za-z0-9+/=_%.~-]/.test(s[end] ?? '') && /[A-Za-z0-9+/=_%.~-]/.test(s[end - 1] ?? '')) end--
  return `${s.slice(0, end)}…`
}
