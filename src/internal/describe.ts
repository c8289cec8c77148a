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
