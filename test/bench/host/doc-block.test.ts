import assert from 'node:assert/strict'
import test from 'node:test'
import fc from 'fast-check'
import { hostBlock, keepHostBlock, withHostBlock, wrapHost } from '../../../bench/host/doc-block'

const BENCH = '# Benchmarks\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'

test('doc block: bench:host adds its section to a bench report and keeps the report', () => {
  const doc = withHostBlock(BENCH, wrapHost('## Host-level\n\nfirst'))
  assert.ok(doc.startsWith(BENCH.trimEnd()))
  assert.equal(hostBlock(doc), wrapHost('## Host-level\n\nfirst'))
})

test('doc block: a second bench:host run replaces its section only', () => {
  const once = withHostBlock(BENCH + '\n## Tail\n', wrapHost('first'))
  const twice = withHostBlock(once, wrapHost('second'))
  assert.equal(twice, once.replace('first', 'second'))
  assert.equal(twice.split('bench:host start').length, 2)
})

test('doc block: npm run bench rewriting the file keeps the host section, and nothing of its old report', () => {
  const previous = withHostBlock('# Benchmarks\n\nold numbers\n', wrapHost('host numbers'))
  const fresh = keepHostBlock('# Benchmarks\n\nnew numbers\n', previous)
  assert.ok(fresh.includes('new numbers'))
  assert.ok(!fresh.includes('old numbers'))
  assert.equal(hostBlock(fresh), wrapHost('host numbers'))
  // No file yet, or one without a host section: the fresh report as it is.
  assert.equal(keepHostBlock(BENCH, undefined), BENCH)
  assert.equal(keepHostBlock(BENCH, 'no markers'), BENCH)
})

test('doc block: either order of the two writers leaves both sections, whatever they hold', () => {
  const text = fc.string().filter((s) => !s.includes('<!--'))
  fc.assert(fc.property(text, text, text, (report, host1, host2) => {
    const a = withHostBlock(keepHostBlock(report, withHostBlock('', wrapHost(host1))), wrapHost(host2))
    assert.equal(hostBlock(a), wrapHost(host2))
    assert.ok(a.startsWith(report.trimEnd()))
    const b = keepHostBlock(report, a)
    assert.equal(hostBlock(b), wrapHost(host2))
  }))
})
