// Parses one syslog destination of log_ship into a typed target. A
// hand-written scanner: linear in the input, and it never throws, whatever it
// is given (fuzzed in test/ship/syslog/url.test.ts).
//
// Accepted:
//   syslog+udp://host[:port]      port 514 by default (RFC 5426)
//   syslog+tcp://host[:port]      port 601 by default (RFC 6587, octet counting)
//   syslog+tls://host[:port]      port 6514 by default (RFC 5425)
//   syslog+unix:///absolute/path  a unix STREAM socket (see transport.ts)
// host is a name, an IPv4 address or a bracketed IPv6 address: [::1]:514.
//
// Query options, after `?`, joined by `&`, each at most once:
//   facility=local0..local7 | kern | user | mail | daemon | auth | syslog | lpr
//            | news | uucp | cron | authpriv | ftp | 0..23   (default local0 = 16)
//   max=N    the largest message in bytes, 480..65535 (default 8096: what
//            rsyslog accepts with its default maxMessageSize of 8k, measured:
//            8.2302 logs "max msg size is 8096" and cuts a longer message,
//            which then fails to parse as JSON; 2048 for UDP, RFC 5426's
//            SHOULD; for UDP at most 65507, an IPv4 datagram's payload)
//   ca=/path.pem  (TLS only) the CA certificates (PEM) that verify the
//            relay, instead of Node's trust store; without it, Node's store
//            plus NODE_EXTRA_CA_CERTS. Percent-encoding is decoded.
// User info (`user:pass@`) and fragments are refused: syslog has no
// credentials, and a problem never repeats what was typed after `//`.

export type SyslogProtocol = 'udp' | 'tcp' | 'tls' | 'unix'

interface Common {
  /** Facility number, 0..23. */
  readonly facility: number
  /** The largest syslog message in bytes (the octet-count prefix not included). */
  readonly maxBytes: number
  /** The destination as the local log and doctor show it: `syslog+tcp://relay:601`. */
  readonly display: string
}

export interface SyslogNetTarget extends Common {
  readonly protocol: 'udp' | 'tcp' | 'tls'
  /** A host name or an IP address (IPv6 without brackets). */
  readonly host: string
  readonly port: number
  /** TLS only: a PEM file of CA certificates; undefined: Node's trust store. */
  readonly caFile: string | undefined
}

export interface SyslogUnixTarget extends Common {
  readonly protocol: 'unix'
  readonly path: string
}

export type SyslogTarget = SyslogNetTarget | SyslogUnixTarget

export type ParseResult = { readonly ok: true, readonly value: SyslogTarget } | { readonly ok: false, readonly problem: string }

export const DEFAULT_PORTS: Readonly<Record<SyslogProtocol, number>> = { udp: 514, tcp: 601, tls: 6514, unix: 0 }
export const DEFAULT_MAX_BYTES = 8096
export const DEFAULT_UDP_MAX_BYTES = 2048
export const MIN_MAX_BYTES = 480
export const MAX_MAX_BYTES = 65535
export const MAX_UDP_BYTES = 65507
export const DEFAULT_FACILITY = 16

const MAX_INPUT = 2048
const ACCEPTED = 'syslog+udp://host:514, syslog+tcp://host:601, syslog+tls://host:6514, syslog+unix:///dev/log'
const ACCEPTED_OPTIONS = 'facility, max, ca (tls only)'

export const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23
}
const ACCEPTED_FACILITIES = 'local0..local7, kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, or 0..23'

function fail (problem: string): ParseResult {
  return { ok: false, problem }
}

/** A short, printable rendering of untrusted text for a problem message. */
function shown (s: string): string {
  const cut = s.length > 40 ? s.slice(0, 40) + '…' : s
  return JSON.stringify(cut)
}

function isDigits (s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

function hostNameOk (s: string): boolean {
  if (s.length === 0 || s.length > 253) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95
    if (!ok) return false
  }
  return true
}

function ipv6Ok (s: string): boolean {
  if (s.length < 2 || s.length > 64 || s.indexOf(':') < 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const ok = (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46
    if (!ok) return false
  }
  return true
}

/**
 * A decoded path holding a control character (NUL, a newline, ESC, DEL, NEL
 * and the other C1 controls, U+2028/9): no socket or CA file is named so,
 * and the path is shown as written in doctor's text, the local log and
 * problems, where a newline or an ANSI escape would forge lines.
 */
function hasControl (s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true
  }
  return false
}

function parseFacility (v: string): number | undefined {
  const name = v.toLowerCase()
  if (Object.hasOwn(FACILITIES, name)) return FACILITIES[name]
  if (isDigits(v) && v.length <= 2) {
    const n = Number(v)
    if (n <= 23) return n
  }
  return undefined
}

function decode (v: string): string | undefined {
  try {
    return decodeURIComponent(v)
  } catch {
    return undefined
  }
}

interface Options { facility: number, maxBytes: number | undefined, caFile: string | undefined }

