// Hostile values as plain-data specs (so a counterexample prints readably),
// and the builder that turns a spec into the live value a host might pass:
// Proxies, throwing getters, toJSON that throws or returns itself, cycles,
// Buffers, typed arrays, huge sparse arrays, BigInt, Symbols, lone
// surrogates, control characters, U+2028, ANSI escapes.
import fc from 'fast-check'

export type Spec =
  | { readonly k: 'str', readonly v: string }
  | { readonly k: 'num', readonly v: number }
  | { readonly k: 'bigint', readonly v: bigint }
  | { readonly k: 'prim', readonly v: 'true' | 'false' | 'null' | 'undefined' | 'NaN' | '-0' | 'Infinity' }
  | { readonly k: 'symbol', readonly v: string }
  | { readonly k: 'date', readonly v: number }
  | { readonly k: 'regexp' | 'function' | 'boxed', readonly v: string }
  | { readonly k: 'binary', readonly kind: 'Buffer' | 'Uint8Array' | 'Float64Array' | 'BigInt64Array' | 'ArrayBuffer' | 'DataView' | 'SharedArrayBuffer', readonly n: number }
  | { readonly k: 'bigArray', readonly n: number, readonly sparse: boolean }
  | { readonly k: 'array', readonly items: readonly Spec[] }
  | { readonly k: 'object', readonly entries: ReadonlyArray<readonly [string, Spec]>, readonly proto: 'object' | 'null' | 'class' }
  | { readonly k: 'map' | 'set', readonly entries: ReadonlyArray<readonly [Spec, Spec]> }
  | { readonly k: 'error', readonly type: string, readonly message: Spec, readonly props: ReadonlyArray<readonly [string, Spec]>, readonly cause: Spec | undefined, readonly hostile: Hostility }
  | { readonly k: 'hostile', readonly how: Hostility, readonly inner: Spec }
  | { readonly k: 'cycle', readonly inner: Spec }
  | { readonly k: 'deep', readonly depth: number }

export type Hostility =
  | 'none' | 'getterThrows' | 'toJSONThrows' | 'toJSONSelf' | 'toJSONHuge' | 'toStringThrows' | 'primitiveThrows'
  | 'proxyTrapsThrow' | 'proxyRevoked' | 'proxyPassthrough' | 'throwsNonError' | 'stackGetterThrows' | 'messageNotString' | 'causeSelf'
  | 'inspectThrows' | 'frozen'

const HOSTILITIES: readonly Hostility[] = [
  'none', 'getterThrows', 'toJSONThrows', 'toJSONSelf', 'toJSONHuge', 'toStringThrows', 'primitiveThrows', 'proxyTrapsThrow',
  'proxyRevoked', 'proxyPassthrough', 'throwsNonError', 'stackGetterThrows', 'messageNotString', 'causeSelf', 'inspectThrows', 'frozen'
]

/** Strings that break naive formatters: line breaks, ANSI, lone surrogates, printf directives, layout look-alikes. */
export const NASTY_STRINGS = [
  '', '\n', '\r\n', '\r', '\u2028', '\u2029', '\u0085', '\x00', '\x1b[31mred\x1b[0m', '\x1b]0;title\x07', '\ud800', '\udfff', 'a\udc00b',
  '%s', '%d%i%f%j%o%O%c%%', '%', '"', '\\', '\\n', '{"a":1', '}', 'key=value', 'x="y"', ' - ', 'INFO - ',
  '2026-11-21 13:18:00,123+0800 (4242/main) oneapm ERROR - forged', '{"time":"x","level":"error","name":"oneapm","msg":"forged"}',
  '\t', '\x7f', '\u009b', '\ufeff', '\u200b', '💥', 'é', '\u0301'
]

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...NASTY_STRINGS), { maxLength: 6 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY_STRINGS, 'x', 'ab '), fc.integer({ min: 1, max: 3000 })).map(([s, n]) => s.repeat(n)) }
)

/** Keys a host object may carry, including the layouts' own keys and prototype traps. */
export const KEY_NAMES = [
  'time', 'level', 'name', 'pid', 'thread', 'msg', 'err', 'field_time', 'event', 'truncated', '__proto__', 'constructor',
  'toJSON', 'toString', 'valueOf', 'stack', 'message', 'cause', 'errors', 'code', '', ' ', 'a b', 'k=v', '"', '\n', 'é', '💥',
  'run_id', 'status', 'x'.repeat(300)
]

const key: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...KEY_NAMES), fc.string({ unit: 'binary', maxLength: 12 }))

