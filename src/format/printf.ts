// printf-style messages with util.format's directives (%s %d %i %f %j %o %O
// %c %%), but objects go through the safe serializer (bounded, redacted,
// never throwing) instead of util.inspect. Arguments beyond the directives
// are appended with spaces, as util.format does.
//
// Building stops once the message is past `maxString + MARGIN` characters,
// whatever the size of the template or the arguments; a cut message is
// redacted and cut here (cut.ts), so it reaches the layout already bounded.

import { bigintText, safeString, symbolText } from '../internal/describe'
import { flatCopy } from '../internal/flat-copy'
import { capRedact, MARGIN } from './cut'
import { valueJson, type SerializeContext } from './serialize'

const PERCENT = 37
/** Characters of a string that %d, %i and %f read: a longer numeric text is Infinity or NaN anyway. */
const MAX_NUMBER_TEXT = 1024

/** The message so far, and how long the whole would have been. */
class Builder {
  out = ''
  total = 0
  full = false

  constructor (readonly limit: number) {}

  /** Appends s[from, to), reading only what still fits. */
  add (s: string, from = 0, to = s.length): void {
    this.total += to - from
    if (this.full) return
    const room = this.limit - this.out.length
    if (to - from > room) {
      this.out += s.slice(from, from + room)
      this.full = true
    } else {
      this.out += from === 0 && to === s.length ? s : s.slice(from, to)
    }
  }

  get room (): number {
    return Math.max(this.limit - this.out.length, 0)
  }
}

/** `args[from]` is the template when it is a string; the rest fill it in. */
export function formatMessage (args: readonly unknown[], from: number, ctx: SerializeContext): string {
  const first = args[from]
  if (typeof first === 'string' && args.length > from + 1) {
    const quick = quickTemplate(first, args, from + 1, ctx.maxString + MARGIN)
    if (quick !== undefined) return quick
  }
  return slowMessage(args, from, ctx)
}

/** @internal formatMessage without the compiled-template path: the reference it must match. */
export function slowMessage (args: readonly unknown[], from: number, ctx: SerializeContext): string {
  const first = args[from]
  const b = new Builder(ctx.maxString + MARGIN)
  if (typeof first !== 'string') {
    join(b, args, from, ctx)
  } else if (args.length === from + 1) {
    b.add(first)
  } else {
    template(b, first, args, from + 1, ctx)
  }
  return b.full || b.total > b.out.length ? capRedact(b.out, ctx.maxString, ctx.redactor, b.total) : b.out
}

function template (b: Builder, fmt: string, args: readonly unknown[], next: number, ctx: SerializeContext): void {
  let last = 0
  let i = 0
  while (!b.full) {
    // Look for the next directive only as far as the literal text could still be written.
    const stop = Math.min(fmt.length - 1, last + b.room + 1)
    while (i < stop && fmt.charCodeAt(i) !== PERCENT) i++
    if (i >= stop) break
    const c = fmt[i + 1]
    if (c === '%') {
      b.add(fmt, last, i)
      b.add('%')
      last = i + 2
      i += 2
      continue
    }
    if (next >= args.length) {
      i++
      continue
    }
    let piece: string | undefined
    switch (c) {
      case 's': piece = stringArg(args[next], ctx, b.room); break
      case 'd': piece = numberArg(args[next], toNumber); break
      case 'i': piece = numberArg(args[next], (v) => parseInt(numberText(v), 10)); break
      case 'f': piece = numberArg(args[next], (v) => parseFloat(numberText(v))); break
      case 'j':
      case 'o':
      case 'O': piece = valueJson(args[next], ctx, { left: b.room }); break
      case 'c': piece = ''; break
      default:
        i++
        continue
    }
    b.add(fmt, last, i)
    b.add(piece)
    last = i + 2
    i += 2
    next++
  }
  b.add(fmt, last, fmt.length)
  if (next < args.length) {
    b.add(' ')
    join(b, args, next, ctx)
  }
}

/** A template cut once at its directives: `lits[k]` is the literal text before directive `codes[k]` (`%%` already `%`). */
interface Compiled {
  readonly lits: readonly string[]
  readonly codes: string
}

const DIRECTIVES = 'sdifjoOc'
/** Templates are compiled once each: call sites are few. Bounded: a full cache starts over; long templates are not kept. */
const MAX_COMPILED = 512
const LONGEST_COMPILED = 1024
const compiled = new Map<string, Compiled>()

