// One JSON object per line:
//   {"time":"2026-11-21T05:18:00.123Z","level":"info","name":"oneapm.collector","pid":4242,"thread":"main","msg":"...",<fields>,"err":{...}}
// Field names that would shadow the record's own keys get a `field_` prefix.

import { NAME_OF, type LevelValue } from '../record/levels'
import { PID, THREAD_NAME } from '../record/thread'
import { isoTime } from '../record/time'
import type { LogRecord } from '../record/record'
import { jsonString } from './escape'
import { cutToBytes, fits, type FormatContext, type LineFormat } from './line-format'
import { safeString } from '../internal/describe'
import { errorJson, isError, property, stringJson, valueJson } from './serialize'

const RESERVED = new Set(['time', 'level', 'name', 'pid', 'thread', 'msg'])
const MAX_FIELDS = 64

export const jsonFormat: LineFormat = {
  name: 'json',

  header (name: string, level: LevelValue): string {
    return `,"level":"${NAME_OF[level] ?? level}","name":${jsonString(name)},"pid":${PID},"thread":${jsonString(THREAD_NAME)}`
  },

  recordedHeader (header: string): string {
    return header + ',"recorded":true'
  },

  bindings (fields: object, ctx: FormatContext): string {
    return fieldsJson(fields, ctx)
  },

  line (rec: LogRecord, header: string, bindings: string, ctx: FormatContext): string {
    const head = '{"time":"' + isoTime(rec.time) + '"' + header
    const msg = stringJson(rec.msg, ctx)
    let rest = bindings
    if (rec.fields !== undefined) rest += fieldsJson(rec.fields, ctx)
    if (rec.err !== undefined) rest += ',"err":' + (isError(rec.err) ? errorJson(rec.err, ctx) : valueJson(rec.err, ctx))
    const line = head + ',"msg":' + msg + rest + '}'
    return fits(line, ctx.maxLine - 1) ? line + '\n' : truncated(head, msg, rest, Buffer.byteLength(line), ctx.maxLine - 1) + '\n'
  }
}

function fieldsJson (fields: object, ctx: FormatContext): string {
  let keys: string[]
  try {
    keys = Object.keys(fields)
  } catch (err) {
    return ',"fields":' + jsonString(`[Unserializable: ${safeString(err)}]`)
  }
  let out = ''
  const n = Math.min(keys.length, MAX_FIELDS)
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string
    const part = property(fields, key, ctx, 0, [fields])
    if (part !== undefined) out += ',' + jsonString(RESERVED.has(key) ? 'field_' + key : key) + ':' + part
  }
  if (keys.length > MAX_FIELDS) out += `,"…":"${keys.length - MAX_FIELDS} more fields"`
  return out
}

/**
 * A record too long for one line: the header stays, the message is cut, and
 * the fields and error are kept as a cut JSON text under `truncated.rest`,
 * so the line is still one valid JSON object that says what happened.
 */
function truncated (head: string, msg: string, rest: string, bytes: number, max: number): string {
  const room = max - Buffer.byteLength(head) - 96
  let share = Math.floor(room / 2)
  for (let attempt = 0; attempt < 8; attempt++) {
    // msg is a JSON literal: cut inside the quotes and re-quote.
    const msgText = cutToBytes(JSON.parse(msg) as string, share) + '…'
    const restText = cutToBytes(rest.startsWith(',') ? rest.slice(1) : rest, share)
    const line = head + ',"msg":' + jsonString(msgText) + ',"truncated":{"bytes":' + bytes + ',"rest":' + jsonString(restText) + '}}'
    if (Buffer.byteLength(line) <= max) return line
    share = Math.floor(share / 2)
  }
  return head + ',"msg":"…","truncated":{"bytes":' + bytes + '}}'
}
