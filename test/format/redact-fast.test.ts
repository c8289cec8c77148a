// The pre-filter of Redactor.text (mayHoldShape and its SHAPE_HINT words)
// may only skip the scan when the scan would change nothing: whatever the
// text, the filtered path and the full scan give the same output.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Redactor, SHAPE_HINT } from '../../src/format/redact'
import { scrub, scrubPem } from '../../src/format/scrub'

/** The words as first written, one alternative each: the grouped pattern must match exactly where this one does. */
const REFERENCE = /bearer|basic|token|digest|negotiate|ntlm|oauth|dpop|gnap|hoba|mutual|concealed|vapid|scram|aws4|apikey|eyj|private key/i
const WORDS = ['bearer', 'basic', 'token', 'digest', 'negotiate', 'ntlm', 'oauth', 'dpop', 'gnap', 'hoba', 'mutual', 'concealed',
  'vapid', 'scram', 'aws4', 'apikey', 'eyj', 'private key']

/** Any case of each letter. */
const anyCase = (s: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((ch, i) => up[i] === true ? ch.toUpperCase() : ch).join(''))
/** Words, their prefixes and near misses, in any case, between ordinary text and separators. */
const near = fc.constantFrom(...WORDS).chain((w) => fc.integer({ min: 1, max: w.length }).chain((n) => anyCase(w.slice(0, n))))
const filler = fc.constantFrom('a', 'b', 'e', 'r', ' ', '=', ':', '/', '@', '%', '<', '"', "'", '\\', '://', 'x=', 'id:', 'user:pw@', 'é', '\n', 'password', 'Authorization')
const text = fc.array(fc.oneof(near, filler, fc.string({ maxLength: 6 })), { maxLength: 16 }).map((ps) => ps.join(''))

test('the grouped SHAPE_HINT matches exactly where the word list does', () => {
  fc.assert(fc.property(text, (s) => {
    assert.equal(SHAPE_HINT.test(s), REFERENCE.test(s), s)
  }), { numRuns: 5000 })
  for (const w of WORDS) {
    assert.ok(SHAPE_HINT.test(`x ${w.toUpperCase()} y`), w)
    assert.equal(SHAPE_HINT.test(w.slice(0, -1)), REFERENCE.test(w.slice(0, -1)), w)
  }
})

test('property: Redactor.text with its pre-filter gives what the full scan gives', () => {
  const r = new Redactor({ extraNames: ['session_ref'] })
  const full = (s: string): string => scrub(scrubPem(s), false, (name) => r.isSecretKey(name))
  fc.assert(fc.property(text, (s) => {
    assert.equal(r.text(s), full(s), s)
  }), { numRuns: 5000 })
  // The messages of an instrumented request (bench/host/instrument.ts) take the pre-filter's short way.
  for (const s of ['request GET /api/users/5 hostrec#a:12345', 'segment External/127.0.0.1/collector took 1.25 ms hostrec#a:3']) {
    assert.equal(r.text(s), s)
    assert.equal(full(s), s)
  }
})

test('a name read from a long text is cached as a copy: the text it was sliced from is not kept alive', () => {
  // The pre-filter and the scan test the word before each `=`: a slice of the
  // message, which V8 keeps pointing into it (and into the string the message
  // was cut from). The name cache holds up to 4096 of them.
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const used = (): number => { gc(); gc(); return process.memoryUsage().heapUsed }
  const r = new Redactor({})
  const before = used()
  for (let i = 0; i < 40; i++) {
    const big = `field_number_${i}_long_name=1 ` + String.fromCharCode(97 + (i % 26)).repeat(2 * 1024 * 1024)
    r.text(big.slice(0, 1000))
    r.keyText(big.slice(0, 30))
  }
  assert.ok(used() - before < 16 * 1024 * 1024, `heap grew by ${Math.round((used() - before) / 1048576)} MB`)
})
