// RFC 5424 messages from shipped records:
//
//   <PRI>1 TIMESTAMP HOSTNAME oneapm PROCID MSGID - @cee:{"msg":…,"thread":…,<fields>,"err":{…}}
//
// - PRI = facility × 8 + severity; severity critical→2 error→3 warning→4
//   info→6 debug/trace→7; facility from the destination (default local0 = 16).
// - TIMESTAMP: UTC with milliseconds (`2026-11-21T05:18:00.123Z`); `-` when
//   the record's time cannot be written as an RFC 3339 date.
// - HOSTNAME: the host name, printable ASCII only (others become `_`), at
//   most 255 bytes. APP-NAME `oneapm`. PROCID the pid. MSGID the component:
//   the logger name without `oneapm.` (`collector`), `-` for the root logger,
//   printable ASCII, at most 32 bytes.
//
// How the fields travel: STRUCTURED-DATA is `-`, and MSG is `@cee:` followed
// by one JSON object whose first key is the message. Why not SD: an SD-ID of
// our own needs an IANA private enterprise number we do not own (32473 is
// reserved for documentation, RFC 5612), and rsyslog's traditional file
// format leaves SD out of /var/log/syslog, so the fields would vanish there.
// A JSON MSG stays on the line in a plain /var/log/syslog (`oneapm[4242]:
// @cee:{"msg":"connected",...}`), and the `@cee:` cookie is what rsyslog's
// mmjsonparse (and syslog-ng's json-parser, Elastic's decode_json) expect:
// `action(type="mmjsonparse")` puts every key under `$!`. No UTF-8 BOM before
// the MSG: RFC 5424 allows that (MSG-ANY), and a BOM would hide the cookie
// from mmjsonparse and print as noise in the file.
//
// Nothing in a record can break framing or a line: the MSG is JSON, so
// newlines and every control are escaped (`\n`, `\u0001`), and so are DEL,
// the C1 controls and U+2028/U+2029; the header fields are printable ASCII.
// The same bytes go over UDP, TCP, TLS and unix sockets, and a multi-line
// message stays one line in /var/log/syslog. NUL becomes U+FFFD: rsyslog
// (json-c) ends a string at an escaped NUL, losing the rest of it.
//
// Every message is capped (options.maxBytes). A message over the cap stays
// valid JSON: the message, then the error's type and message, then the fields
// that fit whole, then the stack, each cut on a character boundary, and the
// message text ends with `…[truncated N bytes]` (N: the bytes left out).

import type { Frame, RecordParts, ShippedRecord, ShipResource } from '../transport'

export const APP_NAME = 'oneapm'
export const COOKIE = '@cee:'
const MAX_HOST_BYTES = 255
const MAX_MSGID_BYTES = 32
/** Room kept for the marker: `…[truncated ` (15 bytes) + up to 10 digits + ` bytes]` (7). */
const MARKER_ROOM = 32
/** In a message over the cap, the thread name keeps at most this many bytes. */
const MAX_THREAD_BYTES = 64
/** In a message over the cap, the error's type keeps at most this many bytes. */
const MAX_ERR_TYPE_BYTES = 128

const SEVERITY: Readonly<Record<number, number>> = { 60: 2, 50: 3, 40: 4, 30: 6, 20: 7, 10: 7 }

/** The syslog severity of a level: critical→2 error→3 warning→4 info→6 debug/trace→7 (anything else: 6). */
export function severityOf (level: number): number {
  return SEVERITY[level] ?? 6
}

/** `<PRI>` for a facility (0..23) and a level. */
export function priOf (facility: number, level: number): number {
  return facility * 8 + severityOf(level)
}

/** Printable ASCII (33..126) only, others as `_`, at most `max` bytes; `-` when empty. */
export function headerField (s: string, max: number): string {
  let out = ''
  const n = Math.min(s.length, max)
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    out += c >= 33 && c <= 126 ? s[i] : '_'
  }
  return out === '' ? '-' : out
}

/** The MSGID for a logger name: `oneapm.collector` → `collector`, `oneapm` → `-`. */
export function msgIdOf (logger: string): string {
  if (logger === APP_NAME || logger === '') return '-'
  const name = logger.startsWith(APP_NAME + '.') ? logger.slice(APP_NAME.length + 1) : logger
  return headerField(name, MAX_MSGID_BYTES)
}