export const spec: fc.Arbitrary<Spec> = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ k: fc.constant('str' as const), v: nastyString }),
    fc.record({ k: fc.constant('num' as const), v: fc.double() }),
    fc.record({ k: fc.constant('bigint' as const), v: fc.bigInt() }),
    fc.record({ k: fc.constant('prim' as const), v: fc.constantFrom('true', 'false', 'null', 'undefined', 'NaN', '-0', 'Infinity') as fc.Arbitrary<'true'> }),
    fc.record({ k: fc.constant('symbol' as const), v: nastyString }),
    fc.record({ k: fc.constant('date' as const), v: fc.oneof(fc.integer(), fc.constant(NaN), fc.constant(8.64e15 + 1)) }),
    fc.record({ k: fc.constantFrom('regexp' as const, 'function' as const, 'boxed' as const), v: nastyString }),
    fc.record({
      k: fc.constant('binary' as const),
      kind: fc.constantFrom('Buffer', 'Uint8Array', 'Float64Array', 'BigInt64Array', 'ArrayBuffer', 'DataView', 'SharedArrayBuffer') as fc.Arbitrary<'Buffer'>,
      n: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 1 << 20 }))
    }),
    fc.record({ k: fc.constant('bigArray' as const), n: fc.oneof(fc.integer({ min: 0, max: 200_000 }), fc.constant(2 ** 32 - 1)), sparse: fc.boolean() }),
    fc.record({ k: fc.constant('array' as const), items: fc.array(tie('spec'), { maxLength: 5 }) }),
    fc.record({
      k: fc.constant('object' as const),
      entries: fc.array(fc.tuple(key, tie('spec')), { maxLength: 6 }),
      proto: fc.constantFrom('object', 'null', 'class') as fc.Arbitrary<'object'>
    }),
    fc.record({ k: fc.constantFrom('map' as const, 'set' as const), entries: fc.array(fc.tuple(tie('spec'), tie('spec')), { maxLength: 4 }) }),
    fc.record({
      k: fc.constant('error' as const),
      type: fc.constantFrom('Error', 'TypeError', 'RangeError', 'AggregateError', 'Custom', 'plain'),
      message: tie('spec'),
      props: fc.array(fc.tuple(key, tie('spec')), { maxLength: 4 }),
      cause: fc.option(tie('spec'), { nil: undefined }),
      hostile: fc.constantFrom(...HOSTILITIES)
    }),
    fc.record({ k: fc.constant('hostile' as const), how: fc.constantFrom(...HOSTILITIES), inner: tie('spec') }),
    fc.record({ k: fc.constant('cycle' as const), inner: tie('spec') }),
    fc.record({ k: fc.constant('deep' as const), depth: fc.integer({ min: 1, max: 5000 }) })
  )
})).spec

class HostThing {
  constructor (readonly tag: string) {}
}

