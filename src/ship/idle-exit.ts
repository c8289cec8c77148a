// A write the receiver does not take (it accepts the connection and never
// reads) leaves a libuv write request pending, and a pending request keeps
// the process alive whatever unref() says: the host would wait out the write
// timeout (10 s) before it could exit. While one of our writes is pending,
// an unref'd check looks at what keeps the process alive; when that is
// nothing but write requests, no more than ours (and idle stdout/stderr
// handles, which are listed though they keep nothing alive), the host is done: our
// writes are given up (their batches are still queued, and the exit spool
// takes them). Conservative: any other resource (a timer, a socket, a write
// of the host's own) and we keep waiting.

const CHECK_MS = 200
const WRITE_REQUESTS = new Set(['WriteWrap', 'SimpleWriteWrap', 'ShutdownWrap'])

const pending = new Set<() => void>()
let timer: NodeJS.Timeout | undefined

/** Idle stdout/stderr pipes or terminals: listed (they are ref'd) though they keep nothing alive. */
function idleStdio (): number {
  let n = 0
  for (const s of [process.stdout, process.stderr]) {
    const h = (s as unknown as { _handle?: unknown })._handle
    if (h !== undefined && h !== null && s.writableLength === 0) n++
  }
  return n
}

function check (): void {
  const info = typeof process.getActiveResourcesInfo === 'function' ? process.getActiveResourcesInfo() : undefined
  if (info === undefined || info.length === 0) return
  let writes = 0
  let stdio = -1
  for (const r of info) {
    if (WRITE_REQUESTS.has(r)) writes++
    else if (r === 'PipeWrap' || r === 'TTYWrap') {
      if (stdio === -1) stdio = idleStdio()
      if (stdio-- <= 0) return
    } else return
  }
  if (writes === 0 || writes > pending.size) return
  for (const giveUp of [...pending]) giveUp()
}

/** Watches while a write is pending; `giveUp` ends it when only our writes keep the process alive. Returns the release. */
export function whileWritePending (giveUp: () => void): () => void {
  pending.add(giveUp)
  timer ??= setInterval(check, CHECK_MS).unref()
  return () => {
    pending.delete(giveUp)
    if (pending.size === 0 && timer !== undefined) {
      clearInterval(timer)
      timer = undefined
    }
  }
}