const MAX_DATE = 253402300799999 // 9999-12-31T23:59:59.999Z

/** RFC 3339 in UTC with milliseconds, or `-`. */
export function timestampOf (time: number): string {
  return Number.isFinite(time) && time >= 0 && time <= MAX_DATE ? new Date(time).toISOString() : '-'
}

// --- JSON string bodies, counted in UTF-8 bytes and cut within a budget ---

const HEX = '0123456789abcdef'

function unicodeEscape (c: number): string {
  return '\\u' + HEX[(c >> 12) & 15]! + HEX[(c >> 8) & 15]! + HEX[(c >> 4) & 15]! + HEX[c & 15]!
}

/** The escaped form of code unit `c` at `i` in `s`, and how many code units it takes (2 for a pair). */
function piece (s: string, i: number): { text: string, units: number, bytes: number } {
  const c = s.charCodeAt(i)
  if (c === 34) return { text: '\\"', units: 1, bytes: 2 }
  if (c === 92) return { text: '\\\\', units: 1, bytes: 2 }
  if (c === 0) return { text: '\uFFFD', units: 1, bytes: 3 }
  if (c < 32) {
    const short = c === 10 ? '\\n' : c === 13 ? '\\r' : c === 9 ? '\\t' : undefined
    return short === undefined ? { text: unicodeEscape(c), units: 1, bytes: 6 } : { text: short, units: 1, bytes: 2 }
  }
  if (c < 127) return { text: s[i]!, units: 1, bytes: 1 }
  if (c <= 0x9f || c === 0x2028 || c === 0x2029) return { text: unicodeEscape(c), units: 1, bytes: 6 }
  if (c < 0x800) return { text: s[i]!, units: 1, bytes: 2 }
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0
    if (d >= 0xdc00 && d <= 0xdfff) return { text: s.slice(i, i + 2), units: 2, bytes: 4 }
    return { text: unicodeEscape(c), units: 1, bytes: 6 }
  }
  if (c >= 0xdc00 && c <= 0xdfff) return { text: unicodeEscape(c), units: 1, bytes: 6 }
  return { text: s[i]!, units: 1, bytes: 3 }
}

/** True when `s` can go between quotes as it is (printable ASCII without `"` and `\`): the common case, no per-character work. */
function plainAscii (s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c > 126 || c === 34 || c === 92) return false
  }
  return true
}

/** UTF-8 bytes of `s` escaped as a JSON string body (no quotes); no allocation per character. */
export function jsonBytes (s: string): number {
  if (plainAscii(s)) return s.length
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 34 || c === 92 || c === 10 || c === 13 || c === 9) n += 2
    else if (c === 0) n += 3
    else if (c < 32) n += 6
    else if (c < 127) n += 1
    else if (c <= 0x9f || c === 0x2028 || c === 0x2029) n += 6
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0
      if (d >= 0xdc00 && d <= 0xdfff) { n += 4; i++ } else n += 6
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6
    else n += 3
  }
  return n
}

/** `s` escaped as a JSON string body, cut to at most `max` UTF-8 bytes on a character boundary (never inside an escape). */
export function jsonBody (s: string, max = Infinity): { readonly text: string, readonly bytes: number } {
  if (s.length <= max && plainAscii(s)) return { text: s, bytes: s.length }
  const parts: string[] = []
  let n = 0
  for (let i = 0; i < s.length;) {
    const p = piece(s, i)
    if (n + p.bytes > max) break
    parts.push(p.text)
    n += p.bytes
    i += p.units
  }
  return { text: parts.join(''), bytes: n }
}

const JSON_EXTRA = /[\u007f-\u009f\u2028\u2029]/g

function noNul (_key: string, v: unknown): unknown {
  return typeof v === 'string' && v.includes('\0') ? v.replaceAll('\0', '\uFFFD') : v
}

/** A field value as JSON that cannot break a line (JSON.stringify leaves DEL, C1 and U+2028/9 raw). */
function valueJson (v: unknown): string {
  let s: string | undefined
  try {
    s = JSON.stringify(v, noNul)
  } catch {
    s = undefined
  }
  if (s === undefined) return 'null'
  return s.replace(JSON_EXTRA, (c) => unicodeEscape(c.charCodeAt(0)))
}

