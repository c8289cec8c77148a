// How the fuzz properties run: short inside `npm test`, long under `npm run fuzz`.
//
//   FUZZ_RUNS=<n>        runs per property (default: each property's short count)
//   FUZZ_SEED=<n>        seed (default: a fresh one, printed on failure)
//   FUZZ_PATH=<p>        replay one counterexample; needs FUZZ_PROPERTY
//   FUZZ_PROPERTY=<s>    run only the properties whose name contains s
//
// scripts/fuzz.js sets these from --runs/--seed/--path/--property.
import fc from 'fast-check'
import { test } from 'node:test'

const env = process.env
const RUNS = env.FUZZ_RUNS === undefined ? undefined : Math.max(1, Number(env.FUZZ_RUNS) || 1)
const SEED = env.FUZZ_SEED === undefined || env.FUZZ_SEED === '' ? undefined : Number(env.FUZZ_SEED)
const PATH = env.FUZZ_PATH === undefined || env.FUZZ_PATH === '' ? undefined : env.FUZZ_PATH
const ONLY = env.FUZZ_PROPERTY === undefined || env.FUZZ_PROPERTY === '' ? undefined : env.FUZZ_PROPERTY

/** Whether this is the long run (`npm run fuzz`). */
export const LONG = RUNS !== undefined && RUNS > 100

export interface PropertyOptions {
  /** Runs in the short mode (`npm test`). */
  readonly runs: number
  /** Cap for the long mode, for properties whose runs are expensive (child processes). */
  readonly maxRuns?: number
  /** Runs are expensive (child processes): in the short mode report the first counterexample unshrunk. */
  readonly expensive?: boolean
}

function parameters (name: string, options: PropertyOptions): fc.Parameters<unknown> {
  const numRuns = Math.min(RUNS ?? options.runs, options.maxRuns ?? Infinity)
  return {
    numRuns,
    ...(SEED === undefined ? {} : { seed: SEED }),
    ...(PATH === undefined ? {} : { path: PATH }),
    endOnFailure: options.expensive === true && !LONG,
    reporter: (details) => {
      if (!details.failed) return
      const replay = `npm run fuzz -- --seed=${details.seed} --path ${details.counterexamplePath ?? ''} --property ${JSON.stringify(name)}`
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
      throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\n\nFailure: ${cause.slice(0, 4000)}\n\nReplay: ${replay}`)
    }
  }
}

/** A node:test test that checks one fast-check property (sync or async predicate). */
export function property<Ts extends [unknown, ...unknown[]]> (
  name: string,
  options: PropertyOptions,
  arbs: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (...args: Ts) => void | Promise<void>
): void {
  const skip = ONLY !== undefined && !name.includes(ONLY)
  test(`fuzz: ${name}`, { skip: skip ? `FUZZ_PROPERTY=${ONLY}` : false }, async () => {
    if (PATH !== undefined && ONLY === undefined) throw new Error('FUZZ_PATH replays one property: set FUZZ_PROPERTY (npm run fuzz -- --property NAME) too')
    const prop = fc.asyncProperty(...(arbs as unknown as [fc.Arbitrary<unknown>]), async (...args: unknown[]) => {
      await (predicate as (...a: unknown[]) => void | Promise<void>)(...args)
    })
    await fc.assert(prop, parameters(name, options))
  })
}
