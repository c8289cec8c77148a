// Turns any value a caller passes into JSON text, without throwing and
// without running away: cycles, throwing getters and toJSON, revoked proxies,
// BigInt, Symbol, null-prototype objects and huge strings all come out as
// bounded, valid JSON. Secret fields are masked on the way (see redact.ts).

import { describeThrown, safeString } from '../internal/describe'
import { jsonString } from './escape'
import type { Redactor } from './redact'

export interface SerializeContext {
  readonly redactor: Redactor
  /** Longest string kept, in characters; longer ones are cut with a marker. */
  readonly maxString: number
}

const MAX_DEPTH = 6
const MAX_KEYS = 64
const MAX_ITEMS = 64
const MAX_CAUSES = 5

/** A string capped at `max` characters, with the count of what was cut. */
export function capString (s: string, max: number): string {
  if (s.length <= max) return s
  let end = max
  // Don't split a surrogate pair: a lone half would become U+FFFD on disk.
  const c = s.charCodeAt(end - 1)
  if (c >= 0xd800 && c <= 0xdbff) end--
  return s.slice(0, end) + `…[+${s.length - end} chars]`
}

/** A string value: capped, scrubbed of secrets, quoted. */
export function stringJson (s: string, ctx: SerializeContext): string {
  return jsonString(ctx.redactor.text(capString(s, ctx.maxString)))
}

/** Any value as JSON text. Never throws. */
export function valueJson (value: unknown, ctx: SerializeContext): string {
  return any(value, ctx, 0, [])
}

function any (value: unknown, ctx: SerializeContext, depth: number, stack: object[]): string {
  switch (typeof value) {
    case 'string': return stringJson(value, ctx)
    case 'number': return Number.isFinite(value) ? String(value) : `"${String(value)}"`
    case 'boolean': return value ? 'true' : 'false'
    case 'bigint': return `"${value.toString()}"`
    case 'undefined': return 'null'
    case 'symbol': return jsonString(value.toString())
    case 'function': return jsonString(`[Function: ${safeName(value)}]`)
    default:
      if (value === null) return 'null'
      try {
        return object(value as object, ctx, depth, stack)
      } catch (err) {
        return jsonString(`[Unserializable: ${describeThrown(err)}]`)
      }
  }
}

function object (value: object, ctx: SerializeContext, depth: number, stack: object[]): string {
  if (stack.includes(value)) return '"[Circular]"'
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '"[Array]"' : '"[Object]"'
  if (isError(value)) return errorJson(value, ctx, depth, stack)
  // Before toJSON: Buffer.toJSON would spell out every byte.
  if (ArrayBuffer.isView(value)) return jsonString(`[${value.constructor.name} ${value.byteLength} bytes]`)
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') {
    let result: unknown
    try {
      result = toJSON.call(value)
    } catch (err) {
      return jsonString(`[toJSON threw: ${describeThrown(err)}]`)
    }
    stack.push(value)
    try {
      return result === value ? plain(value, ctx, depth, stack) : any(result, ctx, depth + 1, stack)
    } finally {
      stack.pop()
    }
  }
  stack.push(value)
  try {
    if (Array.isArray(value)) return items(value, value.length, ctx, depth, stack)
    if (value instanceof Map) return mapJson(value, ctx, depth, stack)
    if (value instanceof Set) return items(Array.from(take(value, MAX_ITEMS + 1)), value.size, ctx, depth, stack)
    return plain(value, ctx, depth, stack)
  } finally {
    stack.pop()
  }
}

function plain (value: object, ctx: SerializeContext, depth: number, stack: object[]): string {
  const keys = Object.keys(value)
  let out = '{'
  let n = 0
  for (const key of keys) {
    if (n === MAX_KEYS) {
      out += `,"…":"${keys.length - MAX_KEYS} more keys"`
      break
    }
    const part = property(value, key, ctx, depth, stack)
    if (part === undefined) continue
    out += (n === 0 ? '' : ',') + jsonString(key) + ':' + part
    n++
  }
  return out + '}'
}

/** One property's JSON, or undefined to leave it out (as JSON.stringify does). */
export function property (holder: object, key: string, ctx: SerializeContext, depth: number, stack: object[]): string | undefined {
  let v: unknown
  try {
    v = (holder as Record<string, unknown>)[key]
  } catch (err) {
    return jsonString(`[Getter threw: ${describeThrown(err)}]`)
  }
  if (v === undefined || typeof v === 'function') return undefined
  if (ctx.redactor.isSecretKey(key)) return jsonString(ctx.redactor.maskValue(key, v))
  return any(v, ctx, depth + 1, stack)
}

