// When the logger itself fails (a bug, or an input nobody foresaw), the
// failure goes to fd 2 directly, a few times at most, and is counted. It never
// reaches the host as an exception.

import fs from 'node:fs'
import { describeThrown } from './describe'

const MAX_REPORTS = 5
let failures = 0

export function lastResort (err: unknown, where: string): void {
  failures++
  if (failures > MAX_REPORTS) return
  try {
    const tail = failures === MAX_REPORTS ? ' (further internal errors are counted, not printed)' : ''
    fs.writeSync(2, `oneapm-agent-log: internal error in ${where}: ${describeThrown(err).replace(/[\r\n]+/g, ' ')}${tail}\n`)
  } catch {
    // stderr is gone too: the count is all that is left.
  }
}

/** How many internal errors were caught so far in this process. */
export function internalErrors (): number {
  return failures
}
