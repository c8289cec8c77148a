// Turns any value a caller passes into JSON text, without throwing and
// without running away: cycles, throwing getters and toJSON, revoked proxies,
// BigInt, Symbol, null-prototype objects and huge strings all come out as
// bounded, valid JSON. Secret fields are masked on the way (see redact.ts).
//
// Cost follows what is written, not what was passed: depth, keys and items
// are capped, key names are cut, and one output budget per value (or per
// record) stops serialization once about `maxString` characters are written.
// The one exception is listing an object's own keys, which is linear in
// their number (JavaScript has no way to read the first 64 alone).

import { bigintText, describeThrown, safeString, symbolText } from '../internal/describe'
import { capRedact, cutChars } from './cut'
import { jsonString } from './escape'
import type { Redactor } from './redact'

export interface SerializeContext {
  readonly redactor: Redactor
  /** Longest string kept, in characters; longer ones are cut with a marker. */
  readonly maxString: number
}

/** What is left to write, in characters; shared by everything in one record. */
export interface Budget {
  left: number
}

const MAX_DEPTH = 6
const MAX_KEYS = 64
const MAX_ITEMS = 64
const MAX_CAUSES = 5
/** Longest key name written, in characters. */
export const MAX_KEY = 256
/** A string is never cut shorter than this, even when the budget is nearly spent. */
const MIN_STRING = 32
/** Array items this short are checked as header names: ['Authorization', 'Bearer x']. */
const MAX_HEADER_NAME = 64
/** Objects that are lists of [name, value] entries. */
const ENTRY_TAGS = new Set(['[object Headers]', '[object URLSearchParams]', '[object FormData]'])
const CUT = '[cut: record too long]'

/** A fresh budget: one string's worth. */
export function newBudget (ctx: SerializeContext): Budget {
  return { left: ctx.maxString }
}

/** A string value: redacted, capped, quoted. */
export function stringJson (s: string, ctx: SerializeContext, budget?: Budget): string {
  const max = budget === undefined ? ctx.maxString : Math.min(ctx.maxString, Math.max(budget.left, MIN_STRING))
  const out = jsonString(capRedact(s, max, ctx.redactor))
  if (budget !== undefined) budget.left -= out.length
  return out
}

/** A key as written: cut to MAX_KEY characters and redacted (a map may be keyed by tokens). */
export function keyName (key: string, ctx: SerializeContext): string {
  return key.length <= MAX_KEY ? ctx.redactor.keyText(key) : capRedact(key, MAX_KEY, ctx.redactor)
}

/** Any value as JSON text. Never throws. */
export function valueJson (value: unknown, ctx: SerializeContext, budget: Budget = newBudget(ctx)): string {
  return any(value, ctx, 0, [], budget)
}

function any (value: unknown, ctx: SerializeContext, depth: number, stack: object[], budget: Budget): string {
  let out: string
  switch (typeof value) {
    case 'string': return stringJson(value, ctx, budget)
    case 'number': out = Number.isFinite(value) ? String(value) : `"${String(value)}"`; break
    case 'boolean': out = value ? 'true' : 'false'; break
    case 'bigint': out = stringJson(bigintText(value), ctx, budget); break
    case 'undefined': out = 'null'; break
    case 'symbol': return stringJson(symbolText(value, ctx.maxString), ctx, budget)
    case 'function': return stringJson(`[Function: ${safeName(value)}]`, ctx, budget)
    default:
      if (value === null) {
        out = 'null'
        break
      }
      try {
        const before = budget.left
        out = object(value as object, ctx, depth, stack, budget)
        // A container charges what it writes inside; a marker ("[Object]", "[Circular]") charges here.
        if (budget.left === before) budget.left -= out.length
        return out
      } catch (err) {
        out = jsonString(`[Unserializable: ${describeThrown(err)}]`)
      }
  }
  budget.left -= out.length
  return out
}

