// Describing values we cannot trust (thrown things, hostile objects) without
// letting them throw again.

/** String(x) that cannot throw. */
export function safeString (value: unknown): string {
  try {
    return String(value)
  } catch (err) {
    return `[Unprintable: ${describeThrown(err)}]`
  }
}

/** A short description of something that was thrown, without trusting it. */
export function describeThrown (err: unknown): string {
  return read(() => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)), 'unknown error').slice(0, 200)
}

function read<T> (get: () => T, fallback: T): T {
  try {
    return get()
  } catch {
    return fallback
  }
}

/** Past this magnitude a BigInt is summarised: its decimal text costs more than linear time in its size. */
const BIGINT_LIMIT = 1n << 4096n

/**
 * A BigInt's decimal text when it has at most about 1,233 digits, else a
 * summary with its low 64 bits. Bounded time whatever its size: the
 * comparison looks at lengths first, asUintN copies 64 bits.
 */
export function bigintText (v: bigint): string {
  if (v < BIGINT_LIMIT && v > -BIGINT_LIMIT) return v.toString()
  return `[BigInt ${v < 0n ? '-' : ''}over 4096 bits, low 64 bits 0x${BigInt.asUintN(64, v < 0n ? -v : v).toString(16)}]`
}

/** `Symbol(description)` with the description cut at `max` characters, without building the whole text. */
export function symbolText (v: symbol, max: number): string {
  let d: string | undefined
  try {
    d = v.description
  } catch {
    d = undefined
  }
  if (d === undefined) return 'Symbol()'
  return d.length <= max ? `Symbol(${d})` : `Symbol(${d.slice(0, max)}…[+${d.length - max} chars])`
}

/**
 * `options[name]` for options a caller handed us: anything that is not an
 * object, or a getter or proxy trap that throws, reads as not given.
 */
export function optionOf (options: unknown, name: string): unknown {
  try {
    return typeof options === 'object' && options !== null ? (options as Record<string, unknown>)[name] : undefined
  } catch {
    return undefined
  }
}
