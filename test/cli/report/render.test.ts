// The report's HTML, without a browser: self-contained, a strict CSP, and no
// log text that can close the data script or start markup.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import fc from 'fast-check'
import type { Summary } from '../../../src/cli/logs/model'
import { inlineSafe, loadAssets } from '../../../src/cli/report/assets'
import { CSP, REPORT_MSG_MAX, cut, esc, jsonForScript, renderReport } from '../../../src/cli/report/render'
import { HOSTILE, hostileSummary, ordinarySummary } from './fixtures'

const META = { generated: Date.UTC(2026, 10, 21, 12), version: '0.1.0', inputs: ['/var/log/app/oneapm_agent.log'] }

function render (s: Summary): string {
  return renderReport(s, META, loadAssets())
}

/** The page without uPlot's code and stylesheet and our own script: what the log's text could have touched. */
function dataPart (html: string): string {
  const start = html.indexOf('<script type="application/json"')
  const json = html.slice(html.indexOf('>', start) + 1, html.indexOf('</script>', start))
  return html.slice(0, start).replace(/<style>[^<]*<\/style>/g, '') + json
}

function embedded (html: string): { summary: Record<string, unknown>, meta: unknown } {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)
  assert.ok(m !== null, 'no data block')
  return JSON.parse(m[1] as string) as { summary: Record<string, unknown>, meta: unknown }
}

test('one self-contained file: CSP first, nothing loaded from anywhere, uPlot inlined', () => {
  const html = render(ordinarySummary())
  const head = html.slice(0, html.indexOf('</head>'))
  const csp = head.indexOf('http-equiv="Content-Security-Policy"')
  assert.ok(csp > 0 && csp < head.indexOf('<style') && csp < head.indexOf('<link'), 'the CSP meta comes before anything it governs')
  assert.ok(html.includes(`content="${esc(CSP)}"`))
  assert.equal(CSP, "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:")
  // Every src/href/url() in the page is data: (the favicon); uPlot comes inlined.
  for (const m of html.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]*)/gi)) assert.match(m[1] as string, /^data:/, m[0])
  assert.doesNotMatch(html, /url\(\s*["']?(?!data:)|@import|<link rel="stylesheet"|<script[^>]+src=/i)
  assert.equal(html.match(/<script\b/g)?.length, 3, 'the data, uPlot, the page script')
  assert.equal(html.match(/<\/script>/g)?.length, 3)
  const a = loadAssets()
  assert.ok(a.script.length > 20_000 && html.includes(a.script), 'uPlot inlined')
  assert.ok(a.script.includes('uPlot'))
  assert.equal(a.version, (JSON.parse(fs.readFileSync(require.resolve('uplot/package.json'), 'utf8')) as { version: string }).version)
})

test('hostile log text never becomes markup, and the data block gives it back unchanged', () => {
  const s = hostileSummary()
  const html = render(s)
  const part = dataPart(html)
  for (const h of HOSTILE.filter((x) => /[<\u2028]/.test(x))) assert.ok(!part.includes(h), `unescaped ${JSON.stringify(h)}`)
  // Every `<` of the log's text is &lt; (static sections) or \u003c (data).
  assert.doesNotMatch(part, /<(?:img|svg|iframe)\b|<script>window|<b>bold|<!--|\/title><iframe/i)
  const json = html.slice(html.indexOf('id="report-data">') + 17, html.indexOf('</script>', html.indexOf('id="report-data">')))
  // Nor a raw line or paragraph separator (a line break to pre-2019 JavaScript).
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/)
  const data = embedded(html)
  assert.deepEqual(data.meta, META)
  const events = data.summary.events as Array<{ msg: string, name: string, event: string }>
  assert.deepEqual(events.map((e) => e.msg), s.events.map((e) => e.msg))
  assert.deepEqual(events.map((e) => [e.name, e.event]), s.events.map((e) => [e.name, e.event]))
  assert.deepEqual(Object.keys(data.summary.settings as object), Object.keys(s.settings))
  // Escaped for HTML in the static sections: a finding's cause shows as text.
  assert.ok(html.includes(`<p class="cause">${esc(s.findings[0]?.cause)}</p>`))
})

