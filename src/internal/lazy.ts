// Modules loaded on first use, not when the agent requires this package:
// agents load at host start (serverless cold starts included), and undici
// alone would triple the cost of require('oneapm-agent-log') for an agent
// that never calls the collector helpers. `import type` keeps the types.

/** `load()` on the first call, its result after. */
export function lazy<T> (load: () => T): () => T {
  let value: T | undefined
  let loaded = false
  return () => {
    if (!loaded) {
      value = load()
      loaded = true
    }
    return value as T
  }
}