function compile (fmt: string): Compiled {
  const lits: string[] = []
  let codes = ''
  let lit = ''
  let last = 0
  let i = 0
  // As template() reads it: a `%` in the last place is text, an unknown directive is text.
  while (i < fmt.length - 1) {
    if (fmt.charCodeAt(i) !== PERCENT) {
      i++
      continue
    }
    const c = fmt[i + 1] as string
    if (c === '%') {
      lit += fmt.slice(last, i) + '%'
    } else if (DIRECTIVES.includes(c)) {
      lits.push(lit + fmt.slice(last, i))
      codes += c
      lit = ''
    } else {
      i++
      continue
    }
    last = i + 2
    i += 2
  }
  lits.push(lit + fmt.slice(last))
  return { lits, codes }
}

/**
 * The common case of template(), without its per-character scan: a known
 * template whose arguments are strings, numbers and booleans, and a message
 * that fits in `limit` (so nothing is cut). Anything else is undefined, and
 * the caller takes the general path; both give the same text.
 */
function quickTemplate (fmt: string, args: readonly unknown[], next: number, limit: number): string | undefined {
  if (fmt.length > LONGEST_COMPILED) return undefined
  let c = compiled.get(fmt)
  if (c === undefined) {
    // Compiled from a flat copy: a template built from data can be a slice of a
    // large string, and the key and its literals (slices of it) would pin it.
    const own = flatCopy(fmt)
    c = compile(own)
    if (compiled.size >= MAX_COMPILED) compiled.clear()
    compiled.set(own, c)
  }
  const { lits, codes } = c
  let out = lits[0] as string
  for (let k = 0; k < codes.length; k++) {
    const code = codes[k] as string
    let piece: string
    if (next >= args.length) {
      // No argument left: the directive stays as written.
      piece = '%' + code
    } else if (code === 'c') {
      piece = ''
      next++
    } else {
      const v = args[next++]
      if (!isPlain(v)) return undefined
      switch (code) {
        case 's': piece = typeof v === 'string' ? v : String(v); break
        case 'd': piece = numberArg(v, toNumber); break
        case 'i': piece = numberArg(v, (x) => parseInt(numberText(x), 10)); break
        case 'f': piece = numberArg(v, (x) => parseFloat(numberText(x))); break
        default: return undefined
      }
    }
    out += piece + (lits[k + 1] as string)
    if (out.length > limit) return undefined
  }
  for (let i = next; i < args.length; i++) {
    const v = args[i]
    if (!isPlain(v)) return undefined
    out += ' ' + (typeof v === 'string' ? v : String(v))
    if (out.length > limit) return undefined
  }
  return out
}

/** A string, number or boolean: printed the same whatever room is left, and String() cannot throw on it. */
function isPlain (v: unknown): v is string | number | boolean {
  const t = typeof v
  return t === 'string' || t === 'number' || t === 'boolean'
}

function join (b: Builder, args: readonly unknown[], from: number, ctx: SerializeContext): void {
  for (let i = from; i < args.length; i++) {
    if (i !== from) b.add(' ')
    // Past the limit nothing more is read, however many arguments remain.
    if (b.full) break
    b.add(stringArg(args[i], ctx, b.room))
  }
}

function stringArg (v: unknown, ctx: SerializeContext, room: number): string {
  switch (typeof v) {
    case 'string': return v
    case 'bigint': return `${bigintText(v)}n`
    case 'symbol': return symbolText(v, room)
    case 'object':
    case 'function': return v === null ? 'null' : valueJson(v, ctx, { left: room })
    default: return safeString(v)
  }
}

function numberArg (v: unknown, convert: (v: unknown) => number): string {
  if (typeof v === 'bigint') return `${bigintText(v)}n`
  if (typeof v === 'symbol') return 'NaN'
  try {
    return String(convert(v))
  } catch {
    return 'NaN'
  }
}

/** Number(v), without joining a whole array or reading a whole string. */
function toNumber (v: unknown): number {
  if (typeof v === 'string') return Number(v.length > MAX_NUMBER_TEXT ? v.slice(0, MAX_NUMBER_TEXT) : v)
  // An array's number is its only item's, and NaN when it has two or more.
  if (isList(v)) return (v as ArrayLike<unknown>).length > 1 ? NaN : Number(v)
  return Number(v)
}

/** The text parseInt and parseFloat would read: they stop at the first comma of an array's join. */
function numberText (v: unknown): string {
  if (typeof v === 'string') return v.length > MAX_NUMBER_TEXT ? v.slice(0, MAX_NUMBER_TEXT) : v
  if (isList(v)) return String((v as unknown[]).slice(0, 1))
  return String(v)
}

function isList (v: unknown): boolean {
  return Array.isArray(v) || ArrayBuffer.isView(v)
}
