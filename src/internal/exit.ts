// One 'exit' listener for the whole library, installed when it loads. 'exit'
// fires on natural exit, process.exit() and an uncaught exception, and only
// synchronous work runs in it, which is what flushSync() is. No signal
// handlers: installing one would change how the host's process dies.
//
// Installed at load rather than on first use: a logger first created inside
// the host's own exit listener must still be flushed, and a listener added
// while 'exit' is being emitted would never run.

type Flusher = () => void

const flushers = new Set<Flusher>()
let exited = false

function onExit (): void {
  // From here on no later turn of the event loop comes: whatever is logged
  // now (in exit listeners registered after ours) must be written at once.
  exited = true
  for (const flush of flushers) {
    try {
      flush()
    } catch {
      // The process is ending; one failed flush must not stop the others.
    }
  }
}

// First among the listeners: a host listener registered before this module
// loaded that calls process.exit() ends the process on the spot, and a
// listener after it would never run. What such listeners log comes after
// ours and is written at once (exiting()).
process.prependListener('exit', onExit)

/** Runs `flush` when the process exits; returns a function that cancels it. */
export function flushAtExit (flush: Flusher): () => void {
  flushers.add(flush)
  return () => { flushers.delete(flush) }
}

/**
 * Whether the process is exiting and our exit listener already ran: a record
 * logged now (in any host exit listener: ours runs first) must be written
 * synchronously.
 */
export function exiting (): boolean {
  return exited
}
