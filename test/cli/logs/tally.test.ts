// The order-independent part of a summary (tally.ts): tallies of consecutive
// parts of a record stream merge to exactly the tally of the whole, also when
// the histogram's buckets have to coarsen (more than 20,000 distinct minutes,
// hours, ...), whatever the split points and the order of times in the stream.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { LevelName } from '../../../src/cli/logs/model'
import { Tally, type TallyPart } from '../../../src/cli/logs/tally'

const LEVELS: readonly LevelName[] = ['critical', 'error', 'warning', 'info', 'debug', 'trace']
const T0 = Date.UTC(2026, 0, 1)

/** The part with its buckets in key order (the map's insertion order differs between the two and means nothing). */
function canonical (p: TallyPart): unknown {
  const rows: number[][] = []
  for (let i = 0; i < p.counts.length; i += 7) rows.push(p.counts.slice(i, i + 7) as number[])
  rows.sort((a, b) => (a[0] as number) - (b[0] as number))
  return { ...p, counts: rows }
}

interface Rec { t: number, level: LevelName, pid: number }

/** `n` records spread over `spreadMinutes` minutes, from a small PRNG (mulberry32) seeded with `seed`. */
function records (seed: number, n: number, spreadMinutes: number): Rec[] {
  let x = seed | 0
  const next = (): number => {
    x = (x + 0x6d2b79f5) | 0
    let t = Math.imul(x ^ (x >>> 15), 1 | x)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return Array.from({ length: n }, () => ({ t: T0 + Math.floor(next() * spreadMinutes * 60_000), level: LEVELS[Math.floor(next() * 6)] as LevelName, pid: 10 + Math.floor(next() * 4) }))
}

test('tallies of parts merge to the tally of the whole, with and without coarsened buckets', () => {
  fc.assert(fc.property(fc.integer(), fc.constantFrom(500, 100_000, 3_000_000), fc.array(fc.nat(1000), { maxLength: 6 }), (seed, spread, cuts) => {
    // Enough records for 20,000+ distinct minutes (and hours) when spread wide.
    const recs = records(seed, spread > 20_000 ? 30_000 : 2000, spread)
    const whole = new Tally()
    for (const r of recs) whole.add(r.t, r.level, r.pid)
    const at = [...new Set(cuts.map((c) => Math.floor(c * recs.length / 1000)))].sort((a, b) => a - b)
    const merged = new Tally()
    let from = 0
    for (const to of [...at, recs.length]) {
      const part = new Tally()
      for (const r of recs.slice(from, to)) part.add(r.t, r.level, r.pid)
      merged.merge(part.part())
      from = to
    }
    assert.deepEqual(canonical(merged.part()), canonical(whole.part()))
    if (spread > 20_000) assert.ok(whole.bucketMs > 60_000, 'buckets coarsened')
  }), { numRuns: 25 })
})

test('the coarsened buckets do not depend on the order of the records', () => {
  const recs = records(7, 30_000, 3_000_000)
  const a = new Tally()
  for (const r of recs) a.add(r.t, r.level, r.pid)
  const b = new Tally()
  for (const r of [...recs].reverse()) b.add(r.t, r.level, r.pid)
  const pa = canonical(a.part()) as { bucketMs: number, counts: unknown }
  const pb = canonical(b.part()) as { bucketMs: number, counts: unknown }
  assert.equal(pa.bucketMs, pb.bucketMs)
  assert.deepEqual(pa.counts, pb.counts)
})