test('jsonForScript: any string round-trips, and the block never holds < > & U+2028 U+2029', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: fc.constantFrom('<', '>', '&', '/', '!', '-', 's', 'c', 'r', 'i', 'p', 't', '\u2028', '\u2029', '"', '\\'), maxLength: 40 }), (a, b) => {
    const value = { a, b, ab: a + b }
    const text = jsonForScript(value)
    assert.doesNotMatch(text, /[<>&\u2028\u2029]/)
    assert.deepEqual(JSON.parse(text), value)
  }), { numRuns: 100 })
})

test('esc: no markup character left, and the entities decode back to the text', () => {
  const decode = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" } as Record<string, string>)[e] as string)
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", 'a', ';', '#', ' '), maxLength: 50 }), (s) => {
    const e = esc(s)
    assert.doesNotMatch(e, /[<>"']/)
    assert.equal(decode(e), s)
  }), { numRuns: 500 })
})

test('inlineSafe: a script or style cannot be closed early, and JavaScript keeps its meaning', () => {
  const cases = ['a</script>b', 'x</SCRIPT >', '<!-- c', '<script>', 'a<b', '</style><!--', 'İ</script>']
  for (const c of cases) {
    const js = inlineSafe(JSON.stringify(c), 'script')
    assert.doesNotMatch(js, /<\/script|<!--|<script/i)
    assert.equal(eval(js), c) // eslint-disable-line no-eval
    const re = inlineSafe(`/${c.replace(/[/\\]/g, '\\$&')}/`, 'script')
    assert.ok((eval(re) as RegExp).test(c), re) // eslint-disable-line no-eval
  }
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom('<', '/', '!', '-', 's', 'S', 'c', 'r', 'i', 'p', 't', 'y', 'l', 'e', '>'), maxLength: 40 }), (s) => {
    const js = inlineSafe(JSON.stringify(s), 'script')
    assert.doesNotMatch(js, /<\/script|<!--|<script/i)
    assert.equal(eval(js), s) // eslint-disable-line no-eval
    assert.doesNotMatch(inlineSafe(s, 'style'), /<\/style|<!--|<script/i)
  }), { numRuns: 500 })
  assert.doesNotMatch(loadAssets().script, /<\/script|<!--|<script/i)
  assert.doesNotMatch(loadAssets().css, /<\/style|<!--/i)
})

test('long messages are cut in the report, at a character boundary, saying how much', () => {
  const s = ordinarySummary()
  const long = 'x'.repeat(REPORT_MSG_MAX - 1) + '\u{1F4A9}' + 'y'.repeat(100_000)
  const html = render({ ...s, events: s.events.map((e) => ({ ...e, msg: long })) })
  const events = embedded(html).summary.events as Array<{ msg: string }>
  for (const e of events) {
    assert.equal(e.msg, `${'x'.repeat(REPORT_MSG_MAX - 1)}…[+${long.length - REPORT_MSG_MAX + 1} chars]`)
  }
  assert.ok(html.length < 400_000 + s.events.length * (REPORT_MSG_MAX + 100), `${html.length}`)
  assert.equal(cut('abc', 3), 'abc')
  assert.equal(cut('abcd', 3), 'abc…[+1 chars]')
})

test('an empty summary (nothing in range) renders without charts and says so', () => {
  const s: Summary = {
    ...ordinarySummary(),
    files: [],
    since: Number.NaN,
    until: Number.NaN,
    first: Number.NaN,
    last: Number.NaN,
    records: 0,
    processes: [],
    settings: {},
    connectivity: [],
    lastStatus: {},
    histogram: { bucketMs: 60_000, buckets: [] },
    topErrors: [],
    interference: [],
    drops: [],
    rotations: [],
    findings: [],
    events: []
  }
  const html = render(s)
  assert.ok(!html.includes('id="timeline-chart"') && !html.includes('id="levels-chart"'))
  assert.match(html, /No collector connection changes in the log/)
  assert.match(html, /Nothing in this log points at a problem/)
  assert.equal((embedded(html).summary as { first: unknown }).first, null)
})
