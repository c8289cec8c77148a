// Where an OTLP destination of log_ship sends, and with which headers:
// `otlp+http://host:4318[/path]`, `otlp+https://...`, or bare `otlp`, which
// reads the endpoint the OpenTelemetry way (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT
// as is, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/logs`, else
// http://localhost:4318/v1/logs). Headers come from log_ship_headers and the
// OTEL_EXPORTER_OTLP_(LOGS_)HEADERS variables, in the W3C-baggage-like form
// of the OTel spec (`k=v,k2=v2`, values percent-decoded).
//
// Pure functions of their arguments (env included), hand-written scanners,
// never a throw: whatever an operator writes becomes a problem naming what is
// wrong and what is accepted. Header values are secrets (API keys, bearer
// tokens): no problem text and no `target` holds one; they show names only.

import { MASK } from '../../format/redact'

export type Resolved<T> = { readonly ok: true, readonly value: T } | { readonly ok: false, readonly problem: string }

export type Env = Readonly<Record<string, string | undefined>>

export interface OtlpUrl {
  /** What undici is given: `http://host:4318/v1/logs`. */
  readonly url: string
  /** For the local log and doctor: `otlp+http://host:4318/v1/logs`, a query's value masked. */
  readonly display: string
  /** Where it came from: `log_ship`, an OTEL_* variable, or `default`. */
  readonly source: string
}

export interface OtlpEndpoint {
  readonly url: string
  /** Lower-case names; the values are secrets. */
  readonly headers: Readonly<Record<string, string>>
  /** `otlp+https://collector:4318/v1/logs [headers: authorization; values hidden]`: names only. */
  readonly target: string
  /** From OTEL_EXPORTER_OTLP_LOGS_TIMEOUT / OTEL_EXPORTER_OTLP_TIMEOUT when set and valid. */
  readonly timeoutMs: number | undefined
  /** Settings that were ignored, with what was used instead (a bad timeout, a gRPC protocol setting). */
  readonly notes: readonly string[]
}

