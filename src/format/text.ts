// The Python agent's layout, with the UTC offset added:
//   2026-11-21 13:18:00,123+0800 (4242/main) oneapm.collector INFO - message key=value
// Fields follow the message as key=value; an error is spelt out as err.type=...,
// err.message=..., err.stack="...\n..." so its stack stays on the one line.

import { NAME_OF, TEXT_NAMES, type LevelValue } from '../record/levels'
import { PID, THREAD_NAME } from '../record/thread'
import { localTime } from '../record/time'
import type { LogRecord } from '../record/record'
import { escapeText, textKey, textValue } from './escape'
import { cutToBytes, fits, type FormatContext, type LineFormat } from './line-format'
import { safeString } from '../internal/describe'
import { capString, errorInfo, isError, valueJson, type ErrorInfo } from './serialize'

const MAX_FIELDS = 64

export const textFormat: LineFormat = {
  name: 'text',

  header (name: string, level: LevelValue): string {
    return ` (${PID}/${THREAD_NAME}) ${name} ${TEXT_NAMES[level] ?? NAME_OF[level] ?? level} - `
  },

  recordedHeader (header: string): string {
    return header + '[recorded] '
  },

  bindings (fields: object, ctx: FormatContext): string {
    return fieldsText(fields, ctx)
  },

  line (rec: LogRecord, header: string, bindings: string, ctx: FormatContext): string {
    const line = localTime(rec.time) + header + textBody(rec, bindings, ctx)
    if (fits(line, ctx.maxLine - 1)) return line + '\n'
    const marker = ` …[line truncated: ${Buffer.byteLength(line)} bytes]`
    return cutToBytes(line, ctx.maxLine - 1 - Buffer.byteLength(marker)) + marker + '\n'
  }
}

/** What follows ` - `: the message, then the fields as key=value, then the error. */
export function textBody (rec: LogRecord, bindings: string, ctx: FormatContext): string {
  let body = escapeText(ctx.redactor.text(capString(rec.msg, ctx.maxString))) + bindings
  if (rec.fields !== undefined) body += fieldsText(rec.fields, ctx)
  if (rec.err !== undefined) body += isError(rec.err) ? errorText('err', errorInfo(rec.err, ctx), ctx) : ' err=' + valueText(rec.err, ctx)
  return body
}

function fieldsText (fields: object, ctx: FormatContext): string {
  let keys: string[]
  try {
    keys = Object.keys(fields)
  } catch (err) {
    return ' fields=' + textValue(`[Unserializable: ${safeString(err)}]`)
  }
  let out = ''
  const n = Math.min(keys.length, MAX_FIELDS)
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string
    let v: unknown
    try {
      v = (fields as Record<string, unknown>)[key]
    } catch {
      v = '[Getter threw]'
    }
    if (v === undefined || typeof v === 'function') continue
    if (ctx.redactor.isSecretKey(key)) {
      out += ' ' + textKey(key) + '=' + textValue(ctx.redactor.maskValue(key, v))
    } else if (isError(v)) {
      out += errorText(key, errorInfo(v, ctx), ctx)
    } else {
      out += ' ' + textKey(key) + '=' + valueText(v, ctx)
    }
  }
  if (keys.length > MAX_FIELDS) out += ` …=${keys.length - MAX_FIELDS}_more_fields`
  return out
}

function valueText (v: unknown, ctx: FormatContext): string {
  switch (typeof v) {
    case 'string': return textValue(ctx.redactor.text(capString(v, ctx.maxString)))
    case 'number':
    case 'boolean': return String(v)
    case 'bigint': return v.toString()
    case 'symbol': return textValue(v.toString())
    default: return v === null ? 'null' : valueJson(v, ctx)
  }
}

function errorText (prefix: string, info: ErrorInfo, ctx: FormatContext): string {
  const p = textKey(prefix)
  let out = ` ${p}.type=${valueText(info.type, ctx)} ${p}.message=${valueText(info.message, ctx)}`
  if (info.code !== undefined) out += ` ${p}.code=${valueText(info.code, ctx)}`
  for (const [k, v] of info.extra) {
    out += ` ${p}.${textKey(k)}=` + (ctx.redactor.isSecretKey(k) ? textValue(ctx.redactor.maskValue(k, v)) : valueText(v, ctx))
  }
  if (info.stack !== undefined) out += ` ${p}.stack=${valueText(info.stack, ctx)}`
  if (info.cause !== undefined) {
    out += 'type' in info.cause ? errorText(`${prefix}.cause`, info.cause, ctx) : ` ${p}.cause=${valueText(info.cause.value, ctx)}`
  }
  info.errors?.forEach((e, i) => {
    out += 'type' in e ? errorText(`${prefix}.errors.${i}`, e, ctx) : ` ${p}.errors.${i}=${valueText(e.value, ctx)}`
  })
  return out
}
