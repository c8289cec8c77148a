// Has the host done something to the standard streams? Captured once (the
// functions and what fd 1 and 2 point to), compared later on a timer, never
// per record. Each cause is reported once. The agent writes to the fds
// directly, so none of this silences it; it explains what the host sees.

import fs from 'node:fs'

export interface Interference {
  /** A stable name: stderr_write_replaced, console_replaced, fd2_closed, fd1_redirected, ... */
  readonly cause: string
  readonly message: string
}

interface FdId { readonly dev: number, readonly ino: number }

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const

export class StdioProbe {
  private readonly writes: { readonly stdout: unknown, readonly stderr: unknown }
  private readonly consoleFns: ReadonlyMap<string, unknown>
  private readonly fds: ReadonlyMap<number, FdId | undefined>
  private readonly reported = new Set<string>()

  constructor () {
    this.writes = { stdout: process.stdout.write, stderr: process.stderr.write }
    this.consoleFns = new Map(CONSOLE_METHODS.map((m) => [m, console[m]]))
    this.fds = new Map([[1, fdId(1)], [2, fdId(2)]])
  }

  /** What changed since the capture, each cause once. */
  check (): Interference[] {
    const found: Interference[] = []
    const add = (cause: string, message: string): void => {
      if (this.reported.has(cause)) return
      this.reported.add(cause)
      found.push({ cause, message })
    }
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = process[name]
      if (stream.write !== this.writes[name]) {
        const fn = stream.write as { name?: string }
        add(`${name}_write_replaced`, `the host replaced process.${name}.write${fn.name === undefined || fn.name === '' || fn.name === 'write' ? '' : ` (with ${fn.name})`}; the agent writes to fd ${name === 'stdout' ? 1 : 2} directly, so its own output is not affected`)
      }
    }
    const replaced = CONSOLE_METHODS.filter((m) => console[m] !== this.consoleFns.get(m))
    if (replaced.length > 0) add('console_replaced', `the host replaced console.${replaced.join(', console.')}; the agent does not log through console, so its output is not affected`)
    for (const [fd, was] of this.fds) {
      const now = fdId(fd)
      const stream = fd === 1 ? 'stdout' : 'stderr'
      if (now === undefined && was !== undefined) {
        add(`fd${fd}_closed`, `fd ${fd} (${stream}) was closed by the host; nothing written there can be seen`)
      } else if (now !== undefined && was !== undefined && (now.dev !== was.dev || now.ino !== was.ino)) {
        add(`fd${fd}_redirected`, `fd ${fd} (${stream}) now points somewhere else than at start-up (redirected with dup2, or closed and reused by another open)`)
      }
    }
    return found
  }
}

function fdId (fd: number): FdId | undefined {
  try {
    const s = fs.fstatSync(fd)
    return { dev: s.dev, ino: s.ino }
  } catch {
    return undefined
  }
}