function object (value: object, ctx: SerializeContext, depth: number, stack: object[], budget: Budget): string {
  if (stack.includes(value)) return '"[Circular]"'
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '"[Array]"' : '"[Object]"'
  if (isError(value)) return errorJson(value, ctx, depth, stack, budget)
  // Before toJSON: Buffer.toJSON would spell out every byte.
  if (ArrayBuffer.isView(value)) return jsonString(`[${safeName(read(() => value.constructor, undefined))} ${value.byteLength} bytes]`)
  const isArray = Array.isArray(value)
  if (!isArray) {
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      const tag = Object.prototype.toString.call(value)
      if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') {
        return jsonString(`[${tag.slice(8, -1)} ${String((value as ArrayBuffer).byteLength)} bytes]`)
      }
      // A boxed string lists one key per character: write its value instead.
      if (tag === '[object String]') return stringJson(String.prototype.toString.call(value), ctx, budget)
      if (ENTRY_TAGS.has(tag)) return guarded(value, stack, () => entriesJson((value as Map<unknown, unknown>).entries(), undefined, ctx, depth, stack, budget))
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') {
      let result: unknown
      try {
        result = toJSON.call(value)
      } catch (err) {
        return jsonString(`[toJSON threw: ${describeThrown(err)}]`)
      }
      return guarded(value, stack, () => result === value ? plain(value, ctx, depth, stack, budget) : any(result, ctx, depth + 1, stack, budget))
    }
  }
  return guarded(value, stack, () => {
    if (isArray) return items(value as unknown[], (value as unknown[]).length, ctx, depth, stack, budget)
    if (value instanceof Map) return entriesJson(value.entries(), value.size, ctx, depth, stack, budget)
    if (value instanceof Set) return items(Array.from(take(value, MAX_ITEMS + 1)), value.size, ctx, depth, stack, budget)
    return plain(value, ctx, depth, stack, budget)
  })
}

/** Runs `fn` with `value` on the ancestor stack, for cycle detection. */
function guarded (value: object, stack: object[], fn: () => string): string {
  stack.push(value)
  try {
    return fn()
  } finally {
    stack.pop()
  }
}

function plain (value: object, ctx: SerializeContext, depth: number, stack: object[], budget: Budget): string {
  const keys = Object.keys(value)
  const names = new Names()
  let out = '{'
  let n = 0
  for (let i = 0; i < keys.length; i++) {
    if (n === MAX_KEYS || budget.left <= 0) {
      const more = n === MAX_KEYS ? `${keys.length - i} more keys` : CUT
      out += (n === 0 ? '' : ',') + jsonString(names.unique('…', keys, i, ctx)) + ':' + jsonString(more)
      break
    }
    const key = keys[i] as string
    const part = property(value, key, ctx, depth, stack, budget)
    if (part === undefined) continue
    out += (n === 0 ? '' : ',') + jsonString(names.name(key, keys, i, ctx)) + ':' + part
    n++
  }
  return out + '}'
}

/**
 * Keeps the names written in one object distinct. Own keys are distinct to
 * start with; only a cut or redacted key, or the `…` marker, can clash, so
 * the set of written names is built only when one of those appears.
 */
class Names {
  private used: Set<string> | undefined

  /** The name written for `keys[i]`. */
  name (key: string, keys: readonly string[], i: number, ctx: SerializeContext): string {
    const name = keyName(key, ctx)
    if (this.used === undefined && name === key && key.charCodeAt(0) !== 0x2026) return key
    return this.unique(name, keys, i, ctx)
  }

  /** `name`, suffixed until it differs from every name written for keys before `i`. */
  unique (name: string, keys: readonly string[], i: number, ctx: SerializeContext): string {
    let used = this.used
    if (used === undefined) {
      used = new Set()
      for (let j = 0; j < i; j++) used.add(keyName(keys[j] as string, ctx))
      this.used = used
    }
    let out = name
    for (let k = 2; used.has(out); k++) out = `${name}~${k}`
    used.add(out)
    return out
  }
}

/** One property's JSON, or undefined to leave it out (as JSON.stringify does). */
export function property (holder: object, key: string, ctx: SerializeContext, depth: number, stack: object[], budget: Budget): string | undefined {
  // Charged even when left out, so that skipping many keys is bounded too.
  budget.left -= Math.min(key.length, MAX_KEY) + 4
  let v: unknown
  try {
    v = (holder as Record<string, unknown>)[key]
  } catch (err) {
    return jsonString(`[Getter threw: ${describeThrown(err)}]`)
  }
  if (v === undefined || typeof v === 'function') return undefined
  if (ctx.redactor.isSecretKey(key)) return jsonString(ctx.redactor.maskValue(key, v))
  return any(v, ctx, depth + 1, stack, budget)
}

