import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkOnly, covers, formatControl, parseControl, type SessionSpec } from '../../../src/logger/session/control'

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5)
const SPEC: SessionSpec = { id: 'ds-1', level: 'debug', only: ['collector'], started: NOW, expires: NOW + 600_000, maxSize: 16 * 1024 * 1024, reason: 'case 1', source: 'cli', state: 'active' }

function withField (k: string, v: unknown): string {
  const o = JSON.parse(formatControl(SPEC)) as Record<string, unknown>
  o[k] = v
  return JSON.stringify(o)
}

test('a control file round-trips', () => {
  const p = parseControl(formatControl(SPEC), NOW)
  assert.deepEqual(p, { ok: true, value: SPEC })
})

test('hostile fields are refused whole, with a reason', () => {
  const cases: Array<[string, unknown]> = [
    ['id', 'a\nb'], ['id', '\u001b[31mred'], ['id', 'x'.repeat(65)], ['id', 7],
    ['level', 'off'], ['level', 'info'], ['level', ['debug']],
    ['only', Array.from({ length: 1000 }, (_, i) => `c${i}`)], ['only', 'collector'], ['only', ['a b']], ['only', [1]],
    ['expires', new Date(NOW + 10 * 365 * 86400_000).toISOString()], ['expires', 'soon'], ['expires', NOW + 1000],
    ['started', new Date(NOW + 3600_000).toISOString()],
    ['max_size', 1], ['max_size', 2 ** 40], ['max_size', '16MB'],
    ['reason', 'a\u0007b'], ['reason', 'x'.repeat(801)],
    ['source', 'api'], ['state', 'paused'], ['version', 2]
  ]
  for (const [k, v] of cases) {
    const p = parseControl(withField(k, v), NOW)
    assert.equal(p.ok, false, `${k}=${JSON.stringify(v).slice(0, 40)}`)
  }
  for (const text of ['', 'null', '[]', '"x"', '{', '{"version":1}']) assert.equal(parseControl(text, NOW).ok, false, text)
})

test('covers: a prefix covers itself and below, never a sibling that shares its letters', () => {
  assert.ok(covers(['collector'], 'oneapm.collector'))
  assert.ok(covers(['collector'], 'oneapm.collector.http'))
  assert.ok(!covers(['collector'], 'oneapm.collectorx'))
  assert.ok(!covers(['collector'], 'oneapm.instrumentation'))
  assert.ok(!covers(['collector'], 'oneapm'))
  assert.ok(covers([], 'oneapm.anything'))
  assert.deepEqual(checkOnly('oneapm.collector, instrumentation.http'), { ok: true, value: ['collector', 'instrumentation.http'] })
  assert.deepEqual(checkOnly('oneapm'), { ok: true, value: [] })
})
