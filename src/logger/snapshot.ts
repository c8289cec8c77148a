// What a log call's arguments become when they must be kept for later (the
// flight recorder, the early queue): a bounded copy that holds no reference
// to what the caller passed. A kept Buffer, a huge string or an object graph
// would otherwise stay alive as long as the record does, whatever size the
// recorder believes it holds.
//
//   primitives            as they are (a BigInt over 64 bits as a description)
//   strings               capped, and copied when 13 chars or longer: V8 makes
//                         slices and concatenations of that size point into
//                         their parent, so a 20-char slice can pin 100 MB
//   Buffers, typed arrays,
//   ArrayBuffers          a short description
//   functions, symbols    a short description
//   Errors                a bounded error (type, message, code, stack, a few fields)
//   other objects         their JSON (the safe serializer: bounded, redacted),
//                         parsed back only when written
//
// `cost` is what the copy takes in memory, near enough to charge a budget with.

import { capRedact } from '../format/cut'
import type { Redactor } from '../format/redact'
import { errorInfo, isError, valueJson, type SerializeContext } from '../format/serialize'
import { describeThrown, safeString } from '../internal/describe'
import { flatCopy } from '../internal/flat-copy'

/** An object argument, kept as its JSON text. */
export class ObjectSnapshot {
  constructor (readonly json: string) {}
}

export interface Kept {
  readonly args: readonly unknown[]
  /** Bytes the copy holds, roughly. */
  readonly cost: number
}

const MAX_ARGS = 32
/** Per kept call: the array, the entry that holds it. */
const ENTRY_COST = 96
const SLOT_COST = 16
/** V8 keeps shorter slices and concatenations flat: nothing to copy. */
const SLICE_MIN = 13
const ERROR_FIELDS = 16
const MAX_CAUSES = 3

/** Room left under a cap for the cut's `…[+N chars]` marker, so a later cap keeps the count. */
const MARKER_ROOM = 32

/** A bounded copy of `args`. `max` bounds each string and each object's JSON. Never throws. */
export function snapshotArgs (args: readonly unknown[], ctx: SerializeContext, max: number): Kept {
  const cap = Math.max(64, Math.min(ctx.maxString, max) - MARKER_ROOM)
  const sctx: SerializeContext = { redactor: ctx.redactor, maxString: cap }
  const n = Math.min(args.length, MAX_ARGS)
  const out: unknown[] = new Array(n)
  let cost = ENTRY_COST
  for (let i = 0; i < n; i++) {
    const [v, c] = snapshotValue(readArg(args, i), sctx, cap)
    out[i] = v
    cost += SLOT_COST + c
  }
  if (args.length > MAX_ARGS) {
    out.push(`…[+${args.length - MAX_ARGS} arguments]`)
    cost += SLOT_COST + 32
  }
  return { args: out, cost }
}

/** The arguments as a log call takes them again: object snapshots parsed back. */
export function materialize (args: readonly unknown[]): unknown[] {
  return args.map((a) => {
    if (!(a instanceof ObjectSnapshot)) return a
    try {
      return JSON.parse(a.json) as unknown
    } catch {
      // Cut because it was over the cap: the text is all there is.
      return a.json
    }
  })
}

function readArg (args: readonly unknown[], i: number): unknown {
  try {
    return args[i]
  } catch (err) {
    return `[Unreadable: ${describeThrown(err)}]`
  }
}

function snapshotValue (v: unknown, ctx: SerializeContext, cap: number): [unknown, number] {
  switch (typeof v) {
    case 'string': {
      const s = ownString(v, cap, ctx.redactor)
      return [s, s.length]
    }
    case 'number':
    case 'boolean':
    case 'undefined':
      return [v, 0]
    case 'bigint':
      return BigInt.asIntN(64, v) === v ? [v, 16] : ['[BigInt over 64 bits]', 24]
    case 'symbol':
    case 'function': {
      const s = ownString(typeof v === 'function' ? `[Function: ${nameOf(v)}]` : safeString(v), cap, ctx.redactor)
      return [s, s.length]
    }
    default:
      if (v === null) return [null, 0]
      return snapshotObject(v as object, ctx, cap)
  }
}

function snapshotObject (v: object, ctx: SerializeContext, cap: number): [unknown, number] {
  try {
    if (isError(v)) {
      const e = snapshotError(v, ctx, cap, 0)
      return [e.error, e.cost]
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer)) {
      return [`[${nameOf(v.constructor)} ${v.byteLength} bytes]`, 48]
    }
    const json = valueJson(v, ctx)
    if (json.length > cap) {
      const s = ownString(json, cap, ctx.redactor)
      return [s, s.length]
    }
    return [new ObjectSnapshot(ownString(json, cap, ctx.redactor)), json.length + SLOT_COST]
  } catch (err) {
    return [`[Unserializable: ${describeThrown(err)}]`, 64]
  }
}

/** A stand-in Error: reads every part once, keeps bounded copies, no reference to the original. */
function snapshotError (err: Error, ctx: SerializeContext, cap: number, depth: number): { error: Error, cost: number } {
  const info = errorInfo(err, ctx)
  const e = Object.create(Error.prototype) as Error & Record<string, unknown>
  let cost = 128
  const set = (key: string, value: unknown): void => {
    Object.defineProperty(e, key, { value, writable: true, configurable: true, enumerable: key !== 'name' && key !== 'message' && key !== 'stack' })
  }
  const str = (s: string): string => {
    const own = ownString(s, cap, ctx.redactor)
    cost += own.length + SLOT_COST
    return own
  }
  set('name', str(info.type))
  set('message', str(info.message))
  if (info.stack !== undefined) set('stack', str(info.stack))
  if (info.code !== undefined) set('code', str(info.code))
  for (const [k, value] of info.extra.slice(0, ERROR_FIELDS)) {
    if (k === 'constructor' || k === '__proto__') continue
    const [copy, c] = snapshotValue(value, ctx, cap)
    cost += c + SLOT_COST
    set(str(k), copy instanceof ObjectSnapshot ? materialize([copy])[0] : copy)
  }
  let cause: unknown
  try {
    cause = err.cause
  } catch {
    cause = undefined
  }
  if (cause !== undefined) {
    if (isError(cause) && depth + 1 < MAX_CAUSES && cause !== err) {
      const c = snapshotError(cause, ctx, cap, depth + 1)
      cost += c.cost
      set('cause', c.error)
    } else {
      const [copy, c] = isError(cause) ? ['[cause chain too deep]', 32] : snapshotValue(cause, ctx, cap)
      cost += c
      set('cause', copy instanceof ObjectSnapshot ? materialize([copy])[0] : copy)
    }
  }
  return { error: e, cost }
}

/**
 * A string capped at `cap` characters, and a flat copy of it when V8 could
 * have made it a slice or concatenation of something larger. UTF-16 round
 * trip: lossless for every code unit, lone surrogates included.
 */
export function ownString (s: string, cap: number, redactor: Redactor): string {
  // Redacted before the cut, like every string written: a secret straddling the cap is masked whole.
  const capped = s.length <= cap ? s : capRedact(s, cap, redactor)
  return capped.length < SLICE_MIN ? capped : flatCopy(capped)
}

function nameOf (fn: unknown): string {
  try {
    const n = (fn as { name?: unknown }).name
    return typeof n === 'string' && n !== '' ? n.slice(0, 64) : 'anonymous'
  } catch {
    return 'anonymous'
  }
}