function byteLength (s: string): number {
  return plainAscii(s) ? s.length : Buffer.byteLength(s)
}

// --- the message ---

export interface SyslogFormatOptions {
  /** Facility number, 0..23. */
  readonly facility: number
  /** The largest message in bytes. */
  readonly maxBytes: number
}

export interface FormattedMessage {
  readonly message: Buffer
  readonly truncated: boolean
}

export type SyslogFormatter = (rec: ShippedRecord) => FormattedMessage

/** One formatter per destination: the host name and PROCID are made once. */
export function createSyslogFormatter (resource: ShipResource, options: SyslogFormatOptions): SyslogFormatter {
  const host = headerField(String(resource.hostName), MAX_HOST_BYTES)
  const tail = ` ${host} ${APP_NAME} ${headerField(String(resource.pid), 128)} `
  const msgIds = new Map<string, string>()
  return (rec) => {
    let msgId = msgIds.get(rec.logger)
    if (msgId === undefined) {
      msgId = msgIdOf(String(rec.logger))
      if (msgIds.size >= 256) msgIds.clear()
      msgIds.set(rec.logger, msgId)
    }
    const header = `<${priOf(options.facility, rec.level)}>1 ${timestampOf(rec.time)}${tail}${msgId} - ${COOKIE}`
    const m = body(rec, header, options.maxBytes)
    return { message: Buffer.from(m.text), truncated: m.truncated }
  }
}

export interface SyslogFramer {
  /** From the JSON layout's parts (the fast path); undefined when the general formatter is needed (over the cap, a NUL). */
  fromParts (p: RecordParts): Frame | undefined
  /** From a parsed-back record, through the formatter (cuts with the marker). */
  fromRecord (r: ShippedRecord): Frame
}

/**
 * Frames for one destination: the message, with its octet count when
 * `octets` (TCP, TLS, unix streams). The fast path joins the JSON layout's
 * already-escaped parts into the same MSG the formatter would write: `{"msg":
 * …,"thread":…,<fields>}` (their escaping already keeps controls, DEL, C1 and
 * U+2028/9 out; a NUL, which rsyslog would end the string at, goes the long way).
 */
export function createSyslogFramer (resource: ShipResource, options: SyslogFormatOptions, octets: boolean): SyslogFramer {
  const format = createSyslogFormatter(resource, options)
  const host = headerField(String(resource.hostName), MAX_HOST_BYTES)
  const tail = ` ${host} ${APP_NAME} ${headerField(String(resource.pid), 128)} `
  const pris: string[] = []
  const mids = new Map<string, string>()
  const frame = (text: string, bytes: number, truncated: boolean): Frame => octets
    ? { text: String(bytes) + ' ' + text, bytes: bytes + String(bytes).length + 1, truncated, group: '' }
    : { text, bytes, truncated, group: '' }
  return {
    fromParts (p) {
      if (p.msg.includes('\\u0000') || (p.fields !== '' && p.fields.includes('\\u0000'))) return undefined
      const pri = pris[p.level] ?? (pris[p.level] = `<${priOf(options.facility, p.level)}>1 `)
      let mid = mids.get(p.logger)
      if (mid === undefined) {
        mid = `${tail}${msgIdOf(String(p.logger))} - ${COOKIE}`
        if (mids.size >= 256) mids.clear()
        mids.set(p.logger, mid)
      }
      const text = pri + p.iso + mid + '{"msg":' + p.msg + ',"thread":' + p.thread + p.fields + '}'
      const bytes = Buffer.byteLength(text)
      return bytes > options.maxBytes ? undefined : frame(text, bytes, false)
    },
    fromRecord (r) {
      const m = format(r)
      return frame(m.message.toString('utf8'), m.message.length, m.truncated)
    }
  }
}

interface Member { readonly text: string, readonly bytes: number }