export const DEFAULT_PORT = 4318
export const LOGS_PATH = '/v1/logs'
export const DEFAULT_ENDPOINT = `http://localhost:${DEFAULT_PORT}${LOGS_PATH}`
const ACCEPTED_URL = `otlp+http://host:${DEFAULT_PORT}, otlp+https://host:${DEFAULT_PORT}/v1/logs, or otlp (endpoint from OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT)`
const ACCEPTED_HEADERS = 'comma-separated name=value pairs, such as authorization=Bearer%20xyz,x-scope-orgid=7 (values percent-encoded)'
/** Set by the transport itself: an operator's copy would break the request. */
const RESERVED_HEADERS = new Set(['content-type', 'content-encoding', 'content-length', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer'])
/** Bytes of operator text quoted back in a problem (never a header value). */
const QUOTE = 40
const MAX_TIMEOUT_MS = 600_000

/** A short, escaped excerpt of operator text for a problem (never called on a header value). */
function quote (text: string): string {
  return JSON.stringify(text.length > QUOTE ? text.slice(0, QUOTE) + '…' : text)
}

const fail = (problem: string): Resolved<never> => ({ ok: false, problem })

// RFC 3986 reg-name / IPv4 characters plus `_`, seen in container host names.
function isHostChar (c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e
}

function isIpv6Char (c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) || c === 0x3a || c === 0x2e
}

/** Visible ASCII except `#` (a fragment is never sent) and `\`. */
function isPathChar (c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x23 && c !== 0x5c
}

/**
 * Splits `scheme://authority/path?query` after its scheme was checked.
 * `rest` is what follows `://`; `where` names the setting for problems.
 */
function parseAuthority (rest: string, defaultPort: number, defaultPath: string | undefined, where: string): Resolved<{ host: string, port: number, path: string, query: string }> {
  let end = 0
  while (end < rest.length) {
    const c = rest.charCodeAt(end)
    if (c === 0x2f || c === 0x3f || c === 0x23) break
    end++
  }
  const authority = rest.slice(0, end)
  // Credentials belong in headers, where they are treated as secrets.
  if (authority.includes('@')) return fail(`${where}: user:password@ in the URL is not accepted (put credentials in log_ship_headers); accepted: ${ACCEPTED_URL}`)
  let host: string
  let portText: string | undefined
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']')
    if (close < 0) return fail(`${where}: IPv6 address without its closing ]; accepted: ${ACCEPTED_URL}`)
    host = authority.slice(0, close + 1)
    for (let i = 1; i < close; i++) {
      if (!isIpv6Char(host.charCodeAt(i))) return fail(`${where}: bad IPv6 address ${quote(host)}; accepted: ${ACCEPTED_URL}`)
    }
    const after = authority.slice(close + 1)
    if (after !== '' && !after.startsWith(':')) return fail(`${where}: unexpected ${quote(after)} after the IPv6 address; accepted: ${ACCEPTED_URL}`)
    if (after !== '') portText = after.slice(1)
    if (close === 1) return fail(`${where}: missing host; accepted: ${ACCEPTED_URL}`)
  } else {
    const colon = authority.indexOf(':')
    host = colon < 0 ? authority : authority.slice(0, colon)
    if (colon >= 0) portText = authority.slice(colon + 1)
    if (host === '') return fail(`${where}: missing host; accepted: ${ACCEPTED_URL}`)
    for (let i = 0; i < host.length; i++) {
      if (!isHostChar(host.charCodeAt(i))) return fail(`${where}: bad character in host ${quote(host)} (letters, digits, - . _ ~ or an [IPv6] address); accepted: ${ACCEPTED_URL}`)
    }
  }
  let port = defaultPort
  if (portText !== undefined) {
    let digits = portText.length > 0 && portText.length <= 5
    for (let i = 0; digits && i < portText.length; i++) {
      const c = portText.charCodeAt(i)
      digits = c >= 0x30 && c <= 0x39
    }
    port = digits ? Number(portText) : NaN
    if (!(port >= 1 && port <= 65535)) return fail(`${where}: bad port ${quote(portText)} (a number from 1 to 65535); accepted: ${ACCEPTED_URL}`)
  }
  let tail = rest.slice(end)
  const hash = tail.indexOf('#')
  if (hash >= 0) tail = tail.slice(0, hash)
  for (let i = 0; i < tail.length; i++) {
    if (!isPathChar(tail.charCodeAt(i))) return fail(`${where}: the path may hold visible ASCII only (percent-encode the rest); accepted: ${ACCEPTED_URL}`)
  }
  const q = tail.indexOf('?')
  let path = q < 0 ? tail : tail.slice(0, q)
  const query = q < 0 ? '' : tail.slice(q)
  if (path === '' || (path === '/' && defaultPath !== undefined)) path = defaultPath ?? '/'
  return { ok: true, value: { host, port, path, query } }
}

function build (scheme: 'http' | 'https', parts: { host: string, port: number, path: string, query: string }, source: string): OtlpUrl {
  const hostPort = `${parts.host}:${parts.port}`
  // A query can carry an API key (some vendors take one there): shown masked.
  const shownQuery = parts.query === '' ? '' : `?${MASK}`
  return { url: `${scheme}://${hostPort}${parts.path}${parts.query}`, display: `otlp+${scheme}://${hostPort}${parts.path}${shownQuery}`, source }
}

/** Lower-cases an ASCII scheme prefix and tells which of `schemes` `text` starts with. */
function schemeOf (text: string, schemes: readonly string[]): string | undefined {
  const head = text.slice(0, 16).toLowerCase()
  return schemes.find((s) => head.startsWith(s + '://'))
}

/** An `http(s)://` URL from an OTEL_* variable; `append` adds the signal path as the spec says for the generic variable. */
function fromEnvUrl (value: string, name: string, append: boolean): Resolved<OtlpUrl> {
  const scheme = schemeOf(value, ['http', 'https']) as 'http' | 'https' | undefined
  if (scheme === undefined) return fail(`${name}: the URL must start with http:// or https:// (the OTLP/HTTP endpoint, such as ${DEFAULT_ENDPOINT})`)
  const parts = parseAuthority(value.slice(scheme.length + 3), scheme === 'https' ? 443 : 80, undefined, name)
  if (!parts.ok) return parts
  const p = parts.value
  if (append) p.path = p.path.endsWith('/') ? p.path + LOGS_PATH.slice(1) : p.path + LOGS_PATH
  return { ok: true, value: build(scheme, p, name) }
}