function items (list: readonly unknown[], size: number, ctx: SerializeContext, depth: number, stack: object[], budget: Budget): string {
  let out = '['
  const n = Math.min(list.length, MAX_ITEMS)
  // A string item that names a secret header masks the item after it: rawHeaders, [name, value] tuples.
  let secretName: string | undefined
  for (let i = 0; i < n; i++) {
    if (budget.left <= 0) return out + (i === 0 ? '' : ',') + jsonString(`…${CUT}`) + ']'
    let v: unknown
    try {
      v = list[i]
    } catch (err) {
      v = `[Getter threw: ${describeThrown(err)}]`
    }
    if (secretName !== undefined) {
      // A masked value is a value, not the next header's name.
      out += (i === 0 ? '' : ',') + jsonString(ctx.redactor.maskValue(secretName, v))
      secretName = undefined
      continue
    }
    out += (i === 0 ? '' : ',') + any(v, ctx, depth + 1, stack, budget)
    secretName = typeof v === 'string' && v.length <= MAX_HEADER_NAME && ctx.redactor.isSecretKey(v) ? v : undefined
  }
  if (size > MAX_ITEMS) out += `,"…${size - MAX_ITEMS} more items"`
  return out + ']'
}

/** A Map, Headers or URLSearchParams as an object; names that print alike are kept apart. */
function entriesJson (entries: Iterator<[unknown, unknown]>, size: number | undefined, ctx: SerializeContext, depth: number, stack: object[], budget: Budget): string {
  const used = new Set<string>()
  let out = '{'
  let n = 0
  for (let e = entries.next(); e.done !== true; e = entries.next()) {
    if (n === MAX_KEYS || budget.left <= 0) {
      const more = n < MAX_KEYS ? CUT : size === undefined ? 'more entries' : `${size - MAX_KEYS} more entries`
      out += (n === 0 ? '' : ',') + jsonString(distinct('…', used)) + ':' + jsonString(more)
      break
    }
    const [k, v] = e.value
    const key = typeof k === 'string' ? k : keyOf(k)
    budget.left -= Math.min(key.length, MAX_KEY) + 4
    const part = ctx.redactor.isSecretKey(key) ? jsonString(ctx.redactor.maskValue(key, v)) : any(v, ctx, depth + 1, stack, budget)
    out += (n === 0 ? '' : ',') + jsonString(distinct(keyName(key, ctx), used)) + ':' + part
    n++
  }
  return out + '}'
}

function distinct (name: string, used: Set<string>): string {
  let out = name
  for (let k = 2; used.has(out); k++) out = `${name}~${k}`
  used.add(out)
  return out
}

/** A non-string Map key as a name, without calling its toString (an array's would join every item). */
function keyOf (k: unknown): string {
  switch (typeof k) {
    case 'object': return k === null ? 'null' : isArray(k) ? '[Array]' : '[Object]'
    case 'function': return `[Function: ${safeName(k)}]`
    default: return safeString(k)
  }
}

/** Array.isArray, which throws on a revoked proxy. */
function isArray (v: object): boolean {
  try {
    return Array.isArray(v)
  } catch {
    return false
  }
}

function * take<T> (it: Iterable<T>, n: number): Iterable<T> {
  if (n <= 0) return
  for (const v of it) {
    yield v
    if (--n === 0) return
  }
}

/** Whether a value is an Error, from this realm or another (vm, workers). Never throws. */
export function isError (value: unknown): value is Error {
  if (typeof value !== 'object' || value === null) return false
  try {
    return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]'
  } catch {
    // A proxy whose getPrototypeOf or toStringTag trap throws.
    return false
  }
}

/** What a serialized error holds, in the order both layouts print it. */
export interface ErrorInfo {
  readonly type: string
  readonly message: string
  readonly code?: string
  readonly stack?: string
  /** Other own fields: errno, syscall, address, port, statusCode... */
  readonly extra: ReadonlyArray<readonly [string, unknown]>
  readonly cause?: ErrorInfo | { readonly value: unknown }
  readonly errors?: ReadonlyArray<ErrorInfo | { readonly value: unknown }>
}

const ERROR_OWN = new Set(['name', 'message', 'stack', 'code', 'cause', 'errors'])

