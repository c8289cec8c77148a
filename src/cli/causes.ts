// One mapping from what went wrong to the cause in words and the fix, shared
// by `doctor --connect` (which sees the failure live) and `summary` (which
// reads it back from the log), so both say the same thing for the same fault.

export type CauseId =
  | 'dns_failure' | 'connection_refused' | 'timeout' | 'connection_reset'
  | 'unknown_ca' | 'wrong_host_certificate' | 'certificate_expired' | 'tls_other'
  | 'proxy_auth' | 'proxy_failed' | 'license_rejected' | 'payload_too_large' | 'collector_error' | 'http_other'
  | 'host_silenced' | 'disk_full' | 'log_file_unwritable' | 'network_other'

/** What is known of one failure. Every field is optional; strings are already masked. */
export interface Evidence {
  /** A Node/undici/OpenSSL error code: ENOTFOUND, ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, ERR_TLS_CERT_ALTNAME_INVALID, ENOSPC, ... */
  readonly code?: string
  /** An HTTP status from the collector or the proxy. */
  readonly status?: number
  /** Where it failed: dns, tcp, proxy, tls, http (doctor --connect knows; the log may not). */
  readonly step?: 'dns' | 'tcp' | 'proxy' | 'tls' | 'http'
  /** The collector method: metric_data, preconnect, ... */
  readonly requestKind?: string
  /** host[:port] the agent tried to reach. */
  readonly host?: string
  /** The proxy, masked. */
  readonly proxy?: string
  /** TLS: the certificate's issuer and subject (CN or the whole DN), as seen. */
  readonly issuer?: string
  readonly subject?: string
  /** The license key's masked form (`a1b2****`). */
  readonly license?: string
  /** host_interference's cause (host_logger_silenced, debug_disabled, ...). */
  readonly interference?: string
  /** The log file path, for file failures. */
  readonly path?: string
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

/** The cause and fix for one failure; never throws, and always answers (network_other/http_other when nothing more is known). */
export function diagnose (e: Evidence): Diagnosis {
  const host = e.host ?? 'the collector'
  const code = e.code ?? ''
  if (e.interference !== undefined) {
    return {
      id: 'host_silenced',
      cause: `the host application interfered with the agent's log (${e.interference}): agent records may not be shown`,
      fix: 'set log_file to a file path (and log_ignore_host_logger = true if the agent was given the app\'s logger), so the agent writes its own log whatever the app does'
    }
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return { id: 'disk_full', cause: `the disk holding ${e.path ?? 'the log file'} is full`, fix: 'free space on that disk, or lower log_max_size / log_max_files; records meanwhile went to stderr' }
  }
  if (e.path !== undefined && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT' || code === 'EISDIR')) {
    return { id: 'log_file_unwritable', cause: `the log file ${e.path} cannot be written (${code})`, fix: 'make its directory exist and be writable by the app\'s user, or set log_file to a path that is' }
  }
  if (e.status === 407) {
    return { id: 'proxy_auth', cause: `the proxy${e.proxy !== undefined ? ` ${e.proxy}` : ''} asked for credentials (HTTP 407)`, fix: 'put the proxy user and password in proxy: proxy = http://user:password@proxy:3128 (the password is masked in every output)' }
  }
  if (e.status === 401 || e.status === 403) {
    return { id: 'license_rejected', cause: `the collector rejected the license key${e.license !== undefined ? ` ${e.license}` : ''} (HTTP ${e.status})`, fix: 'check license_key against the key shown in your OneAPM account (copy it whole, with no spaces); a key for another region or account is rejected too' }
  }
  if (e.status === 413) {
    const what = e.requestKind !== undefined ? ` to ${e.requestKind}` : ''
    return { id: 'payload_too_large', cause: `the collector answered 413${what}: the payload is too large`, fix: 'the agent sends smaller batches after a 413; if it persists, lower the agent\'s harvest limits, and check that no proxy in between caps request bodies' }
  }
  if (e.status !== undefined && e.status >= 500 && e.status <= 599) {
    return { id: 'collector_error', cause: `${host} answered HTTP ${e.status}: the collector (or a proxy in front of it) failed`, fix: 'nothing to change on this host: the agent retries with backoff; if it lasts, check the OneAPM status page, or the proxy when one is set' }
  }
  if (e.status !== undefined && e.step === 'proxy') {
    return { id: 'proxy_failed', cause: `the proxy refused the tunnel to ${host} (HTTP ${e.status})`, fix: 'allow CONNECT to the collector host and port in the proxy\'s rules, or check the proxy setting' }
  }
  if (e.status !== undefined) {
    return { id: 'http_other', cause: `${host} answered HTTP ${e.status}`, fix: 'check host (the collector address) and proxy; a 404 usually means host points at something that is not a OneAPM collector' }
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL' || e.step === 'dns') {
    return { id: 'dns_failure', cause: `the name ${host} could not be resolved (${code || 'DNS failure'})`, fix: 'check the spelling of host, and that this machine can resolve it (cat /etc/resolv.conf; getent hosts <name>); behind a proxy, set proxy so the proxy resolves it' }
  }
  if (code === 'ECONNREFUSED') {
    return { id: 'connection_refused', cause: `${e.step === 'proxy' ? `the proxy${e.proxy !== undefined ? ` ${e.proxy}` : ''}` : host} refused the connection: nothing listens on that port`, fix: 'check the port in host (or proxy); a firewall that rejects rather than drops looks the same' }
  }
  if (TIMEOUT_CODES.has(code)) {
    return { id: 'timeout', cause: `no answer from ${host} in time (${code}): a firewall drops the packets, or the network path is down`, fix: 'allow outbound TCP to the collector host and port (443) in the firewall or security group, or set proxy if outbound traffic must go through one' }
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') {
    return { id: 'connection_reset', cause: `the connection to ${host} was cut (${code}), often by a proxy or firewall that inspects traffic`, fix: 'check for a proxy or firewall between this host and the collector; set proxy if traffic must go through one' }
  }
  if (UNKNOWN_CA_CODES.has(code)) {
    const by = e.issuer !== undefined ? ` issued by "${e.issuer}"` : ''
    return {
      id: 'unknown_ca',
      cause: `the TLS certificate presented for ${host}${by} is not from a trusted CA (${code}): a corporate proxy or firewall is probably intercepting TLS`,
      fix: 'get that proxy\'s CA certificate from your network team and trust it: NODE_EXTRA_CA_CERTS=/path/to/proxy-ca.pem in the app\'s environment (never disable verification)'
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
  return { id: 'network_other', cause: `${host} could not be reached (${code || 'unknown error'})`, fix: 'run oneapm-agent-log doctor --connect on this host for a step-by-step check' }
}