/** Builds the live value of a spec. Never throws itself (hostile parts throw only when touched). */
export function build (s: Spec): unknown {
  switch (s.k) {
    case 'str': return s.v
    case 'num': return s.v
    case 'bigint': return s.v
    case 'prim': return ({ true: true, false: false, null: null, undefined, NaN, '-0': -0, Infinity: -Infinity } as const)[s.v]
    case 'symbol': return Symbol(s.v)
    case 'date': return new Date(s.v)
    case 'regexp': return new RegExp(s.v.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'))
    case 'function': {
      const f = function () { return s.v }
      Object.defineProperty(f, 'name', { value: s.v })
      return f
    }
    case 'boxed': return Object(s.v) as unknown
    case 'binary': return binary(s.kind, s.n)
    case 'bigArray': {
      if (s.sparse || s.n > 1e7) return new Array(s.n)
      return Array.from({ length: s.n }, (_, i) => i)
    }
    case 'array': return s.items.map(build)
    case 'object': {
      const o: Record<string, unknown> = s.proto === 'null' ? Object.create(null) as Record<string, unknown> : s.proto === 'class' ? new HostThing('t') as unknown as Record<string, unknown> : {}
      for (const [k, v] of s.entries) Object.defineProperty(o, k, { value: build(v), enumerable: true, configurable: true, writable: true })
      return o
    }
    case 'map': return new Map(s.entries.map(([k, v]) => [build(k), build(v)]))
    case 'set': return new Set(s.entries.map(([k]) => build(k)))
    case 'error': return buildError(s)
    case 'hostile': return hostile(s.how, build(s.inner))
    case 'cycle': {
      const o: Record<string, unknown> = { inner: build(s.inner) }
      o.self = o
      o.list = [o, { back: o }]
      return o
    }
    case 'deep': {
      let o: Record<string, unknown> = { leaf: true }
      for (let i = 0; i < s.depth; i++) o = { d: o }
      return o
    }
  }
}

function binary (kind: string, n: number): unknown {
  switch (kind) {
    case 'Buffer': return Buffer.alloc(n, 0x41)
    case 'Uint8Array': return new Uint8Array(n)
    case 'Float64Array': return new Float64Array(Math.min(n, 1 << 17))
    case 'BigInt64Array': return new BigInt64Array(Math.min(n, 1 << 17))
    case 'ArrayBuffer': return new ArrayBuffer(n)
    case 'DataView': return new DataView(new ArrayBuffer(n))
    default: return new SharedArrayBuffer(n)
  }
}

function buildError (s: Extract<Spec, { k: 'error' }>): unknown {
  const message = build(s.message)
  let err: Error
  if (s.type === 'plain') {
    err = Object.create(Error.prototype) as Error
  } else if (s.type === 'AggregateError') {
    err = new AggregateError([new Error('inner'), build(s.message)], 'aggregate')
  } else if (s.type === 'Custom') {
    class HostError extends Error {}
    err = new HostError()
  } else {
    err = new (globalThis as unknown as Record<string, ErrorConstructor>)[s.type]!()
  }
  try { Object.defineProperty(err, 'message', { value: message, configurable: true, writable: true, enumerable: false }) } catch {}
  for (const [k, v] of s.props) {
    try { Object.defineProperty(err, k, { value: build(v), enumerable: true, configurable: true, writable: true }) } catch {}
  }
  if (s.cause !== undefined) (err as Error & { cause?: unknown }).cause = build(s.cause)
  return hostile(s.hostile, err)
}

const boom = (): never => { throw new Error('host getter threw') }

function hostile (how: Hostility, v: unknown): unknown {
  const obj = (typeof v === 'object' && v !== null) || typeof v === 'function' ? v as Record<string | symbol, unknown> : { value: v }
  const def = (k: string | symbol, d: PropertyDescriptor): void => {
    try { Object.defineProperty(obj, k, { configurable: true, enumerable: true, ...d }) } catch {}
  }
  switch (how) {
    case 'none': return v
    case 'getterThrows': def('trap', { get: boom }); return obj
    case 'toJSONThrows': def('toJSON', { value: boom, enumerable: false }); return obj
    case 'toJSONSelf': def('toJSON', { value () { return this }, enumerable: false }); return obj
    case 'toJSONHuge': def('toJSON', { value: () => 'x'.repeat(1 << 20), enumerable: false }); return obj
    case 'toStringThrows': def('toString', { value: boom, enumerable: false }); return obj
    case 'primitiveThrows': def(Symbol.toPrimitive, { value: boom, enumerable: false }); return obj
    case 'inspectThrows': def(Symbol.for('nodejs.util.inspect.custom'), { value: boom, enumerable: false }); return obj
    case 'throwsNonError': def('trap', { get () { throw Object.assign(Object.create(null) as object, { toString: undefined }) } }); return obj
    case 'stackGetterThrows': def('stack', { get: boom }); def('name', { get: boom }); return obj
    case 'messageNotString': def('message', { value: { nested: Symbol('m') } }); return obj
    case 'causeSelf': def('cause', { value: obj }); return obj
    case 'frozen':
      // A typed array with elements cannot be frozen (the generator's problem, not the logger's).
      // Nor can a revoked proxy be frozen or made non-extensible: it stays as it is.
      try {
        return Object.freeze(obj)
      } catch {
        try {
          return Object.preventExtensions(obj)
        } catch {
          return obj
        }
      }
    case 'proxyPassthrough': return new Proxy(obj, {})
    case 'proxyTrapsThrow': return new Proxy(obj, { get: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom, has: boom })
    case 'proxyRevoked': {
      const p = Proxy.revocable(obj, {})
      p.revoke()
      return p.proxy
    }
  }
}

/** The shapes of one log call's arguments. */
export type CallSpec =
  | { readonly shape: 'msg', readonly msg: string, readonly args: readonly Spec[] }
  | { readonly shape: 'fields', readonly fields: Spec, readonly msg: string | undefined, readonly args: readonly Spec[] }
  | { readonly shape: 'error', readonly err: Spec, readonly msg: string | undefined, readonly args: readonly Spec[] }
  | { readonly shape: 'any', readonly args: readonly Spec[] }

const directives = fc.array(fc.oneof(nastyString, fc.constantFrom('%s', '%d', '%i', '%f', '%j', '%o', '%O', '%c', '%%', '%')), { maxLength: 6 }).map((a) => a.join(''))

export const callSpec: fc.Arbitrary<CallSpec> = fc.oneof(
  fc.record({ shape: fc.constant('msg' as const), msg: directives, args: fc.array(spec, { maxLength: 4 }) }),
  fc.record({ shape: fc.constant('fields' as const), fields: spec, msg: fc.option(directives, { nil: undefined }), args: fc.array(spec, { maxLength: 3 }) }),
  fc.record({
    shape: fc.constant('error' as const),
    err: spec.filter((s) => s.k === 'error').map((s) => s).chain((s) => fc.constant(s)),
    msg: fc.option(directives, { nil: undefined }),
    args: fc.array(spec, { maxLength: 2 })
  }),
  fc.record({ shape: fc.constant('any' as const), args: fc.array(spec, { maxLength: 5 }) })
)

export function buildArgs (c: CallSpec): unknown[] {
  switch (c.shape) {
    case 'msg': return [c.msg, ...c.args.map(build)]
    case 'fields': return [build(c.fields), ...(c.msg === undefined ? [] : [c.msg]), ...c.args.map(build)]
    case 'error': return [build(c.err), ...(c.msg === undefined ? [] : [c.msg]), ...c.args.map(build)]
    case 'any': return c.args.map(build)
  }
}

export const LEVEL_METHODS = ['critical', 'error', 'warning', 'warn', 'info', 'debug', 'trace'] as const
