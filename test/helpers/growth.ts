// Linear-time checks that compare growth, never the wall clock: the same
// work on a small and a 64x larger input, each timed as the best of a few
// runs, in a child process with a timeout so a quadratic (or hanging) case
// fails the test instead of stalling the suite.
import { spawnSync } from 'node:child_process'
import path from 'node:path'

/** Where the compiled src/ lives, for `mod('format/redact')` in the child. */
export const SRC = path.join(__dirname, '..', '..', 'src')

export interface Growth {
  /** Best time at the large size ÷ best time at the small size. */
  readonly ratio: number
  readonly smallMs: number
  readonly bigMs: number
}

/**
 * `setup` is JavaScript run in the child. It may call `mod('format/redact')`
 * and must define `make(n)` (an input of size n) and `run(input)` (the work).
 */
export function growth (setup: string, options: { small?: number, big?: number, runs?: number, timeout?: number } = {}): Growth {
  const small = options.small ?? 16 * 1024
  const big = options.big ?? 1024 * 1024
  const runs = options.runs ?? 5
  const program = `
const path = require('node:path')
const mod = (p) => require(path.join(${JSON.stringify(SRC)}, p))
${setup}
function best (input) {
  let min = Infinity
  for (let r = 0; r < ${runs}; r++) {
    const t = process.hrtime.bigint()
    run(input)
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e6)
  }
  return min
}
const a = make(${small}); best(a)
const smallMs = best(a)
const b = make(${big})
const bigMs = best(b)
process.stdout.write(JSON.stringify({ smallMs, bigMs }))
`
  const res = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8', timeout: options.timeout ?? 60_000, maxBuffer: 1024 * 1024 })
  if (res.status !== 0) throw new Error(`growth child failed (status ${String(res.status)}, signal ${String(res.signal)}): ${res.stderr.slice(0, 2000)}`)
  const { smallMs, bigMs } = JSON.parse(res.stdout) as { smallMs: number, bigMs: number }
  // Below the timer's resolution the ratio means nothing: floor the small time.
  return { ratio: bigMs / Math.max(smallMs, 0.05), smallMs, bigMs }
}

/** 64x the input at most ~8x the linear cost: quadratic would be 4096x. */
export const LINEAR = 64 * 8
/** 64x the input, but the output is the same size: cost should barely move. */
export const FLAT = 16
