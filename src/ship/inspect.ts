// Doctor's look at each usable log_ship destination on this machine, beyond
// what its string says (destinations.ts): a syslog+unix path (is anything
// there, is it a socket, of which kind, can the transport reach it) and a TLS
// destination's trust (a CA file, or the system store). Synchronous, and it
// opens no connection: it stats files and reads /proc/net/unix.

import type * as Crypto from 'node:crypto'
import fs from 'node:fs'
import type { Env } from './otlp/endpoint'
import { inspectUnixSocket, type UnixSocketInfo } from './syslog/unix-socket'
import { parseSyslogUrl } from './syslog/url'
import { lazy } from '../internal/lazy'

// node:crypto on first use: loading it (and the streams it pulls in) is a large part of require()'s cost.
const crypto = lazy(() => require('node:crypto') as typeof Crypto)

export interface ShipFinding {
  readonly severity: 'problem' | 'warning' | 'note'
  readonly code: string
  readonly message: string
}

export interface ShipInspection {
  /** For doctor's shipping section: `unix stream socket, listening`, `TLS verified with ca=/etc/ca.pem`. */
  readonly facts: readonly string[]
  readonly findings: readonly ShipFinding[]
  /** syslog+unix only. */
  readonly socket?: UnixSocketInfo
}

const NONE: ShipInspection = { facts: [], findings: [] }
/** A CA bundle is a few KB; the transport refuses more than this (stream.ts). */
const MAX_CA_BYTES = 1024 * 1024
const STREAM_ADVICE = 'use a stream socket (rsyslog: input(type="imptcp" path="/run/oneapm-syslog.sock"); syslog-ng: unix-stream("/run/oneapm-syslog.sock")) or syslog+udp://127.0.0.1:514'

/** `given` as checked usable by destinations.ts; `shown` is how findings name it (credentials masked). */
export function inspectDestination (given: string, shown: string, env: Env, proc?: () => string | undefined): ShipInspection {
  const lower = given.trim().toLowerCase()
  if (lower.startsWith('syslog+unix:')) return unix(given, shown, proc)
  if (lower.startsWith('syslog+tls:')) return syslogTls(given, shown, env)
  if (lower.startsWith('otlp+https:') || (lower === 'otlp' && otlpIsHttps(env))) return otlpHttps(shown, env)
  return NONE
}

function unix (given: string, shown: string, proc?: () => string | undefined): ShipInspection {
  const r = parseSyslogUrl(given)
  if (!r.ok || r.value.protocol !== 'unix') return NONE
  const path = r.value.path
  const s = proc === undefined ? inspectUnixSocket(path) : inspectUnixSocket(path, proc)
  const f = (severity: ShipFinding['severity'], code: string, message: string): ShipInspection =>
    ({ facts: [fact(s)], findings: [{ severity, code, message: `log_ship destination ${shown}: ${message}` }], socket: s })
  switch (s.state) {
    case 'missing':
      return f('warning', 'SHIP_UNIX_SOCKET_MISSING', `${path} does not exist now. Records are queued (log_ship_queue) and retried until a stream socket is there; start the relay that listens on it, or fix the path`)
    case 'unreadable':
      return f('warning', 'SHIP_UNIX_SOCKET_UNREADABLE', `${path} cannot be checked (${s.error ?? 'EIO'}); the agent's user needs search permission on its directories and write permission on the socket`)
    case 'not_socket':
      return f('problem', 'SHIP_UNIX_NOT_SOCKET', `${path} is not a socket: records for it would fail and be retried. Point it at the relay's unix stream socket`)
  }
  if (s.writable === false) {
    return f('problem', 'SHIP_UNIX_SOCKET_NOT_WRITABLE', `${path} is a socket this user cannot write to (connecting needs write permission): records for it would fail and be retried. Give the agent's user write access, or use another socket`)
  }
  if (s.kind === 'dgram' || s.kind === 'seqpacket') {
    return f('problem', 'SHIP_UNIX_DATAGRAM', `${path} is a ${s.kind === 'dgram' ? 'datagram' : 'seqpacket'} socket (as /dev/log is under journald or rsyslog's imuxsock); log_ship reaches only unix stream sockets (Node.js cannot send to a unix datagram socket), so every record for it is rejected and counted. Instead, ${STREAM_ADVICE}`)
  }
  if (s.kind === 'stream' && s.bound === false) {
    return f('warning', 'SHIP_UNIX_SOCKET_NO_LISTENER', `${path} is a stream socket nobody listens on (a relay that stopped); records are queued and retried until it is back`)
  }
  if (s.kind === undefined) {
    return f('note', 'SHIP_UNIX_SOCKET_KIND_UNKNOWN', `${path} is a socket whose kind cannot be told here (not in /proc/net/unix: bound in another network namespace, as a host's /dev/log mounted into a container, or nothing is bound to it). log_ship reaches only stream sockets; a datagram socket rejects every record with EPROTOTYPE, counted in stats().ship. If it is one, ${STREAM_ADVICE}`)
  }
  return { facts: [fact(s)], findings: [], socket: s }
}

