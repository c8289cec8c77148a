// ShippedRecords → an OTLP/JSON ExportLogsServiceRequest, as the OTLP spec's
// JSON encoding requires: lowerCamelCase keys, enums as integers, 64-bit
// integers and nanosecond timestamps as decimal strings. One resourceLogs per
// process (records replayed from a previous run's spool keep their own pid),
// one scopeLogs per logger name, records in their order. Linear in the input:
// one pass to group, one walk of each value (nesting past MAX_DEPTH travels as
// its JSON text), and every string made well-formed UTF-16 so a lone surrogate
// cannot make the receiver's protobuf decoding fail or change the text.

import type { Frame, RecordParts, ShippedRecord, ShipResource } from '../transport'

export interface AnyValue {
  stringValue?: string
  boolValue?: boolean
  intValue?: string
  doubleValue?: number
  arrayValue?: { values: AnyValue[] }
  kvlistValue?: { values: KeyValue[] }
}

export interface KeyValue { key: string, value: AnyValue }

export interface LogRecord {
  timeUnixNano: string
  observedTimeUnixNano: string
  severityNumber: number
  severityText: string
  body: AnyValue
  attributes: KeyValue[]
}

export interface ScopeLogs { scope: { name: string, version: string }, logRecords: LogRecord[] }
export interface ResourceLogs { resource: { attributes: KeyValue[] }, scopeLogs: ScopeLogs[] }
export interface ExportLogsServiceRequest { resourceLogs: ResourceLogs[] }

/** The OTel logs data model's SeverityNumber (the smallest of each range) and short SeverityText, by our level value. */
export const SEVERITY: Readonly<Record<number, { readonly number: number, readonly text: string }>> = {
  10: { number: 1, text: 'TRACE' },
  20: { number: 5, text: 'DEBUG' },
  30: { number: 9, text: 'INFO' },
  40: { number: 13, text: 'WARN' },
  50: { number: 17, text: 'ERROR' },
  60: { number: 21, text: 'FATAL' }
}
/** A level the data model's table does not know reads as INFO, as the spec allows for a missing severity. */
const UNKNOWN_SEVERITY = { number: 9, text: 'INFO' }

/** The spec's fallback when the service has no name. */
export const UNKNOWN_SERVICE = 'unknown_service:node'
/** Nesting past this travels as JSON text: keeps the walk shallow on hostile input. */
export const MAX_DEPTH = 16
/** Attributes the transport sets; a field of the same name gives way (keys must be unique). */
const OWN_KEYS = new Set(['thread.name', 'exception.type', 'exception.message', 'exception.stacktrace', 'oneapm.recorded'])

const INT64_MIN = -(2 ** 63)
const INT64_LIMIT = 2 ** 63

/** Lone surrogates become U+FFFD: what any UTF-8 encoder would make of them, done here so the JSON says what arrives. */
export function wellFormed (s: string): string {
  let out: string | undefined
  let from = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0xd800 || c > 0xdfff) continue
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) { i++; continue }
    }
    out = (out ?? '') + s.slice(from, i) + '\ufffd'
    from = i + 1
  }
  return out === undefined ? s : out + s.slice(from)
}

/** Milliseconds since the epoch (fractions kept to the nanosecond) as decimal-string nanoseconds; `0` (unknown) for nonsense. */
export function nanos (ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0 || ms > 9.2e12) return '0'
  let whole = Math.floor(ms)
  let frac = Math.round((ms - whole) * 1e6)
  if (frac >= 1e6) { whole++; frac -= 1e6 }
  return whole === 0 ? String(frac) : String(whole) + String(frac).padStart(6, '0')
}

function numberValue (n: number): AnyValue {
  if (Number.isInteger(n) && n >= INT64_MIN && n < INT64_LIMIT) {
    // BigInt prints the double's exact integer; String() would round past 2^53 in places.
    return { intValue: Number.isSafeInteger(n) ? String(n) : BigInt(n).toString() }
  }
  if (Number.isFinite(n)) return { doubleValue: n }
  // JSON has no NaN or Infinity; protobuf's JSON mapping spells them as strings, not every receiver does.
  return { stringValue: String(n) }
}

