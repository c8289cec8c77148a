// One mapping from what went wrong to the cause in words and the fix, shared
// by `doctor --connect` (which sees the failure live) and `summary` (which
// reads it back from the log), so both say the same thing for the same fault.

/** Every cause diagnose() can name (docs/doctor-connect.md has one table row each). */
export const CAUSE_IDS = [
  'dns_failure', 'connection_refused', 'timeout', 'connection_reset',
  'unknown_ca', 'wrong_host_certificate', 'certificate_expired', 'tls_other',
  'proxy_auth', 'proxy_failed', 'license_rejected', 'payload_too_large', 'collector_error', 'http_other',
  'not_http', 'host_silenced', 'disk_full', 'log_file_unwritable', 'network_other', 'host_not_set'
] as const

export type CauseId = typeof CAUSE_IDS[number]

/** What is known of one failure. Every field is optional (undefined is unknown); strings are already masked. */
export interface Evidence {
  /** A Node/undici/OpenSSL error code (or ONEAPM_NO_HOST: no usable host): ENOTFOUND, ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, ERR_TLS_CERT_ALTNAME_INVALID, ENOSPC, ... */
  readonly code?: string | undefined
  /** An HTTP status from the collector or the proxy. */
  readonly status?: number | undefined
  /**
   * Where it failed: dns, tcp, proxy, tls, http (doctor --connect knows; the
   * log may not). `proxy` is anything on the way to and through the proxy;
   * `config` is a collector setting that cannot be used.
   */
  readonly step?: 'dns' | 'tcp' | 'proxy' | 'tls' | 'http' | 'config' | undefined
  /** The collector method: metric_data, preconnect, ... */
  readonly requestKind?: string | undefined
  /** host[:port] the agent tried to reach. */
  readonly host?: string | undefined
  /** The proxy, masked. */
  readonly proxy?: string | undefined
  /** TLS: the certificate's issuer and subject (CN or the whole DN), as seen. */
  readonly issuer?: string | undefined
  readonly subject?: string | undefined
  /** The license key's masked form (`a1b2****`). */
  readonly license?: string | undefined
  /** host_interference's cause (host_logger_silenced, debug_disabled, ...). */
  readonly interference?: string | undefined
  /** The log file path, for file failures. */
  readonly path?: string | undefined
}