function fact (s: UnixSocketInfo): string {
  switch (s.state) {
    case 'missing': return 'nothing at the path now'
    case 'unreadable': return `cannot be checked (${s.error ?? 'EIO'})`
    case 'not_socket': return 'not a socket'
  }
  const kind = s.kind === undefined ? 'socket of unknown kind' : `unix ${s.kind} socket`
  const state = s.kind === undefined ? '' : s.kind === 'stream' ? (s.bound === true ? ', listening, reachable' : ', nobody listening') : ', NOT reachable (stream sockets only)'
  return `${kind}${state}${s.writable === false ? ', not writable by this user' : ''}`
}

function extraCa (env: Env): string {
  const extra = env.NODE_EXTRA_CA_CERTS
  return typeof extra === 'string' && extra !== '' ? ` plus NODE_EXTRA_CA_CERTS (${extra})` : ''
}

function syslogTls (given: string, shown: string, env: Env): ShipInspection {
  const r = parseSyslogUrl(given)
  if (!r.ok || r.value.protocol !== 'tls') return NONE
  const ca = r.value.caFile
  if (ca === undefined) {
    const extra = extraCa(env)
    return {
      facts: [`TLS verified with Node's trust store${extra}`],
      findings: [{
        severity: extra === '' ? 'warning' : 'note',
        code: 'SHIP_TLS_SYSTEM_CA',
        message: `log_ship destination ${shown} has no ca= setting: the relay's certificate is verified against Node's trust store${extra}. A relay with a certificate of your own CA fails every connection; add ?ca=/path/to/relay-ca.pem (an absolute path to its PEM CA certificates)`
      }]
    }
  }
  const problem = caProblem(ca)
  return {
    facts: [`TLS verified with ca=${ca}`],
    findings: problem === undefined ? [] : [{ severity: 'problem', code: 'SHIP_TLS_CA_UNREADABLE', message: `log_ship destination ${shown}: the ca= file ${ca} ${problem}: every connection would fail` }]
  }
}

/** Why the transport would refuse the ca= file, or undefined. Opened non-blocking: a FIFO does not wait for a writer. */
function caProblem (file: string): string | undefined {
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  } catch (err) {
    return `cannot be read (${typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'EIO'})`
  }
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile()) return 'is not a regular file'
    if (st.size > MAX_CA_BYTES) return `is over ${MAX_CA_BYTES} bytes`
    const head = Buffer.alloc(Math.min(st.size, 64 * 1024))
    const n = head.length === 0 ? 0 : fs.readSync(fd, head, 0, head.length, 0)
    const text = head.toString('latin1', 0, n)
    if (!text.includes('-----BEGIN CERTIFICATE-----')) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)'
    // Node's TLS ignores a block it cannot parse without a word: a header around garbage verifies nothing.
    if (!someCertificateParses(text)) return 'has PEM certificate headers, but no certificate in it can be read'
    return undefined
  } catch {
    return 'cannot be read'
  } finally {
    fs.closeSync(fd)
  }
}

const BEGIN = '-----BEGIN CERTIFICATE-----'
const END = '-----END CERTIFICATE-----'

/** Whether any BEGIN/END CERTIFICATE block of `pem` (at most MAX_CA_BYTES) is a certificate. Linear: indexOf scans. */
function someCertificateParses (pem: string): boolean {
  for (let at = pem.indexOf(BEGIN); at >= 0; at = pem.indexOf(BEGIN, at + BEGIN.length)) {
    const end = pem.indexOf(END, at)
    if (end < 0) return false
    try {
      // eslint-disable-next-line no-new
      new (crypto().X509Certificate)(pem.slice(at, end + END.length))
      return true
    } catch {
      // Not a certificate: try the next block.
    }
  }
  return false
}

function otlpIsHttps (env: Env): boolean {
  // As endpoint.ts reads them: an empty variable is unset.
  const set = (v: string | undefined): string | undefined => typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined
  const v = set(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) ?? set(env.OTEL_EXPORTER_OTLP_ENDPOINT)
  return v !== undefined && v.toLowerCase().startsWith('https:')
}

function otlpHttps (shown: string, env: Env): ShipInspection {
  const extra = extraCa(env)
  const findings: ShipFinding[] = [{
    severity: 'note',
    code: 'SHIP_TLS_SYSTEM_CA',
    message: `log_ship destination ${shown} verifies the collector's certificate against Node's trust store${extra}; OTLP destinations take no CA setting of their own. For a collector with a certificate of your own CA, set NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the app's environment`
  }]
  for (const name of ['OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CERTIFICATE']) {
    const v = env[name]
    if (typeof v === 'string' && v.trim() !== '') {
      findings.push({ severity: 'warning', code: 'SHIP_SETTING_IGNORED', message: `log_ship destination ${shown}: ${name} is not honoured; set NODE_EXTRA_CA_CERTS to that file instead` })
    }
  }
  return { facts: [`TLS verified with Node's trust store${extra}`], findings }
}
