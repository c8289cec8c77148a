import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { parseOtlpHeaders, resolveOtlpEndpoint, resolveOtlpUrl } from '../../../src/ship/otlp/endpoint'

const url = (spec: string, env: Record<string, string> = {}): string | undefined => {
  const r = resolveOtlpUrl(spec, env)
  return r.ok ? r.value.url : undefined
}
const problem = (spec: unknown, headers?: unknown, env: Record<string, string> = {}): string => {
  const r = resolveOtlpEndpoint(spec, headers, env)
  assert.equal(r.ok, false, `expected a problem for ${String(spec)}`)
  return r.ok ? '' : r.problem
}

test('otlp+http(s) URLs: port 4318 and path /v1/logs by default, a given path used as is', () => {
  assert.equal(url('otlp+http://collector:4318'), 'http://collector:4318/v1/logs')
  assert.equal(url('otlp+http://collector'), 'http://collector:4318/v1/logs')
  assert.equal(url('OTLP+HTTPS://collector.example:443/'), 'https://collector.example:443/v1/logs')
  assert.equal(url('otlp+https://gw:8443/otlp/v1/logs?tenant=7'), 'https://gw:8443/otlp/v1/logs?tenant=7')
  assert.equal(url(' otlp+http://[::1]:4318 '), 'http://[::1]:4318/v1/logs')
  assert.equal(url('otlp+http://10.0.0.5:4318#frag'), 'http://10.0.0.5:4318/v1/logs')
})