function body (rec: ShippedRecord, header: string, maxBytes: number): { text: string, truncated: boolean } {
  const msg = String(rec.msg)
  const thread = String(rec.thread)
  const fields: Member[] = []
  let fieldBytes = 0
  for (const key of Object.keys(rec.fields)) {
    const text = ',"' + jsonBody(key).text + '":' + valueJson(rec.fields[key])
    const bytes = byteLength(text)
    fields.push({ text, bytes })
    fieldBytes += bytes
  }
  const err = rec.err
  const errType = err === undefined ? '' : String(err.type)
  const errMessage = err === undefined ? '' : String(err.message)
  const errStack = err === undefined || err.stack === undefined ? undefined : String(err.stack)
  const recorded = rec.recorded ? ',"recorded":true' : ''

  // `{"msg":"` + `","thread":"` + `"` + `}` and the err wrapper: the fixed bytes.
  const errFrame = err === undefined ? 0 : ',"err":{"type":"","message":""}'.length + (errStack === undefined ? 0 : ',"stack":""'.length)
  const frame = '{"msg":"'.length + '","thread":"'.length + 2 + recorded.length + errFrame
  const headerBytes = header.length
  const full = headerBytes + frame + jsonBytes(msg) + jsonBytes(thread) + fieldBytes +
    (err === undefined ? 0 : jsonBytes(errType) + jsonBytes(errMessage) + (errStack === undefined ? 0 : jsonBytes(errStack)))

  if (full <= maxBytes) {
    return { text: header + assemble(jsonBody(msg).text, jsonBody(thread).text, recorded, fields.map((f) => f.text), err === undefined ? undefined : [jsonBody(errType).text, jsonBody(errMessage).text, errStack === undefined ? undefined : jsonBody(errStack).text]), truncated: false }
  }

  // Over the cap: share what is left between the parts. Small, telling
  // parts first (thread, error type and the start of its message), then the
  // message up to half, then the fields that fit whole; what is left goes to
  // the rest of the message and the stack, half each when both want it.
  let left = maxBytes - headerBytes - frame - MARKER_ROOM
  const take = (s: string, max: number): { text: string, bytes: number } => {
    const cut = jsonBody(s, Math.max(0, Math.min(max, left)))
    left -= cut.bytes
    return cut
  }
  const threadCut = take(thread, MAX_THREAD_BYTES)
  const typeCut = err === undefined ? undefined : take(errType, MAX_ERR_TYPE_BYTES)
  const messageCut = err === undefined ? undefined : take(errMessage, Math.floor(left / 8))
  const msgBytes = jsonBytes(msg)
  let msgCut = take(msg, Math.floor(left / 2))
  const kept: string[] = []
  for (const f of fields) {
    if (f.bytes <= left) {
      kept.push(f.text)
      left -= f.bytes
    }
  }
  const stackBytes = errStack === undefined ? 0 : jsonBytes(errStack)
  if (msgCut.bytes < msgBytes) {
    const grow = stackBytes > 0 ? Math.floor(left / 2) : left
    left += msgCut.bytes
    msgCut = take(msg, msgCut.bytes + grow)
  }
  let errParts: [string, string, string | undefined] | undefined
  if (typeCut !== undefined && messageCut !== undefined) {
    errParts = [typeCut.text, messageCut.text, errStack === undefined ? undefined : take(errStack, left).text]
  }
  // Kept bytes, the marker not counted: everything else was left out.
  const keptBytes = maxBytes - MARKER_ROOM - Math.max(left, 0)
  const omitted = Math.max(full - keptBytes, 1)
  const marker = `…[truncated ${omitted} bytes]`
  let text = header + assemble(msgCut.text + marker, threadCut.text, recorded, kept, errParts)
  if (byteLength(text) > maxBytes) {
    // Only a header longer than the cap gets here (maxBytes is at least 480; a header at most ~350).
    text = header + assemble(marker, '', recorded, [], undefined)
  }
  return { text, truncated: true }
}

function assemble (msg: string, thread: string, recorded: string, fields: readonly string[], err: readonly [string, string, string | undefined] | undefined): string {
  let s = '{"msg":"' + msg + '","thread":"' + thread + '"' + recorded
  for (const f of fields) s += f
  if (err !== undefined) s += ',"err":{"type":"' + err[0] + '","message":"' + err[1] + '"' + (err[2] === undefined ? '' : ',"stack":"' + err[2] + '"') + '}'
  return s + '}'
}

/** RFC 6587 §3.4.1 / RFC 5425 octet counting: `MSG-LEN SP SYSLOG-MSG`. */
export function octetCounted (message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `), message])
}