/** Reads an error's parts, guarding every property read. */
export function errorInfo (err: Error, ctx: SerializeContext, causes = 0, seen: object[] = []): ErrorInfo {
  seen.push(err)
  const type = read(() => err.name, '') || safeName(read(() => err.constructor, undefined)) || 'Error'
  const message = read(() => err.message, '')
  const code = read(() => (err as { code?: unknown }).code, undefined)
  const stack = read(() => err.stack, undefined)
  const extra: Array<[string, unknown]> = []
  for (const key of read(() => Object.keys(err), [] as string[])) {
    if (extra.length === MAX_KEYS) break
    if (!ERROR_OWN.has(key)) extra.push([key, read(() => (err as unknown as Record<string, unknown>)[key], '[Getter threw]')])
  }
  const info: { -readonly [K in keyof ErrorInfo]: ErrorInfo[K] } = { type: shortString(type), message: shortString(message), extra }
  if (code !== undefined && code !== null) info.code = shortString(code)
  if (typeof stack === 'string') info.stack = stack
  const cause = read(() => err.cause, undefined)
  if (cause !== undefined) info.cause = nested(cause, ctx, causes, seen)
  const errors = read(() => (err as { errors?: unknown }).errors, undefined)
  if (typeof errors === 'object' && errors !== null && isArray(errors)) info.errors = read(() => firstTen(errors as unknown[]), [] as unknown[]).map((e) => nested(e, ctx, causes, seen))
  return info
}

/** The first 10 entries, holes read as undefined: slice() keeps holes, which map() skips, and a skipped entry wrote `[,,x]`. */
function firstTen (a: unknown[]): unknown[] {
  const out: unknown[] = []
  for (let i = 0; i < Math.min(a.length, 10); i++) out.push(a[i])
  return out
}

/** String(v) for an error's name, message or code: strings as they are, anything else bounded. */
function shortString (v: unknown): string {
  return typeof v === 'string' ? v : cutChars(typeof v === 'object' && v !== null ? keyOf(v) : safeString(v), MAX_KEY)
}

function nested (value: unknown, ctx: SerializeContext, causes: number, seen: object[]): ErrorInfo | { value: unknown } {
  if (!isError(value)) return { value }
  if (seen.includes(value)) return { value: '[Circular]' }
  if (causes + 1 >= MAX_CAUSES) return { value: '[cause chain too deep]' }
  return errorInfo(value, ctx, causes + 1, seen)
}

export function errorJson (err: Error, ctx: SerializeContext, depth = 0, stack: object[] = [], budget: Budget = newBudget(ctx)): string {
  return infoJson(errorInfo(err, ctx), ctx, depth, stack, budget)
}

function infoJson (info: ErrorInfo, ctx: SerializeContext, depth: number, stack: object[], budget: Budget): string {
  let out = '{"type":' + stringJson(info.type, ctx, budget) + ',"message":' + stringJson(info.message, ctx, budget)
  if (info.code !== undefined) out += ',"code":' + stringJson(info.code, ctx, budget)
  const names = new Names()
  const keys = info.extra.map(([k]) => k)
  for (let i = 0; i < info.extra.length; i++) {
    if (budget.left <= 0) break
    const [k, v] = info.extra[i] as readonly [string, unknown]
    // An own field named like a part written here (type, ...) keeps its value under a distinct name.
    const name = ERROR_KEYS.has(k) ? names.unique(`field_${k}`, keys, i, ctx) : names.name(k, keys, i, ctx)
    budget.left -= Math.min(k.length, MAX_KEY) + 4
    out += ',' + jsonString(name) + ':' + (ctx.redactor.isSecretKey(k) ? jsonString(ctx.redactor.maskValue(k, v)) : any(v, ctx, depth + 1, stack, budget))
  }
  if (info.stack !== undefined) out += ',"stack":' + stringJson(info.stack, ctx, budget)
  if (info.cause !== undefined) out += ',"cause":' + nestedJson(info.cause, ctx, depth, stack, budget)
  if (info.errors !== undefined) out += ',"errors":[' + info.errors.map((e) => nestedJson(e, ctx, depth, stack, budget)).join(',') + ']'
  return out + '}'
}

/** Keys an error's JSON writes itself; own fields of these names are renamed. */
const ERROR_KEYS = new Set(['type', 'message', 'code', 'stack', 'cause', 'errors'])

function nestedJson (n: ErrorInfo | { value: unknown }, ctx: SerializeContext, depth: number, stack: object[], budget: Budget): string {
  return 'type' in n ? infoJson(n, ctx, depth, stack, budget) : any(n.value, ctx, depth + 1, stack, budget)
}

function read<T, D> (get: () => T, fallback: D): T | D {
  try {
    return get()
  } catch {
    return fallback
  }
}

function safeName (fn: unknown): string {
  return cutChars(read(() => String((fn as { name?: unknown }).name ?? ''), ''), MAX_KEY) || 'anonymous'
}
