// One JSON object per line:
//   {"time":"2026-11-21T05:18:00.123Z","level":"info","name":"oneapm.collector","pid":4242,"thread":"main","msg":"...",<fields>,"err":{...}}
// Keys are never duplicated: a field named like one of the record's own keys,
// like a bound field, or like an earlier renamed field gets a `field_` prefix
// (again, until it is free).

import { NAME_OF, type LevelValue } from '../record/levels'
import { PID, threadName } from '../record/thread'
import { isoTime } from '../record/time'
import type { LogRecord } from '../record/record'
import { capRedact } from './cut'
import { jsonString } from './escape'
import { cutToBytes, fits, headerName, type FormatContext, type LineFormat } from './line-format'
import { safeString } from '../internal/describe'
import { errorJson, isError, keyName, newBudget, property, valueJson, type Budget } from './serialize'

/**
 * Keys the layout writes itself: the header, `recorded`, and `fields` and `…`
 * when fields cannot be listed or are too many; `err` too when the record has
 * an error (a field named `err` is the error otherwise). `truncated` needs no
 * guard: when it is written, the fields are inside it.
 */
const RESERVED: ReadonlySet<string> = new Set(['time', 'level', 'name', 'pid', 'thread', 'msg', 'recorded', 'fields', '…'])
const RESERVED_WITH_ERR: ReadonlySet<string> = new Set([...RESERVED, 'err'])
const MAX_FIELDS = 64
const NONE: ReadonlySet<string> = new Set()
/** The names in each bindings text, so that a call's fields can stay clear of them. */
const boundNames = new Map<string, ReadonlySet<string>>()
const MAX_BOUND_TEXTS = 1024

export const jsonFormat: LineFormat = {
  name: 'json',

  header (name: string, level: LevelValue): string {
    return `,"level":"${NAME_OF[level] ?? level}","name":${headerName(name, jsonString)},"pid":${PID},"thread":${jsonString(threadName())}`
  },

  recordedHeader (header: string): string {
    return header + ',"recorded":true'
  },

  bindings (fields: object, ctx: FormatContext): string {
    const names = new Set<string>()
    // Bound fields may meet a record with an error: `err` is kept clear.
    const text = fieldsJson(fields, ctx, newBudget(ctx), NONE, names, RESERVED_WITH_ERR)
    if (boundNames.size >= MAX_BOUND_TEXTS) boundNames.clear()
    boundNames.set(text, names)
    return text
  },

  line (rec: LogRecord, header: string, bindings: string, ctx: FormatContext): string {
    return jsonParts(rec, header, bindings, ctx).line + '\n'
  }
}

/**
 * A record's JSON line (no newline) and the redacted, cut parts it is made
 * of, for the shipping sink: a destination's frame is built from these same
 * parts (one redaction, before any cut), never from the record's raw values.
 */
export interface JsonParts {
  /** `2026-11-21T05:18:00.123Z` */
  readonly time: string
  /** The message as a JSON string literal, redacted and capped. */
  readonly msg: string
  /** `,"k":v` for the bound fields, the call's fields and `err`, in line order ('' for none). */
  readonly rest: string
  /** The whole line, no newline; when `whole` is false, the truncated form (and msg/rest are not what it holds). */
  readonly line: string
  readonly whole: boolean
}

export function jsonParts (rec: LogRecord, header: string, bindings: string, ctx: FormatContext): JsonParts {
  const time = isoTime(rec.time)
  const head = '{"time":"' + time + '"' + header
  const msg = jsonString(capRedact(rec.msg, ctx.maxString, ctx.redactor))
  const budget: Budget = { left: ctx.maxLine }
  let rest = bindings
  if (rec.fields !== undefined) {
    const bound = bindings === '' ? NONE : namesIn(bindings)
    rest += fieldsJson(rec.fields, ctx, budget, bound, undefined, rec.err === undefined ? RESERVED : RESERVED_WITH_ERR)
  }
  if (rec.err !== undefined) rest += ',"err":' + (isError(rec.err) ? errorJson(rec.err, ctx, 0, [], budget) : valueJson(rec.err, ctx, budget))
  const line = head + ',"msg":' + msg + rest + '}'
  if (fits(line, ctx.maxLine - 1)) return { time, msg, rest, line, whole: true }
  return { time, msg, rest, line: truncated(rec, head, msg, rest, Buffer.byteLength(line), ctx.maxLine - 1), whole: false }
}

