// One 'exit' listener for the whole library, installed on first use. 'exit'
// fires on natural exit, process.exit() and an uncaught exception, and only
// synchronous work runs in it, which is what flushSync() is. No signal
// handlers: installing one would change how the host's process dies.

type Flusher = () => void

const flushers = new Set<Flusher>()
let installed = false

function onExit (): void {
  for (const flush of flushers) {
    try {
      flush()
    } catch {
      // The process is ending; one failed flush must not stop the others.
    }
  }
}

/** Runs `flush` when the process exits; returns a function that cancels it. */
export function flushAtExit (flush: Flusher): () => void {
  if (!installed) {
    process.on('exit', onExit)
    installed = true
  }
  flushers.add(flush)
  return () => { flushers.delete(flush) }
}