function envValue (env: Env, name: string): string | undefined {
  const v = env[name]
  if (typeof v !== 'string') return undefined
  const t = v.trim()
  return t === '' ? undefined : t
}

/**
 * One OTLP entry of log_ship to a URL. `otlp+http(s)://host[:port][/path]`:
 * the port defaults to 4318 (OTLP/HTTP's) and an empty path to /v1/logs.
 */
export function resolveOtlpUrl (spec: unknown, env: Env): Resolved<OtlpUrl> {
  try {
    if (typeof spec !== 'string') return fail(`log_ship: an OTLP destination must be text; accepted: ${ACCEPTED_URL}`)
    const text = spec.trim()
    if (text.toLowerCase() === 'otlp') {
      const logs = envValue(env, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT')
      if (logs !== undefined) return fromEnvUrl(logs, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', false)
      const base = envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')
      if (base !== undefined) return fromEnvUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT', true)
      return { ok: true, value: { url: DEFAULT_ENDPOINT, display: `otlp+${DEFAULT_ENDPOINT}`, source: 'default' } }
    }
    const scheme = schemeOf(text, ['otlp+http', 'otlp+https'])
    if (scheme === undefined) {
      const sep = text.indexOf('://')
      const shown = sep > 0 && sep <= 20 ? quote(text.slice(0, sep)) : 'none'
      return fail(`log_ship: unknown scheme ${shown} for an OTLP destination; accepted: ${ACCEPTED_URL}`)
    }
    const parts = parseAuthority(text.slice(scheme.length + 3), DEFAULT_PORT, LOGS_PATH, 'log_ship')
    if (!parts.ok) return parts
    return { ok: true, value: build(scheme === 'otlp+https' ? 'https' : 'http', parts.value, 'log_ship') }
  } catch {
    // Nothing above throws on a string; this keeps the promise for any input.
    return fail(`log_ship: unreadable OTLP destination; accepted: ${ACCEPTED_URL}`)
  }
}

// RFC 9110 tchar.
function isTokenChar (c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || '!#$%&\'*+-.^_`|~'.includes(String.fromCharCode(c))
}

/** A header value undici sends as is: HTAB, visible ASCII, space, Latin-1 (obs-text). */
function headerValueProblem (value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 0x0d || c === 0x0a) return 'holds a CR or LF (header injection)'
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return 'holds a control character'
    if (c > 0xff) return 'holds characters beyond Latin-1 (send them percent-encoded)'
  }
  return undefined
}

/**
 * `name=value,name2=value2` as OTEL_EXPORTER_OTLP_HEADERS is written: names
 * are HTTP tokens (lower-cased here), values are trimmed and percent-decoded.
 * Empty entries (a trailing comma) are skipped. `where` names the setting.
 */