export interface Diagnosis {
  readonly id: CauseId
  /** What happened, in words an operator can act on. */
  readonly cause: string
  /** What to do about it. */
  readonly fix: string
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ESOCKETTIMEDOUT', 'ABORT_ERR'])
const UNKNOWN_CA_CODES = new Set(['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED'])
const EXPIRED_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'])
/** The peer answered, but not with HTTP undici could read: llhttp's HPE_* codes and undici's answer errors. */
const NOT_HTTP_CODES = new Set(['UND_ERR_HEADERS_OVERFLOW', 'HTTPParserError', 'UND_ERR_RESPONSE_STATUS_CODE', 'UND_ERR_INVALID_RESPONSE', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RES_EXCEEDED_MAX_SIZE', 'ERR_PROXY_ANSWER'])

function notHttp (code: string): boolean {
  return NOT_HTTP_CODES.has(code) || code.startsWith('HPE_')
}

/** The cause and fix for one failure; never throws, and always answers (network_other/http_other when nothing more is known). */
export function diagnose (e: Evidence): Diagnosis {
  try {
    return explain(readEvidence(e))
  } catch {
    return NOTHING_KNOWN
  }
}

const NOTHING_KNOWN: Diagnosis = Object.freeze({
  id: 'network_other',
  cause: 'the collector could not be reached (unknown error)',
  fix: 'run oneapm-agent-log doctor --connect on this host for a step-by-step check'
})

/** Evidence as plain, checked data: a field of the wrong type (or one that throws when read) is unknown. */
function readEvidence (given: unknown): Evidence {
  const out: Record<string, unknown> = {}
  if (typeof given !== 'object' || given === null) return out
  for (const key of ['code', 'requestKind', 'host', 'proxy', 'issuer', 'subject', 'license', 'interference', 'path', 'step']) {
    const v = (given as Record<string, unknown>)[key]
    // Bounded: a caller may hand us a whole log line.
    if (typeof v === 'string') out[key] = v.length > 512 ? `${v.slice(0, 512)}…` : v
  }
  const status = (given as Record<string, unknown>).status
  if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999) out.status = status
  if (!['dns', 'tcp', 'proxy', 'tls', 'http', 'config'].includes(String(out.step))) delete out.step
  return out as Evidence
}

function explain (e: Evidence): Diagnosis {
  const host = e.host !== undefined && e.host !== '' ? e.host : 'the collector'
  const code = e.code ?? ''
  const proxy = e.proxy !== undefined && e.proxy !== '' ? ` ${e.proxy}` : ''
  if (e.interference !== undefined) {
    return {
      id: 'host_silenced',
      cause: `the host application interfered with the agent's log (${e.interference}): agent records may not be shown`,
      fix: 'set log_file to a file path (and log_ignore_host_logger = true if the agent was given the app\'s logger), so the agent writes its own log whatever the app does'
    }
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return { id: 'disk_full', cause: `the disk holding ${e.path ?? 'the log file'} is full (${code})`, fix: 'free space on that disk (df -h), or lower log_max_size / log_max_files; records meanwhile went to stderr' }
  }
  if (e.path !== undefined && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT' || code === 'EISDIR')) {
    return { id: 'log_file_unwritable', cause: `the log file ${e.path} cannot be written (${code})`, fix: 'make its directory exist and be writable by the app\'s user, or set log_file to a path that is' }
  }
  if (code === 'ONEAPM_NO_HOST' || e.step === 'config') {
    return {
      id: 'host_not_set',
      cause: e.host !== undefined && e.host !== '' ? `the collector host "${e.host}" is not usable` : 'no collector host is set: the agent has nowhere to report to',
      fix: 'set host to the collector address from your OneAPM account (host = collector.oneapm.com, or host:port), in the config file or ONEAPM_HOST'
    }
  }
  if (e.status !== undefined && (e.status === 407 || e.step === 'proxy')) return proxyAnswer(e.status, host, proxy)
  if (e.status === 401 || e.status === 403) {
    const key = e.license === undefined ? '' : e.license === '' ? ' (none is set)' : ` ${e.license}`
    return {
      id: 'license_rejected',
      cause: `the collector rejected the license key${key} (HTTP ${e.status}${e.requestKind !== undefined ? ` to ${e.requestKind}` : ''})`,
      fix: 'check license_key against the key shown in your OneAPM account (copy it whole, with no spaces); a key for another region or account is rejected too'
    }
  }
  if (e.status === 413) {
    const what = e.requestKind !== undefined ? ` to ${e.requestKind}` : ''
    return { id: 'payload_too_large', cause: `the collector answered 413${what}: the payload is too large`, fix: 'the agent sends smaller batches after a 413; if it persists, lower the agent\'s harvest limits, and check that no proxy in between caps request bodies' }
  }
  if (e.status !== undefined && e.status >= 500 && e.status <= 599) {
    return { id: 'collector_error', cause: `${host} answered HTTP ${e.status}${e.requestKind !== undefined ? ` to ${e.requestKind}` : ''}: the collector (or a load balancer in front of it) failed`, fix: 'nothing to change on this host: the agent retries with backoff; if it lasts, check the OneAPM status page, or the proxy when one is set' }
  }
  if (e.status !== undefined) {
    return { id: 'http_other', cause: `${host} answered HTTP ${e.status}${e.requestKind !== undefined ? ` to ${e.requestKind}` : ''}`, fix: 'check host (the collector address) and proxy; a 404 usually means host points at something that is not a OneAPM collector' }
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL' || e.step === 'dns') {
    return {
      id: 'dns_failure',
      cause: `the name ${host} could not be resolved (${code || 'DNS failure'})${code === 'EAI_AGAIN' ? ': the DNS server did not answer' : ''}`,
      fix: 'check the spelling of host (and proxy), and that this machine can resolve it: getent hosts <name>, and the servers in /etc/resolv.conf; if outbound traffic must go through a proxy, set proxy (the proxy then resolves the collector\'s name)'
    }
  }
  if (code === 'ECONNREFUSED') {
    const who = e.step === 'proxy' ? `the proxy${proxy}` : host
    return { id: 'connection_refused', cause: `${who} refused the connection (ECONNREFUSED): nothing listens on that port, or a firewall rejects it`, fix: e.step === 'proxy' ? 'check the host and port in proxy, and that the proxy runs' : 'check the port in host (the collector listens on 443); a firewall that rejects rather than drops looks the same: allow outbound TCP to the collector' }
  }
  if (TIMEOUT_CODES.has(code)) return timeout(e, host, code)
  if (notHttp(code)) {
    const who = e.step === 'proxy' ? `the proxy${proxy}` : host
    return {
      id: 'not_http',
      cause: `${who} answered, but not as ${e.step === 'proxy' ? 'an HTTP proxy' : 'an HTTP collector'} (${code}): a proxy, firewall or another service answers on that port`,
      fix: e.step === 'proxy'
        ? 'check the host and port in proxy: they must be those of an HTTP proxy (http://proxy:3128), not of another service'
        : 'check the port in host (the collector listens on 443, HTTPS); if a proxy or firewall sits in between, set proxy, or ask the network team what answers on that port: curl -v https://<host>/ from this machine shows it'
    }
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') {
    return { id: 'connection_reset', cause: `the connection to ${host} was cut (${code}), often by a proxy or firewall that inspects traffic`, fix: 'check for a proxy or firewall between this host and the collector; set proxy if traffic must go through one' }
  }
  if (UNKNOWN_CA_CODES.has(code)) {
    const by = e.issuer !== undefined ? ` issued by "${e.issuer}"` : ''
    return {
      id: 'unknown_ca',
      cause: `the TLS certificate presented for ${host}${by} is not from a trusted CA (${code}): a corporate proxy or firewall is probably intercepting TLS and signing with its own CA`,
      fix: `get that CA's certificate${e.issuer !== undefined ? ` ("${e.issuer}")` : ''} from your network team and trust it: NODE_EXTRA_CA_CERTS=/path/to/proxy-ca.pem in the app's environment, then restart the app (never turn verification off)`
    }
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'Hostname/IP does not match certificate\'s altnames') {
    const of = e.subject !== undefined ? ` (it is for "${e.subject}")` : ''
    return { id: 'wrong_host_certificate', cause: `the TLS certificate presented is not for ${host}${of} (${code})`, fix: 'check host: it must be the collector\'s name as in its certificate; a proxy or load balancer answering with its own certificate looks the same' }
  }
  if (EXPIRED_CODES.has(code)) {
    return { id: 'certificate_expired', cause: `the TLS certificate presented for ${host} is not valid now (${code})`, fix: 'check this machine\'s clock (date -u); if it is right, the certificate (or an intercepting proxy\'s) has expired' }
  }
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || e.step === 'tls') {
    return { id: 'tls_other', cause: `the TLS handshake with ${host} failed (${code || 'TLS error'})`, fix: 'check for a proxy that intercepts TLS, and that this Node.js supports TLS 1.2 or later' }
  }
  // A step means doctor --connect ran the check itself: sending the operator back to it would be no help.
  const fix = e.step === undefined
    ? 'run oneapm-agent-log doctor --connect on this host for a step-by-step check'
    : `the ${e.step.toUpperCase()} step failed with ${code || 'an unknown error'}: check the network path to the collector (firewall, routing, proxy), and compare with curl -v https://<host>/ from this machine`
  return { id: 'network_other', cause: `${host} could not be reached (${code || 'unknown error'})`, fix }
}

/** The proxy's answer to CONNECT (or a 407 seen in the log). */
function proxyAnswer (status: number, host: string, proxy: string): Diagnosis {
  if (status === 407) {
    return {
      id: 'proxy_auth',
      cause: `the proxy${proxy} asked for credentials (HTTP 407): none were sent, or they were wrong`,
      fix: 'put the proxy user and password in proxy: proxy = http://user:password@proxy:3128 (percent-encode @ : / in them; the password is masked in every output)'
    }
  }
  const why = status === 502 || status === 503 || status === 504
    ? `the proxy${proxy} could not reach ${host} (HTTP ${status})`
    : `the proxy${proxy} refused the tunnel to ${host} (HTTP ${status})`
  return { id: 'proxy_failed', cause: why, fix: 'ask the proxy\'s owners to allow CONNECT to the collector host on port 443, or check the proxy setting' }
}

function timeout (e: Evidence, host: string, code: string): Diagnosis {
  if (e.step === 'tls') {
    return {
      id: 'timeout',
      cause: `${host} accepted the TCP connection but did not answer the TLS handshake in time (${code}): a firewall or proxy lets connections open and then drops the traffic, or the port is not the collector's HTTPS port`,
      fix: 'check the port in host (the collector listens on 443), allow outbound HTTPS to the collector in the firewall, or set proxy if outbound traffic must go through one'
    }
  }
  if (e.step === 'http') {
    return {
      id: 'timeout',
      cause: `${host} did not answer the ${e.requestKind ?? 'collector'} request in time (${code})`,
      fix: 'a proxy or firewall that holds requests looks like this: check the path to the collector; a longer --timeout tells a slow collector from a silent one'
    }
  }
  const who = e.step === 'proxy' ? `the proxy${e.proxy !== undefined && e.proxy !== '' ? ` ${e.proxy}` : ''}` : host
  return {
    id: 'timeout',
    cause: `no answer from ${who} in time (${code}): a firewall drops the packets, or the network path is down`,
    fix: e.step === 'proxy'
      ? 'check the host and port in proxy, and that the firewall lets this machine reach the proxy'
      : 'allow outbound TCP to the collector host and port (443) in the firewall or security group, or set proxy if outbound traffic must go through one'
  }
}
