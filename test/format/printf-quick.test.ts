// The compiled-template path of formatMessage (a cached template, plain
// arguments, a message that fits) must give exactly what the general path
// gives, for any template and arguments, at and around the length limit.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import v8 from 'node:v8'
import vm from 'node:vm'
import { MARGIN } from '../../src/format/cut'
import { formatMessage, slowMessage } from '../../src/format/printf'
import { ctx } from '../helpers/format'

const piece = fc.constantFrom('%s', '%d', '%i', '%f', '%j', '%o', '%O', '%c', '%%', '%', '%x', '%%s', 'a', 'b c', '=', ':', ' token=', 'é', '\n')
const template = fc.array(piece, { maxLength: 12 }).map((ps) => ps.join(''))
const arg = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', '42', ' 7x', '1e3', 'NaN', '0x1f', '-0', 'Bearer abc', 'é'.repeat(3)),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constantFrom(undefined, null, 10n, { a: 1 }, [1, 2], Symbol('s'))
)
// Long strings put the message right around the limit (maxString + MARGIN).
const long = fc.integer({ min: 0, max: 80 }).map((n) => 'L'.repeat(MARGIN + n - 40))

test('the compiled path gives what the general path gives, for any template and arguments', () => {
  const c = ctx({ maxLine: 1024 })
  fc.assert(fc.property(template, fc.array(fc.oneof(arg, long), { maxLength: 6 }), fc.integer({ min: 0, max: 1 }), (fmt, rest, from) => {
    const args = from === 0 ? [fmt, ...rest] : [{ k: 1 }, fmt, ...rest]
    // Twice: the first call compiles the template, the second uses the cache.
    assert.equal(formatMessage(args, from, c), slowMessage(args, from, c))
    assert.equal(formatMessage(args, from, c), slowMessage(args, from, c))
  }), { numRuns: 3000 })
})

test('the compiled path at the limit: one character more and the message is cut by the general path', () => {
  const c = ctx({ maxLine: 1024 })
  const limit = c.maxString + MARGIN
  for (const extra of [-1, 0, 1]) {
    const args = ['x%sy', 'z'.repeat(limit - 2 + extra)]
    assert.equal(formatMessage(args, 0, c), slowMessage(args, 0, c))
  }
  assert.equal(formatMessage(['x%sy', 'z'.repeat(limit - 2)], 0, c).length, limit)
  assert.match(formatMessage(['x%sy', 'z'.repeat(limit - 1)], 0, c), /…\[\+\d+ chars\]$/)
})

test('templates past the cache bound still format the same', () => {
  const c = ctx()
  for (let i = 0; i < 1100; i++) {
    const args = [`t${i} %s %d %%`, 'v', i]
    assert.equal(formatMessage(args, 0, c), `t${i} v ${i} %`)
  }
})

test('a cached template is a copy: a template sliced from a large string does not keep that string alive', () => {
  // Templates built from data (`log.info(body.slice(0, 100), x)`) are slices that
  // V8 keeps pointing into their parent; the cache holds up to 512 of them.
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const used = (): number => { gc(); gc(); return process.memoryUsage().heapUsed }
  const c = ctx()
  const before = used()
  for (let i = 0; i < 40; i++) {
    const big = String.fromCharCode(97 + (i % 26)).repeat(2 * 1024 * 1024) + `template ${i} of data: %s`
    formatMessage([big.slice(big.length - 40), 'v'], 0, c)
  }
  // 40 pinned parents would be 80 MB; the copies are a few KB.
  assert.ok(used() - before < 16 * 1024 * 1024, `heap grew by ${Math.round((used() - before) / 1048576)} MB`)
})
