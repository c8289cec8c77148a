// Everything summary, tail and report print from a log is redacted again,
// the way a support bundle redacts its members: a log written before
// redaction existed, or by an older version, or by another writer, may hold
// the license key, a proxy password or a token in clear. The rules are the
// library's (Redactor: the license key in any case and encoding, URL
// passwords, auth schemes, secret-named fields; configRedactor: every secret
// the config holds), with the license key and log_redact names of the config
// given (--config), else of the config the agent would load. Redaction comes
// before any cut: a secret is never cut in half and left partly readable.

import { createHash } from 'node:crypto'
import { MASK, Redactor, configRedactor, loadConfig, type AgentConfig } from '../../tools'
import { Memo, flat } from './memo'
import type { ReadRecord } from './parse'
import type { ParsedRecord } from './model'

export interface OutputRedactor {
  /** A string from a log, redacted. */
  text (s: string): string
  /** A field's value: masked whole under a secret name; `settings` (agent_start's JSON) key by key. */
  field (key: string, value: string): string
  /** The record with name, thread, message and fields redacted when read (the header fields the reader needs pass through). */
  record<R extends ParsedRecord> (r: R): R
  /** Which config the rules came from (a hash of its settings; 'none'): a worker that loads the config again checks it got the same one. */
  readonly source: string
}

/** Field values shorter than this many characters (with their key) are remembered once redacted, at most FIELD_MEMO_MAX of them. */
const FIELD_MEMO_CHARS = 256
const FIELD_MEMO_MAX = 2048

/** What the field memo keeps for a value that redaction left as it was. */
const SAME = Symbol('same')

/** The redaction for the config at `file` (or the one the agent would load); never throws: with no config, the built-in rules. */
export function outputRedactor (file: string | undefined): OutputRedactor {
  let cfg: AgentConfig | undefined
  try {
    cfg = loadConfig(file === undefined ? {} : { file })
  } catch {
    cfg = undefined
  }
  const s = cfg?.settings
  const key = typeof s?.license_key === 'string' && s.license_key.length >= 4 ? s.license_key : undefined
  const shapes = new Redactor({ ...(key === undefined ? {} : { licenseKey: key }), ...(s === undefined ? {} : { extraNames: s.log_redact }) })
  const config = cfg === undefined ? undefined : configRedactor(cfg)
  const text = (x: string): string => {
    const once = shapes.text(x)
    return config === undefined ? once : config.text(once)
  }
  const redactField = (k: string, v: string): string => {
    if (shapes.isSecretKey(k)) return v === '' ? v : MASK
    return k === 'settings' && v.startsWith('{') ? settingsJson(v, text, shapes) : text(v)
  }
  // An outage writes the same url, cause and status into thousands of collector_error lines:
  // each short field is redacted once (memo.ts: bounded, and idle on a log where values differ).
  const memo = new Memo<string | typeof SAME>(FIELD_MEMO_MAX, FIELD_MEMO_CHARS + 8)
  const field = (k: string, v: string): string => {
    if (k.length + v.length >= FIELD_MEMO_CHARS || !memo.on) return redactField(k, v)
    // The key's length first: no two (key, value) pairs spell the same memo key.
    const id = `${k.length}:${k}${v}`
    const known = memo.get(id)
    if (known !== undefined) return known === SAME ? v : known
    const out = redactField(k, v)
    // Most values come out as they went in: the memo then keeps a marker, not a copy of the value.
    memo.set(id, out === v ? SAME : flat(out))
    return out
  }
  return {
    source: s === undefined ? 'none' : createHash('sha256').update(JSON.stringify(s)).digest('hex'),
    text,
    field,
    // A record with no line (summary's in-place reader) gives '' for line, which the summary never reads.
    record: <R extends ParsedRecord>(r: R): R => new RedactedRecord(r as unknown as ReadRecord, text, field) as unknown as R
  }
}

/** agent_start's settings: `{"name":"value (source)"}`; a secret-named one keeps only its source. */
function settingsJson (json: string, text: (s: string) => string, shapes: Redactor): string {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return text(json)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return text(json)
  const out = new Map<string, unknown>()
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v !== 'string') { out.set(text(k), v); continue }
    const open = v.lastIndexOf(' (')
    const source = open >= 0 && v.endsWith(')') ? v.slice(open) : ''
    const value = source === '' ? v : v.slice(0, open)
    // A value the writer masked already (`a1b2****`: a long key's first 4 characters) is shown as written.
    const masked = value.endsWith(MASK) && value.length <= MASK.length + 4
    out.set(text(k), (shapes.isSecretKey(k) && value !== '' && value !== '(unset)' && !masked ? MASK : text(value)) + text(source))
  }
  return JSON.stringify(Object.fromEntries(out))
}

class RedactedRecord implements ReadRecord {
  private fieldsDone: Record<string, string> | undefined
  private msgDone: string | undefined
  private lineDone: string | undefined
  private eventDone: string | undefined

  constructor (private readonly r: ReadRecord, private readonly redact: (s: string) => string, private readonly redactField: (k: string, v: string) => string) {}

  get time (): number { return this.r.time }
  get level (): ReadRecord['level'] { return this.r.level }
  get pid (): number { return this.r.pid }
  get file (): string { return this.r.file }
  get format (): ReadRecord['format'] { return this.r.format }
  // Redacted too: an event is a word from the writer's code, but a foreign or hostile writer can put anything there.
  get event (): string | undefined {
    const e = this.r.event
    return e === undefined ? undefined : (this.eventDone ??= this.redact(e))
  }
  get name (): string { return this.redact(this.r.name) }
  get thread (): string { return this.redact(this.r.thread) }
  get msg (): string { return (this.msgDone ??= this.redact(this.r.msg)) }
  get line (): string { return (this.lineDone ??= redactLine((this.r as Partial<ReadRecord>).line ?? '', this.redact)) }
  get fields (): Readonly<Record<string, string>> {
    if (this.fieldsDone === undefined) {
      const out = Object.create(null) as Record<string, string>
      const src = this.r.fields
      for (const k of Object.keys(src)) out[this.redact(k)] = this.redactField(k, src[k] as string)
      this.fieldsDone = out
    }
    return this.fieldsDone
  }
}

/**
 * A line as written, redacted. The text layout spells `=` in a message as \u003d, so `password\u003dx`
 * is no `name=value` to the rules: such a line is also redacted with its `=` spelled out, and when that
 * masks something the line is printed that way (the message's `=` then plain); otherwise as written.
 */
function redactLine (line: string, redact: (s: string) => string): string {
  const once = redact(line)
  if (!line.includes('\\u003d')) return once
  const plain = line.replaceAll('\\u003d', '=')
  const masked = redact(plain)
  return masked === plain ? once : masked
}
