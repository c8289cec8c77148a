// Promise 2: time linear in what is written, never in the size of what was
// passed. A huge BigInt (as a field, as a %s/%d argument, or alone) is turned
// into its full decimal text before the 16 KB cap applies: super-linear in
// its size. A 2 MB BigInt (16M bits) blocks the host's event loop for ~3.5 s
// to write a line of at most 16 KB.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runScript } from '../helpers/child'

const script = (call: string): string => `
  const log = lib.createLogger({ log_file: '/dev/null', log_level: 'info' }, { global: false })
  const time = (bits) => {
    const v = (1n << BigInt(bits)) - 1n
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < 50; i++) { ${call} }
    return Number(process.hrtime.bigint() - t0) / 50
  }
  time(1000) // warm up
  const small = Math.min(time(250000), time(250000))
  const big = Math.min(time(2000000), time(2000000))
  process.stdout.write(JSON.stringify({ small, big }))
`

for (const [name, call] of [
  ['as a field', "log.info({ id: v }, 'x')"],
  ['as a %s argument', "log.info('id %s', v)"],
  ['as a %d argument', "log.info('id %d', v)"],
  ['alone', 'log.info(v)']
] as const) {
  test(`a BigInt ${name}: 8x the bits costs about the same (only 16 KB is written)`, () => {
    const r = runScript(script(call), { timeout: 60_000 })
    assert.equal(r.status, 0, r.stderr)
    const { small, big } = JSON.parse(r.stdout) as { small: number, big: number }
    // Bounded work would be flat; linear in size would be 8x. Observed: 10-15x.
    assert.ok(big / small < 4, `8x the bits took ${(big / small).toFixed(1)}x the time (${(small / 1e6).toFixed(1)} ms -> ${(big / 1e6).toFixed(1)} ms)`)
  })
}
