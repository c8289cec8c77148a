// printf-style messages with util.format's directives (%s %d %i %f %j %o %O
// %c %%), but objects go through the safe serializer (bounded, redacted,
// never throwing) instead of util.inspect. Arguments beyond the directives
// are appended with spaces, as util.format does.

import { safeString } from '../internal/describe'
import { valueJson, type SerializeContext } from './serialize'

const PERCENT = 37

/** `args[from]` is the template when it is a string; the rest fill it in. */
export function formatMessage (args: readonly unknown[], from: number, ctx: SerializeContext): string {
  const first = args[from]
  if (typeof first !== 'string') return join(args, from, ctx)
  if (args.length === from + 1) return first
  const fmt = first
  let out = ''
  let last = 0
  let next = from + 1
  for (let i = 0; i < fmt.length - 1; i++) {
    if (fmt.charCodeAt(i) !== PERCENT) continue
    const c = fmt[i + 1]
    if (c === '%') {
      out += fmt.slice(last, i) + '%'
      last = i + 2
      i++
      continue
    }
    if (next >= args.length) continue
    let piece: string | undefined
    switch (c) {
      case 's': piece = stringArg(args[next], ctx); break
      case 'd': piece = numberArg(args[next], Number); break
      case 'i': piece = numberArg(args[next], (v) => parseInt(String(v), 10)); break
      case 'f': piece = numberArg(args[next], (v) => parseFloat(String(v))); break
      case 'j':
      case 'o':
      case 'O': piece = valueJson(args[next], ctx); break
      case 'c': piece = ''; break
      default: continue
    }
    out += fmt.slice(last, i) + piece
    last = i + 2
    next++
    i++
  }
  out += fmt.slice(last)
  return next < args.length ? out + ' ' + join(args, next, ctx) : out
}

function join (args: readonly unknown[], from: number, ctx: SerializeContext): string {
  let out = ''
  for (let i = from; i < args.length; i++) out += (i === from ? '' : ' ') + stringArg(args[i], ctx)
  return out
}

function stringArg (v: unknown, ctx: SerializeContext): string {
  switch (typeof v) {
    case 'string': return v
    case 'bigint': return `${v}n`
    case 'object':
    case 'function': return v === null ? 'null' : valueJson(v, ctx)
    default: return safeString(v)
  }
}

function numberArg (v: unknown, convert: (v: unknown) => number): string {
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'symbol') return 'NaN'
  try {
    return String(convert(v))
  } catch {
    return 'NaN'
  }
}