export function parseOtlpHeaders (input: unknown, where: string): Resolved<Readonly<Record<string, string>>> {
  try {
    if (input === undefined || input === null) return { ok: true, value: {} }
    if (typeof input !== 'string') return fail(`${where}: must be text; accepted: ${ACCEPTED_HEADERS}`)
    const headers: Record<string, string> = Object.create(null) as Record<string, string>
    let index = 0
    for (const raw of input.split(',')) {
      index++
      const entry = raw.trim()
      if (entry === '') continue
      const eq = entry.indexOf('=')
      if (eq < 0) {
        // The entry may be a bare token pasted by mistake: named by position only.
        return fail(`${where}: entry ${index} has no "=" (values are not shown); accepted: ${ACCEPTED_HEADERS}`)
      }
      const name = entry.slice(0, eq).trim()
      if (name === '') return fail(`${where}: entry ${index} has no name before "="; accepted: ${ACCEPTED_HEADERS}`)
      for (let i = 0; i < name.length; i++) {
        if (!isTokenChar(name.charCodeAt(i))) return fail(`${where}: entry ${index} has a bad header name (letters, digits and !#$%&'*+-.^_\`|~ only); accepted: ${ACCEPTED_HEADERS}`)
      }
      const lower = name.toLowerCase()
      if (RESERVED_HEADERS.has(lower)) return fail(`${where}: header ${lower} is set by the OTLP transport itself; accepted: any other header, ${ACCEPTED_HEADERS}`)
      let value: string
      try {
        value = decodeURIComponent(entry.slice(eq + 1).trim())
      } catch {
        return fail(`${where}: header ${lower} has a malformed percent-encoding (value not shown); accepted: ${ACCEPTED_HEADERS}`)
      }
      const bad = headerValueProblem(value)
      if (bad !== undefined) return fail(`${where}: the value of header ${lower} ${bad} (value not shown); accepted: ${ACCEPTED_HEADERS}`)
      headers[lower] = value
    }
    return { ok: true, value: headers }
  } catch {
    return fail(`${where}: unreadable; accepted: ${ACCEPTED_HEADERS}`)
  }
}

/**
 * `headers: authorization, x-scope-orgid; values hidden`: names only. Never
 * a header name right before `=` or `:` (not `authorization=****`): the
 * local log's Redactor reads that as a secret assignment and masks the rest
 * of the message after it, and messages go on after the target with `:`.
 */
export function showHeaders (headers: Readonly<Record<string, string>>): string {
  const names = Object.keys(headers)
  return names.length === 0 ? '' : `headers: ${names.join(', ')}; values hidden`
}

function envTimeout (env: Env, notes: string[]): number | undefined {
  for (const name of ['OTEL_EXPORTER_OTLP_LOGS_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']) {
    const v = envValue(env, name)
    if (v === undefined) continue
    let digits = v.length <= 9
    for (let i = 0; digits && i < v.length; i++) digits = v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39
    const ms = digits ? Number(v) : NaN
    if (ms >= 1 && ms <= MAX_TIMEOUT_MS) return ms
    notes.push(`${name}=${quote(v)} ignored: a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}; the transport's default was used`)
    return undefined
  }
  return undefined
}

/**
 * The whole destination: its URL, the headers (log_ship_headers over
 * OTEL_EXPORTER_OTLP_LOGS_HEADERS over OTEL_EXPORTER_OTLP_HEADERS, name by
 * name, as the OTel SDK merges the last two) and its display.
 */
export function resolveOtlpEndpoint (spec: unknown, shipHeaders: unknown, env: Env): Resolved<OtlpEndpoint> {
  try {
    const url = resolveOtlpUrl(spec, env)
    if (!url.ok) return url
    const headers: Record<string, string> = {}
    const layers: Array<[unknown, string]> = [
      [envValue(env, 'OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS'],
      [envValue(env, 'OTEL_EXPORTER_OTLP_LOGS_HEADERS'), 'OTEL_EXPORTER_OTLP_LOGS_HEADERS'],
      [shipHeaders, 'log_ship_headers']
    ]
    for (const [value, where] of layers) {
      const parsed = parseOtlpHeaders(value, where)
      if (!parsed.ok) return parsed
      Object.assign(headers, parsed.value)
    }
    const notes: string[] = []
    const timeoutMs = envTimeout(env, notes)
    const protocol = envValue(env, 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL') ?? envValue(env, 'OTEL_EXPORTER_OTLP_PROTOCOL')
    if (protocol !== undefined && protocol !== 'http/json') {
      notes.push(`OTEL_EXPORTER_OTLP_PROTOCOL ${quote(protocol)} ignored: the agent's log shipping speaks http/json only (a Collector's OTLP/HTTP receiver takes it on the same port as http/protobuf)`)
    }
    const shown = showHeaders(headers)
    const target = shown === '' ? url.value.display : `${url.value.display} [${shown}]`
    return { ok: true, value: { url: url.value.url, headers, target, timeoutMs, notes } }
  } catch {
    return fail(`log_ship: unreadable OTLP destination; accepted: ${ACCEPTED_URL}`)
  }
}