/** The names a bindings text holds (remembered when it was made; read back if forgotten since). */
function namesIn (bindings: string): ReadonlySet<string> {
  let names = boundNames.get(bindings)
  if (names === undefined) {
    try {
      names = new Set(Object.keys(JSON.parse('{' + bindings.slice(1) + '}') as object))
    } catch {
      names = NONE
    }
    if (boundNames.size >= MAX_BOUND_TEXTS) boundNames.clear()
    boundNames.set(bindings, names)
  }
  return names
}

/**
 * `,"k":v` for each field. Names are free of `reserved`, of `bound`
 * and of each other; `collect` receives every name written.
 */
function fieldsJson (fields: object, ctx: FormatContext, budget: Budget, bound: ReadonlySet<string>, collect: Set<string> | undefined, reserved: ReadonlySet<string>): string {
  let keys: string[]
  try {
    keys = Object.keys(fields)
  } catch (err) {
    collect?.add('fields')
    return ',"fields":' + jsonString(`[Unserializable: ${safeString(err)}]`)
  }
  // Own keys are distinct; the set of written names is needed only once a name is changed.
  let used: Set<string> | undefined
  const free = (name: string, i: number): string => {
    if (used === undefined) {
      used = new Set()
      for (let j = 0; j < i; j++) used.add(keyName(keys[j] as string, ctx))
    }
    while (reserved.has(name) || bound.has(name) || used.has(name)) name = 'field_' + name
    used.add(name)
    return name
  }
  let out = ''
  let n = 0
  for (let i = 0; i < keys.length; i++) {
    if (n === MAX_FIELDS || budget.left <= 0) {
      const more = n === MAX_FIELDS ? `${keys.length - i} more fields` : 'cut: record too long'
      const marker = bound.has('…') || used !== undefined ? uniqueMarker(bound, used) : '…'
      collect?.add(marker)
      out += ',' + jsonString(marker) + ':' + jsonString(more)
      break
    }
    const key = keys[i] as string
    const part = property(fields, key, ctx, 0, [fields], budget)
    if (part === undefined) continue
    let name = keyName(key, ctx)
    if (used !== undefined || name !== key || reserved.has(name) || bound.has(name)) name = free(name, i)
    collect?.add(name)
    out += ',' + jsonString(name) + ':' + part
    n++
  }
  return out
}

function uniqueMarker (bound: ReadonlySet<string>, used: ReadonlySet<string> | undefined): string {
  let marker = '…'
  for (let k = 2; bound.has(marker) || used?.has(marker) === true; k++) marker = `…${k}`
  return marker
}

/**
 * A record too long for one line: the header stays, the message is cut, and
 * the fields and error are kept as a cut JSON text under `truncated.rest`,
 * so the line is still one valid JSON object that says what happened.
 */
function truncated (rec: LogRecord, head: string, msg: string, rest: string, bytes: number, max: number): string {
  const room = max - Buffer.byteLength(head) - 96
  let share = Math.floor(room / 2)
  for (let attempt = 0; attempt < 8 && share > 0; attempt++) {
    // msg is a JSON literal: cut inside the quotes and re-quote.
    const msgText = cutToBytes(JSON.parse(msg) as string, share) + '…'
    const restText = cutToBytes(rest.startsWith(',') ? rest.slice(1) : rest, share)
    const line = head + ',"msg":' + jsonString(msgText) + ',"truncated":{"bytes":' + bytes + ',"rest":' + jsonString(restText) + '}}'
    if (Buffer.byteLength(line) <= max) return line
    share = Math.floor(share / 2)
  }
  const bare = head + ',"msg":"…","truncated":{"bytes":' + bytes + '}}'
  if (Buffer.byteLength(bare) <= max) return bare
  // The header alone does not fit (headers are bounded, so only with a tiny max).
  return '{"time":"' + isoTime(rec.time) + '","level":"' + (NAME_OF[rec.level] ?? rec.level) + '","msg":"…","truncated":{"bytes":' + bytes + '}}'
}
