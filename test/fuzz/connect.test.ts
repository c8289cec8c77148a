// Fuzz: diagnose() answers for any evidence (hostile objects, wrong types,
// huge strings) without throwing, with a known cause and a bounded text; and
// doctor --connect's --timeout parser either accepts a value within its range
// (the one the text means) or raises a usage error, never anything else.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { UsageError } from '../../src/cli/args'
import { CAUSE_IDS, diagnose, type CauseId } from '../../src/cli/causes'
import { CONNECT_TIMEOUT, parseTimeout } from '../../src/cli/connect/command'
import { property } from './harness'
import { build, nastyString, spec, type Spec } from './values'

const IDS: readonly CauseId[] = CAUSE_IDS
const FIELDS = ['code', 'status', 'step', 'requestKind', 'host', 'proxy', 'issuer', 'subject', 'license', 'interference', 'path']
const plausible = fc.oneof(
  fc.constantFrom('ENOTFOUND', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED',
    'ENOSPC', 'EACCES', 'ONEAPM_NO_HOST', 'dns', 'tcp', 'proxy', 'tls', 'http', 'config', 'preconnect', 'collector.oneapm.com:443'),
  fc.integer({ min: -1, max: 1000 }),
  nastyString
)
// Specs, built in the predicate: a live hostile value (a revoked proxy) breaks fast-check's own bookkeeping.
type EvidenceSpec = { readonly whole: Spec } | { readonly fields: ReadonlyArray<readonly [string, { readonly plain: unknown } | { readonly spec: Spec }]> }
const evidence: fc.Arbitrary<EvidenceSpec> = fc.oneof(
  spec.map((whole) => ({ whole })),
  fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.oneof(plausible.map((plain) => ({ plain })), spec.map((s) => ({ spec: s })))), { maxLength: 8 }).map((fields) => ({ fields }))
)

function buildEvidence (e: EvidenceSpec): unknown {
  if ('whole' in e) return build(e.whole)
  return Object.fromEntries(e.fields.map(([k, v]) => [k, 'spec' in v ? build(v.spec) : v.plain]))
}

property('diagnose never throws and always names a known cause', { runs: 300 }, [evidence], (e) => {
  const d = diagnose(buildEvidence(e) as never)
  assert.ok(IDS.includes(d.id), d.id)
  assert.equal(typeof d.cause, 'string')
  assert.equal(typeof d.fix, 'string')
  assert.ok(d.cause.length > 0 && d.fix.length > 0)
  // Bounded whatever it was handed: each quoted field is capped.
  assert.ok(d.cause.length + d.fix.length < 8 * 1024, `${d.cause.length + d.fix.length} chars`)
})

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, '': 1000 }

property('--timeout: a usable duration in range, or a usage error', { runs: 300 }, [fc.oneof(
  nastyString,
  fc.tuple(fc.integer({ min: 0, max: 400_000 }), fc.constantFrom(...Object.keys(UNITS)), fc.constantFrom('', ' ', '  ')).map(([n, u, sp]) => `${n}${sp}${u}`)
)], (given) => {
  let ms: number
  try {
    ms = parseTimeout(given)
  } catch (err) {
    assert.ok(err instanceof UsageError, `not a usage error: ${String(err)}`)
    assert.match(err.message, /^--timeout .* is not usable: give a duration from 100 ms to 300 s/s)
    return
  }
  assert.ok(Number.isInteger(ms) && ms >= CONNECT_TIMEOUT.minMs && ms <= CONNECT_TIMEOUT.maxMs, String(ms))
  const m = /^(\d+)\s*(ms|s|m|h)?$/.exec(given.trim())
  if (m !== null) assert.equal(ms, Number(m[1]) * (UNITS[m[2] ?? ''] ?? NaN))
})