function items (list: readonly unknown[], size: number, ctx: SerializeContext, depth: number, stack: object[]): string {
  let out = '['
  const n = Math.min(list.length, MAX_ITEMS)
  for (let i = 0; i < n; i++) {
    let v: unknown
    try {
      v = list[i]
    } catch (err) {
      v = `[Getter threw: ${describeThrown(err)}]`
    }
    out += (i === 0 ? '' : ',') + any(v, ctx, depth + 1, stack)
  }
  if (size > MAX_ITEMS) out += `,"…${size - MAX_ITEMS} more items"`
  return out + ']'
}

function mapJson (map: Map<unknown, unknown>, ctx: SerializeContext, depth: number, stack: object[]): string {
  let out = '{'
  let n = 0
  for (const [k, v] of map) {
    if (n === MAX_KEYS) {
      out += `,"…":"${map.size - MAX_KEYS} more entries"`
      break
    }
    const key = typeof k === 'string' ? k : safeString(k)
    const part = ctx.redactor.isSecretKey(key) ? jsonString(ctx.redactor.maskValue(key, v)) : any(v, ctx, depth + 1, stack)
    out += (n === 0 ? '' : ',') + jsonString(key) + ':' + part
    n++
  }
  return out + '}'
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
  const type = read(() => err.name, '') || safeName(err.constructor) || 'Error'
  const message = read(() => err.message, '')
  const code = read(() => (err as { code?: unknown }).code, undefined)
  const stack = read(() => err.stack, undefined)
  const extra: Array<[string, unknown]> = []
  for (const key of read(() => Object.keys(err), [] as string[]).slice(0, MAX_KEYS)) {
    if (!ERROR_OWN.has(key)) extra.push([key, read(() => (err as unknown as Record<string, unknown>)[key], '[Getter threw]')])
  }
  const info: { -readonly [K in keyof ErrorInfo]: ErrorInfo[K] } = { type: String(type), message: String(message), extra }
  if (code !== undefined && code !== null) info.code = String(code)
  if (typeof stack === 'string') info.stack = stack
  const cause = read(() => err.cause, undefined)
  if (cause !== undefined) info.cause = nested(cause, ctx, causes, seen)
  const errors = read(() => (err as { errors?: unknown }).errors, undefined)
  if (Array.isArray(errors)) info.errors = errors.slice(0, 10).map((e) => nested(e, ctx, causes, seen))
  return info
}

function nested (value: unknown, ctx: SerializeContext, causes: number, seen: object[]): ErrorInfo | { value: unknown } {
  if (!isError(value)) return { value }
  if (seen.includes(value)) return { value: '[Circular]' }
  if (causes + 1 >= MAX_CAUSES) return { value: '[cause chain too deep]' }
  return errorInfo(value, ctx, causes + 1, seen)
}

export function errorJson (err: Error, ctx: SerializeContext, depth = 0, stack: object[] = []): string {
  return infoJson(errorInfo(err, ctx), ctx, depth, stack)
}

function infoJson (info: ErrorInfo, ctx: SerializeContext, depth: number, stack: object[]): string {
  let out = '{"type":' + stringJson(info.type, ctx) + ',"message":' + stringJson(info.message, ctx)
  if (info.code !== undefined) out += ',"code":' + stringJson(info.code, ctx)
  for (const [k, v] of info.extra) {
    out += ',' + jsonString(k) + ':' + (ctx.redactor.isSecretKey(k) ? jsonString(ctx.redactor.maskValue(k, v)) : any(v, ctx, depth + 1, stack))
  }
  if (info.stack !== undefined) out += ',"stack":' + stringJson(info.stack, ctx)
  if (info.cause !== undefined) out += ',"cause":' + nestedJson(info.cause, ctx, depth, stack)
  if (info.errors !== undefined) out += ',"errors":[' + info.errors.map((e) => nestedJson(e, ctx, depth, stack)).join(',') + ']'
  return out + '}'
}

function nestedJson (n: ErrorInfo | { value: unknown }, ctx: SerializeContext, depth: number, stack: object[]): string {
  return 'type' in n ? infoJson(n, ctx, depth, stack) : any(n.value, ctx, depth + 1, stack)
}

function read<T, D> (get: () => T, fallback: D): T | D {
  try {
    return get()
  } catch {
    return fallback
  }
}

function safeName (fn: unknown): string {
  return read(() => String((fn as { name?: unknown }).name ?? ''), '') || 'anonymous'
}
