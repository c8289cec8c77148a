// The Python agent's layout, with the UTC offset added:
//   2026-11-21 13:18:00,123+0800 (4242/main) oneapm.collector INFO - message key=value
// Fields follow the message as key=value; an error is spelt out as err.type=...,
// err.message=..., err.stack="...\n..." so its stack stays on the one line.

import { NAME_OF, TEXT_NAMES, type LevelValue } from '../record/levels'
import { PID, threadName } from '../record/thread'
import { localTime } from '../record/time'
import type { LogRecord } from '../record/record'
import { capRedact } from './cut'
import { escapeMessage, escapeText, textKey, textValue } from './escape'
import { cutToBytes, fits, headerName, type FormatContext, type LineFormat } from './line-format'
import { bigintText, safeString, symbolText } from '../internal/describe'
import { errorInfo, isError, keyName, newBudget, valueJson, type Budget, type ErrorInfo } from './serialize'

const MAX_FIELDS = 64
/** A string is never cut shorter than this, even when the record's budget is nearly spent. */
const MIN_STRING = 32

export const textFormat: LineFormat = {
  name: 'text',

  header (name: string, level: LevelValue): string {
    return ` (${PID}/${threadName()}) ${headerName(name, escapeText)} ${TEXT_NAMES[level] ?? NAME_OF[level] ?? level} - `
  },

  recordedHeader (header: string): string {
    return header + '[recorded] '
  },

  bindings (fields: object, ctx: FormatContext): string {
    return fieldsText(fields, ctx, newBudget(ctx))
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
  const budget: Budget = { left: ctx.maxLine }
  let body = escapeMessage(capRedact(rec.msg, ctx.maxString, ctx.redactor)) + bindings
  if (rec.fields !== undefined) body += fieldsText(rec.fields, ctx, budget)
  if (rec.err !== undefined) body += isError(rec.err) ? errorText('err', errorInfo(rec.err, ctx), ctx, budget) : ' err=' + valueText(rec.err, ctx, budget)
  return body
}

function fieldsText (fields: object, ctx: FormatContext, budget: Budget): string {
  let keys: string[]
  try {
    keys = Object.keys(fields)
  } catch (err) {
    return ' fields=' + textValue(`[Unserializable: ${safeString(err)}]`)
  }
  let out = ''
  let n = 0
  for (let i = 0; i < keys.length; i++) {
    if (n === MAX_FIELDS || budget.left <= 0) {
      out += n === MAX_FIELDS ? ` …=${keys.length - i}_more_fields` : ' …=cut:_record_too_long'
      break
    }
    const key = keys[i] as string
    const name = textKey(keyName(key, ctx))
    budget.left -= name.length + 2
    let v: unknown
    try {
      v = (fields as Record<string, unknown>)[key]
    } catch {
      v = '[Getter threw]'
    }
    if (v === undefined || typeof v === 'function') continue
    n++
    if (ctx.redactor.isSecretKey(key)) {
      out += ' ' + name + '=' + textValue(ctx.redactor.maskValue(key, v))
    } else if (isError(v)) {
      out += errorText(key, errorInfo(v, ctx), ctx, budget)
    } else {
      out += ' ' + name + '=' + valueText(v, ctx, budget)
    }
  }
  return out
}

function valueText (v: unknown, ctx: FormatContext, budget: Budget): string {
  let out: string
  switch (typeof v) {
    case 'string': out = textValue(capRedact(v, Math.min(ctx.maxString, Math.max(budget.left, MIN_STRING)), ctx.redactor)); break
    case 'number':
    case 'boolean': out = String(v); break
    case 'bigint': out = textValue(bigintText(v)); break
    case 'symbol': out = textValue(capRedact(symbolText(v, ctx.maxString), ctx.maxString, ctx.redactor)); break
    default: return v === null ? 'null' : valueJson(v, ctx, budget)
  }
  budget.left -= out.length
  return out
}

function errorText (prefix: string, info: ErrorInfo, ctx: FormatContext, budget: Budget): string {
  const p = textKey(keyName(prefix, ctx))
  let out = ` ${p}.type=${valueText(info.type, ctx, budget)} ${p}.message=${valueText(info.message, ctx, budget)}`
  if (info.code !== undefined) out += ` ${p}.code=${valueText(info.code, ctx, budget)}`
  for (const [k, v] of info.extra) {
    if (budget.left <= 0) break
    out += ` ${p}.${textKey(keyName(k, ctx))}=` + (ctx.redactor.isSecretKey(k) ? textValue(ctx.redactor.maskValue(k, v)) : valueText(v, ctx, budget))
  }
  if (info.stack !== undefined) out += ` ${p}.stack=${valueText(info.stack, ctx, budget)}`
  if (info.cause !== undefined) {
    out += 'type' in info.cause ? errorText(`${prefix}.cause`, info.cause, ctx, budget) : ` ${p}.cause=${valueText(info.cause.value, ctx, budget)}`
  }
  info.errors?.forEach((e, i) => {
    out += 'type' in e ? errorText(`${prefix}.errors.${i}`, e, ctx, budget) : ` ${p}.errors.${i}=${valueText(e.value, ctx, budget)}`
  })
  return out
}