function toAny (value: unknown, depth: number): AnyValue | undefined {
  switch (typeof value) {
    case 'string': return { stringValue: wellFormed(value) }
    case 'boolean': return { boolValue: value }
    case 'number': return numberValue(value)
    case 'bigint': return value >= BigInt(INT64_MIN) && value < BigInt(INT64_LIMIT) ? { intValue: value.toString() } : { stringValue: value.toString() }
    case 'object': break
    default: return undefined
  }
  // null: an empty AnyValue, which the data model allows; the key still says the field was there.
  if (value === null) return {}
  if (depth >= MAX_DEPTH) return { stringValue: wellFormed(safeJson(value)) }
  if (Array.isArray(value)) {
    const values: AnyValue[] = []
    for (const item of value) values.push(toAny(item, depth + 1) ?? {})
    return { arrayValue: { values } }
  }
  return { kvlistValue: { values: toKeyValues(value as Record<string, unknown>, depth + 1, undefined) } }
}

function safeJson (value: unknown): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return ''
  }
}

function toKeyValues (object: Readonly<Record<string, unknown>>, depth: number, skip: ReadonlySet<string> | undefined): KeyValue[] {
  const out: KeyValue[] = []
  for (const key of Object.keys(object)) {
    if (skip?.has(key) === true) continue
    const value = toAny(object[key], depth)
    if (value !== undefined) out.push({ key: wellFormed(key), value })
  }
  return out
}

function str (key: string, value: string): KeyValue {
  return { key, value: { stringValue: wellFormed(value) } }
}

export function logRecord (r: ShippedRecord, observed: string): LogRecord {
  const severity = SEVERITY[r.level] ?? UNKNOWN_SEVERITY
  const attributes = r.fields !== null && typeof r.fields === 'object' ? toKeyValues(r.fields, 0, OWN_KEYS) : []
  attributes.push(str('thread.name', r.thread))
  if (r.err !== undefined) {
    attributes.push(str('exception.type', r.err.type), str('exception.message', r.err.message))
    if (r.err.stack !== undefined) attributes.push(str('exception.stacktrace', r.err.stack))
  }
  if (r.recorded) attributes.push({ key: 'oneapm.recorded', value: { boolValue: true } })
  return {
    timeUnixNano: nanos(r.time),
    observedTimeUnixNano: observed,
    severityNumber: severity.number,
    severityText: severity.text,
    body: { stringValue: wellFormed(r.msg) },
    attributes
  }
}

/** The resource of process `pid`: ours, or a previous run's (its instance id is not known, so not claimed). */
export function resourceAttributes (resource: ShipResource, pid: number): KeyValue[] {
  const own = pid === resource.pid
  const attributes = [str('service.name', resource.serviceName ?? UNKNOWN_SERVICE)]
  if (own) attributes.push(str('service.instance.id', resource.instanceId))
  attributes.push(
    str('host.name', resource.hostName),
    { key: 'process.pid', value: numberValue(pid) },
    str('process.runtime.name', resource.runtimeName),
    str('process.runtime.version', resource.runtimeVersion)
  )
  return attributes
}

/**
 * The request for one batch. `nowMs` is the observed time (when the
 * transport took the batch): a record's own time stays its timeUnixNano, so
 * the two differ by how long it waited in the queue or the spool.
 */
export function exportRequest (records: readonly ShippedRecord[], resource: ShipResource, nowMs: number): ExportLogsServiceRequest {
  const observed = nanos(nowMs)
  const byPid = new Map<number, Map<string, LogRecord[]>>()
  // Our own process first, so a receiver that reads one resource reads ours.
  byPid.set(resource.pid, new Map())
  for (const r of records) {
    let scopes = byPid.get(r.pid)
    if (scopes === undefined) {
      scopes = new Map()
      byPid.set(r.pid, scopes)
    }
    let list = scopes.get(r.logger)
    if (list === undefined) {
      list = []
      scopes.set(r.logger, list)
    }
    list.push(logRecord(r, observed))
  }
  const resourceLogs: ResourceLogs[] = []
  for (const [pid, scopes] of byPid) {
    if (scopes.size === 0) continue
    const scopeLogs: ScopeLogs[] = []
    for (const [name, logRecords] of scopes) scopeLogs.push({ scope: { name: wellFormed(name), version: resource.version }, logRecords })
    resourceLogs.push({ resource: { attributes: resourceAttributes(resource, pid) }, scopeLogs })
  }
  return { resourceLogs }
}