function parseQuery (query: string, protocol: SyslogProtocol): Options | string {
  const out: Options = { facility: DEFAULT_FACILITY, maxBytes: undefined, caFile: undefined }
  if (query === '') return out
  const seen = new Set<string>()
  for (const part of query.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const key = (eq < 0 ? part : part.slice(0, eq)).toLowerCase()
    const value = eq < 0 ? '' : part.slice(eq + 1)
    if (seen.has(key)) return `option ${shown(key)} is given twice`
    seen.add(key)
    if (key === 'facility') {
      const f = parseFacility(value)
      if (f === undefined) return `facility ${shown(value)} is not a facility (accepted: ${ACCEPTED_FACILITIES})`
      out.facility = f
    } else if (key === 'max') {
      const limit = protocol === 'udp' ? MAX_UDP_BYTES : MAX_MAX_BYTES
      const n = isDigits(value) && value.length <= 6 ? Number(value) : NaN
      if (!(n >= MIN_MAX_BYTES && n <= limit)) return `max ${shown(value)} is not a size in bytes (accepted: ${MIN_MAX_BYTES}..${limit})`
      out.maxBytes = n
    } else if (key === 'ca') {
      if (protocol !== 'tls') return 'option ca applies to syslog+tls only'
      const file = decode(value)
      if (file === undefined || !file.startsWith('/') || hasControl(file)) return `ca ${shown(value)} is not an absolute file path (accepted: ca=/path/to/ca.pem)`
      out.caFile = file
    } else {
      return `unknown option ${shown(key)} (accepted: ${ACCEPTED_OPTIONS})`
    }
  }
  return out
}

/** `syslog+tcp://relay:601?facility=local3` to a target, or a problem naming what is wrong and what is accepted. Never throws. */
export function parseSyslogUrl (input: unknown): ParseResult {
  try {
    return parse(input)
  } catch {
    return fail(`not a syslog destination (accepted: ${ACCEPTED})`)
  }
}

function parse (input: unknown): ParseResult {
  if (typeof input !== 'string') return fail(`a syslog destination must be a string (accepted: ${ACCEPTED})`)
  const s = input.trim()
  if (s.length > MAX_INPUT) return fail(`the destination is ${s.length} characters long; at most ${MAX_INPUT} are accepted`)
  const sep = s.indexOf('://')
  if (sep < 0) return fail(`${shown(s)} is not a syslog URL (accepted: ${ACCEPTED})`)
  const scheme = s.slice(0, sep).toLowerCase()
  const protocol = scheme === 'syslog+udp' ? 'udp' : scheme === 'syslog+tcp' ? 'tcp' : scheme === 'syslog+tls' ? 'tls' : scheme === 'syslog+unix' ? 'unix' : undefined
  if (protocol === undefined) return fail(`unknown scheme ${shown(s.slice(0, sep))} (accepted: ${ACCEPTED})`)
  let rest = s.slice(sep + 3)
  if (rest.indexOf('#') >= 0) return fail(`a syslog destination takes no #fragment (accepted: ${ACCEPTED})`)
  const q = rest.indexOf('?')
  const query = q < 0 ? '' : rest.slice(q + 1)
  rest = q < 0 ? rest : rest.slice(0, q)
  const options = parseQuery(query, protocol)
  if (typeof options === 'string') return fail(`${scheme}: ${options}`)
  const facility = options.facility

  if (protocol === 'unix') {
    if (!rest.startsWith('/')) return fail(`syslog+unix needs an absolute socket path after the "//": syslog+unix:///dev/log`)
    const path = decode(rest)
    if (path === undefined || hasControl(path) || path.length < 2) return fail('syslog+unix: the socket path is not valid (accepted: syslog+unix:///dev/log)')
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
    return { ok: true, value: { protocol, path, facility, maxBytes, display: `syslog+unix://${path}` } }
  }

  if (rest.indexOf('@') >= 0) return fail(`${scheme}: credentials (user@) are not accepted in a syslog destination`)
  const slash = rest.indexOf('/')
  if (slash >= 0) {
    if (slash !== rest.length - 1) return fail(`${scheme}: a syslog destination takes no path (accepted: ${scheme}://host:${DEFAULT_PORTS[protocol]})`)
    rest = rest.slice(0, slash)
  }
  let host: string
  let portText: string | undefined
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0) return fail(`${scheme}: an IPv6 address needs a closing "]" ([::1]:${DEFAULT_PORTS[protocol]})`)
    host = rest.slice(1, close)
    if (!ipv6Ok(host)) return fail(`${scheme}: ${shown(host)} is not an IPv6 address`)
    const after = rest.slice(close + 1)
    if (after !== '' && !after.startsWith(':')) return fail(`${scheme}: expected ":port" after the IPv6 address`)
    portText = after === '' ? undefined : after.slice(1)
  } else {
    const colon = rest.indexOf(':')
    host = colon < 0 ? rest : rest.slice(0, colon)
    portText = colon < 0 ? undefined : rest.slice(colon + 1)
    if (host === '') return fail(`${scheme}: the host is missing (accepted: ${scheme}://host:${DEFAULT_PORTS[protocol]})`)
    if (!hostNameOk(host)) return fail(`${scheme}: ${shown(host)} is not a host name or address (letters, digits, ".", "-", "_"; IPv6 in brackets)`)
  }
  let port = DEFAULT_PORTS[protocol]
  if (portText !== undefined) {
    const n = isDigits(portText) && portText.length <= 5 ? Number(portText) : NaN
    if (!(n >= 1 && n <= 65535)) return fail(`${scheme}: port ${shown(portText)} is not a port number (1..65535)`)
    port = n
  }
  const maxBytes = options.maxBytes ?? (protocol === 'udp' ? DEFAULT_UDP_MAX_BYTES : DEFAULT_MAX_BYTES)
  const shownHost = host.indexOf(':') >= 0 ? `[${host}]` : host
  return {
    ok: true,
    value: { protocol, host, port, caFile: options.caFile, facility, maxBytes, display: `${scheme}://${shownHost}:${port}` }
  }
}