test('bare otlp: OTEL_EXPORTER_OTLP_LOGS_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/logs, else localhost:4318', () => {
  assert.equal(url('otlp', { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://a:1234/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4318' }), 'http://a:1234/custom')
  assert.equal(url('otlp', { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://a:1234' }), 'http://a:1234/')
  assert.equal(url('otlp', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4318' }), 'http://b:4318/v1/logs')
  assert.equal(url('otlp', { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://b/prefix/' }), 'https://b:443/prefix/v1/logs')
  assert.equal(url('otlp', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b/prefix' }), 'http://b:80/prefix/v1/logs')
  assert.equal(url('otlp', { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '  ' }), 'http://localhost:4318/v1/logs')
  const r = resolveOtlpUrl('otlp', {})
  assert.ok(r.ok && r.value.source === 'default')
  assert.match(problem('otlp', undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://b:4317' }), /OTEL_EXPORTER_OTLP_ENDPOINT: the URL must start with http:\/\/ or https:\/\//)
})

test('bad destinations are problems naming what is wrong and what is accepted', () => {
  assert.match(problem('otlp+grpc://c:4317'), /unknown scheme "otlp\+grpc".*accepted: otlp\+http:\/\/host:4318/)
  assert.match(problem('collector:4318'), /unknown scheme none/)
  assert.match(problem('otlp+http://c:99999'), /bad port "99999" \(a number from 1 to 65535\)/)
  assert.match(problem('otlp+http://c:0'), /bad port "0"/)
  assert.match(problem('otlp+http://c:43a8'), /bad port "43a8"/)
  assert.match(problem('otlp+http://c:'), /bad port ""/)
  assert.match(problem('otlp+http://:4318'), /missing host/)
  assert.match(problem('otlp+http:///v1/logs'), /missing host/)
  assert.match(problem('otlp+http://[]:1'), /missing host/)
  assert.match(problem('otlp+http://[::1'), /closing \]/)
  assert.match(problem('otlp+http://bad host'), /bad character in host/)
  assert.match(problem('otlp+http://c/v1 logs'), /visible ASCII only/)
  assert.match(problem(42), /must be text/)
})

test('credentials in the URL are refused and not echoed', () => {
  const p = problem('otlp+https://admin:hunter2secret@c:4318')
  assert.match(p, /user:password@ in the URL is not accepted/)
  assert.ok(!p.includes('hunter2secret'))
})

test('headers: k=v pairs, percent-decoded, names lower-cased; log_ship_headers over LOGS_HEADERS over HEADERS', () => {
  const r = resolveOtlpEndpoint('otlp+http://c:4318', 'Authorization=Bearer%20tok-A,x-extra = 1 ,', {
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=from-generic,x-generic=g,x-both=generic',
    OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-both=logs'
  })
  assert.ok(r.ok)
  assert.deepEqual({ ...r.value.headers }, { authorization: 'Bearer tok-A', 'x-generic': 'g', 'x-both': 'logs', 'x-extra': '1' })
  assert.equal(r.value.target, 'otlp+http://c:4318/v1/logs [headers: authorization, x-generic, x-both, x-extra; values hidden]')
  const none = parseOtlpHeaders('', 'log_ship_headers')
  assert.ok(none.ok && Object.keys(none.value).length === 0)
})

test('bad headers are problems that name the header (or its position), never its value', () => {
  const secret = 'sk-live-0123456789abcdef'
  const cases: Array<[string, RegExp]> = [
    [`${secret}`, /entry 1 has no "="/],
    [`a=1,${secret}`, /entry 2 has no "="/],
    [`=${secret}`, /entry 1 has no name/],
    [`bad name=${secret}`, /entry 1 has a bad header name/],
    [`x-key=${secret}%0d%0aX-Evil: 1`, /header x-key holds a CR or LF/],
    [`x-key=${secret}%00`, /header x-key holds a control character/],
    [`x-key=${secret}%E2%82%AC`, /header x-key holds characters beyond Latin-1/],
    [`x-key=${secret}%zz`, /header x-key has a malformed percent-encoding/],
    [`content-type=${secret}`, /header content-type is set by the OTLP transport itself/]
  ]
  for (const [input, expected] of cases) {
    const p = problem('otlp+http://c:4318', input)
    assert.match(p, expected)
    assert.match(p, /^log_ship_headers: /)
    assert.ok(!p.includes(secret.slice(4)), p)
  }
  assert.match(problem('otlp', undefined, { OTEL_EXPORTER_OTLP_HEADERS: 'broken' }), /^OTEL_EXPORTER_OTLP_HEADERS: entry 1 has no "="/)
})

test('a query (some vendors put a key there) is masked in the target', () => {
  const r = resolveOtlpEndpoint('otlp+https://ingest:443/v1/logs?api-key=sekrit123', undefined, {})
  assert.ok(r.ok)
  assert.equal(r.value.target, 'otlp+https://ingest:443/v1/logs?****')
  assert.equal(r.value.url, 'https://ingest:443/v1/logs?api-key=sekrit123')
})

test('OTEL timeout and protocol: used when valid, a note when not', () => {
  const r = resolveOtlpEndpoint('otlp', undefined, { OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '2500' })
  assert.ok(r.ok && r.value.timeoutMs === 2500 && r.value.notes.length === 0)
  const bad = resolveOtlpEndpoint('otlp', undefined, { OTEL_EXPORTER_OTLP_TIMEOUT: '10s', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })
  assert.ok(bad.ok && bad.value.timeoutMs === undefined)
  assert.equal(bad.value.notes.length, 2)
  assert.match(bad.value.notes[0] ?? '', /OTEL_EXPORTER_OTLP_TIMEOUT="10s" ignored/)
  assert.match(bad.value.notes[1] ?? '', /http\/json only/)
})

test('fast-check: any destination, header string and env never throw, and never echo a header value', () => {
  const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }),
    fc.constantFrom('otlp', 'otlp+http://', 'otlp+https://[', 'otlp+http://h:', 'otlp+http://h:4318/x?y#z', 'otlp+http://a@b'))
  const prefix = fc.constantFrom('', 'otlp+http://', 'otlp+https://', 'otlp+http://h:')
  fc.assert(fc.property(fc.tuple(prefix, text).map(([p, t]) => p + t), fc.option(fc.string({ maxLength: 60 })), fc.dictionary(
    fc.constantFrom('OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_LOGS_HEADERS', 'OTEL_EXPORTER_OTLP_TIMEOUT'),
    fc.string({ maxLength: 40 })
  ), (spec, headers, env) => {
    const secret = 'S3cr3tValue'
    const withSecret = `x-k=${secret}${headers ?? ''}`
    const r = resolveOtlpEndpoint(spec, withSecret, env)
    const shown = r.ok ? r.value.target + r.value.notes.join('') : r.problem
    assert.ok(!shown.includes(secret), shown)
  }), { numRuns: 2000 })
  for (const odd of [undefined, null, {}, [], Symbol('s'), 1n]) {
    assert.doesNotThrow(() => resolveOtlpEndpoint(odd, odd, {}))
  }
})

test('resolution is linear: a 1 MB destination or header string costs no more than 64 × 8 × a 16 KB one', () => {
  const time = (n: number): number => {
    const spec = 'otlp+http://' + 'h'.repeat(n)
    const headers = 'a=b,'.repeat(n / 4)
    let best = Infinity
    // Five tries, the best counts: a GC of the large strings in one try is noise, not growth.
    for (let k = 0; k < 5; k++) {
      const t = process.hrtime.bigint()
      resolveOtlpEndpoint(spec, headers, {})
      best = Math.min(best, Number(process.hrtime.bigint() - t))
    }
    return best
  }
  time(16 * 1024)
  time(1024 * 1024)
  const ratio = time(1024 * 1024) / time(16 * 1024)
  assert.ok(ratio < 64 * 8, `${ratio}`)
})