/** The request as the JSON text the transport sends. */
export function encodeExportRequest (records: readonly ShippedRecord[], resource: ShipResource, nowMs: number): string {
  return JSON.stringify(exportRequest(records, resource, nowMs))
}

// --- frames: one logRecord's JSON, made when the record is queued ---

/** The group of a frame: its process (resource) and logger (scope). */
export function groupOf (pid: number, logger: string): string {
  return String(pid) + ' ' + logger
}

const SEVERITY_JSON: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(SEVERITY).map(([k, v]) => [k, `,"severityNumber":${v.number},"severityText":"${v.text}"`]))
const UNKNOWN_SEVERITY_JSON = `,"severityNumber":${UNKNOWN_SEVERITY.number},"severityText":"${UNKNOWN_SEVERITY.text}"`

/**
 * A logRecord from the JSON layout's parts, for a record without fields: the
 * message literal is the body as it stands (its escaping is JSON's). Undefined
 * for a record with fields (their attributes need the general walk) or a
 * message holding an escaped lone surrogate (wellFormed must replace it). The
 * observed time is the record's own: it was observed when it was logged.
 */
export function fragmentFromParts (p: RecordParts, pid: number): Frame | undefined {
  if (p.fields !== '' || p.msg.includes('\\ud') || p.thread.includes('\\ud')) return undefined
  const t = nanos(p.time)
  const text = '{"timeUnixNano":"' + t + '","observedTimeUnixNano":"' + t + '"' + (SEVERITY_JSON[p.level] ?? UNKNOWN_SEVERITY_JSON) +
    ',"body":{"stringValue":' + p.msg + '},"attributes":[{"key":"thread.name","value":{"stringValue":' + p.thread + '}}]}'
  return { text, bytes: text.length, truncated: false, group: groupOf(pid, p.logger) }
}

/** A logRecord from a parsed-back record (fields, errors, a spool of an earlier process). */
export function fragmentFromRecord (r: ShippedRecord, nowMs: number): Frame {
  const text = JSON.stringify(logRecord(r, nanos(nowMs)))
  return { text, bytes: text.length, truncated: false, group: groupOf(r.pid, r.logger) }
}

/**
 * The request's JSON for frames in queue order: grouped by process, then by
 * logger, each group's records in their order (what exportRequest does).
 */
export function requestFromFrames (frames: readonly Frame[], resource: ShipResource): string {
  const groups = new Map<string, string[]>()
  // Our own process first, so a receiver that reads one resource reads ours.
  const own = String(resource.pid) + ' '
  for (const pass of [true, false]) {
    for (const f of frames) {
      if (f.group.startsWith(own) !== pass) continue
      let list = groups.get(f.group)
      if (list === undefined) groups.set(f.group, list = [])
      list.push(f.text)
    }
  }
  const byPid = new Map<string, string[]>()
  for (const [group, texts] of groups) {
    const space = group.indexOf(' ')
    const pid = group.slice(0, space)
    const name = group.slice(space + 1)
    let scopes = byPid.get(pid)
    if (scopes === undefined) byPid.set(pid, scopes = [])
    scopes.push('{"scope":' + JSON.stringify({ name: wellFormed(name), version: resource.version }) + ',"logRecords":[' + texts.join(',') + ']}')
  }
  const out: string[] = []
  for (const [pid, scopes] of byPid) {
    out.push('{"resource":' + JSON.stringify({ attributes: resourceAttributes(resource, Number(pid)) }) + ',"scopeLogs":[' + scopes.join(',') + ']}')
  }
  return '{"resourceLogs":[' + out.join(',') + ']}'
}
