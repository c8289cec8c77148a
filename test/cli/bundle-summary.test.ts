// The bundle's summary.txt and report.html: the summary of the logs it took,
// redacted before it is rendered (secrets planted in events, errors, fields
// and settings never appear), the report checked whole by the read-back
// scan but for a byte-identical uPlot script, and both within --max-size.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { TextScanner, scanReport } from '../../src/cli/bundle/scan'
import { readAssets } from '../../src/cli/report/assets'
import { BROWSER_TEST, open } from '../helpers/browser'
import { BEARER, KEY, PROXY_PW, fixture, holds, members, plantedLines, runBundleIn } from '../helpers/bundle'
import { summaryPlants } from '../helpers/bundle-summary'
import { tmpDir } from '../helpers/tmp'

async function plantedBundle (): Promise<Map<string, string>> {
  const f = fixture()
  fs.writeFileSync(f.log, [...plantedLines(), ...summaryPlants()].join('\n') + '\n')
  const r = await runBundleIn(['--config', f.config, '--out', f.out])
  assert.equal(r.status, 0, r.stderr)
  return members(r.archive as string)
}

test('bundle summary: summary.txt and report.html summarise the logs, with every planted secret masked', async () => {
  const m = await plantedBundle()
  const text = m.get('summary.txt')
  const html = m.get('report.html')
  assert.ok(text !== undefined && html !== undefined, [...m.keys()].join(', '))
  for (const [name, body] of [['summary.txt', text], ['report.html', html]] as const) {
    for (const secret of [KEY, PROXY_PW, BEARER]) assert.ok(!holds(body, secret), `${name} holds a planted secret`)
    assert.ok(!holds(body, KEY.slice(0, 12)), `${name} holds the head of a key cut by the summary (redacted after the cut, not before)`)
  }
  // The planted records are there, masked: the summary was made of them, not left empty.
  assert.match(text, /Log summary: 6 records/)
  assert.match(text, /failing: HTTP 401 via http:\/\/bob:\*\*\*\*@proxy\.example:3128/)
  assert.match(text, /host interference: Bearer \*\*\*\*/)
  assert.match(html, /collector rejected license Ab12\*\*\*\* event=collector_error|collector rejected license Ab12\*\*\*\*/)
  assert.match(html, /rejected Ab12\*\*\*\* through http:\/\/bob:\*\*\*\*@proxy/)
  const manifest = JSON.parse(m.get('manifest.json') as string)
  assert.deepEqual(manifest.errors, [])
  assert.deepEqual(manifest.members.slice(0, 6).map((x: { name: string }) => x.name), ['config.json', 'doctor.json', 'environment.json', 'summary.txt', 'report.html', 'logs/agent.log'])
  const report = JSON.parse(m.get('redaction-report.json') as string)
  assert.ok(report.masks_by_member.some((e: { member: string, masks: number }) => e.member === 'summary.txt+report.html' && e.masks >= 8), JSON.stringify(report.masks_by_member))
})

test('bundle summary: the read-back scan checks all of report.html but one exact copy of the shipped uPlot script', () => {
  const scanner = new TextScanner({ licenseKey: KEY })
  const script = readAssets().script
  const page = (data: string, s = script): string => `<!DOCTYPE html><html><body><p>${data}</p><script type="application/json">{"msg":"ok"}</script><script>${s}</script><script>var x = 1</script></body></html>`
  assert.deepEqual([...scanReport(scanner, 'report.html', page('nothing secret'), script)], [])
  // A secret anywhere outside the asset, as written or behind HTML or JSON escapes.
  assert.deepEqual([...scanReport(scanner, 'report.html', page(`key ${KEY}`), script)], ['license-key'])
  assert.deepEqual([...scanReport(scanner, 'report.html', page('password=&quot;hunter2hunter2&quot;'), script)], ['secret-field'])
  assert.deepEqual([...scanReport(scanner, 'report.html', page('{"password":"\\u003chunter2hunter2"}'), script)], ['secret-field'])
  assert.deepEqual([...scanReport(scanner, 'report.html', page('{"proxy":"http://bob:hunter2hunter2@p:1"}'), script)], ['url-password'])
  // After the script too; and a script that is not the shipped one is refused, and scanned.
  assert.deepEqual([...scanReport(scanner, 'report.html', page('x') + `<!-- ${KEY} -->`, script)], ['license-key'])
  const altered = script.replace('uPlot', `uPlot/*${KEY}*/`)
  assert.deepEqual([...scanReport(scanner, 'report.html', page('x', altered), script)].sort(), ['license-key', 'report-script'])
  assert.deepEqual([...scanReport(scanner, 'report.html', page('x') + `<script>${script}</script>`, script)], ['report-script'])
})

test('bundle summary: --max-size leaves report.html out when it is over its share, says so, and keeps the logs', async () => {
  const f = fixture()
  // 400 warnings of 200 characters: a report of well over 64 KB (a quarter of 256 KB) whatever uPlot's size.
  const stamp = new Date().toISOString().replace('T', ' ').replace('.', ',').replace('Z', '+0000')
  const warnings = Array.from({ length: 400 }, (_, i) => `${stamp} (321/main) oneapm.collector WARNING - slow ${i} ${'x'.repeat(200)}`)
  fs.writeFileSync(f.log, [...summaryPlants(), ...warnings].join('\n') + '\n')
  const r = await runBundleIn(['--config', f.config, '--out', f.out, '--max-size', '256KB'])
  assert.equal(r.status, 0, r.stderr)
  assert.ok(fs.statSync(r.archive as string).size <= 256 * 1024)
  const m = members(r.archive as string)
  assert.ok(m.has('summary.txt') && m.has('logs/agent.log'))
  assert.ok(!m.has('report.html'))
  const manifest = JSON.parse(m.get('manifest.json') as string)
  assert.deepEqual(manifest.errors.map((e: { path: string, code: string }) => `${e.path} ${e.code}`), ['report.html EMAXSIZE'])
  assert.match(manifest.errors[0].message, /over its share of --max-size \(65536 bytes\)/)
})

test('bundle summary: the bundle\'s report.html opens in chromium with no console error and no request', BROWSER_TEST, async (t) => {
  const m = await plantedBundle()
  const dir = tmpDir()
  const file = path.join(dir, 'report.html')
  fs.writeFileSync(file, m.get('report.html') as string)
  const { page, errors, foreign } = await open(t, file)
  const rows = await page.$$eval('#events tbody tr', (trs) => trs.length)
  assert.ok(rows >= 4, `events table rows: ${rows}`)
  const shown = await page.evaluate('document.body.innerText') as string
  for (const secret of [KEY, PROXY_PW, BEARER]) assert.ok(!holds(shown, secret), 'the page shows a planted secret')
  assert.deepEqual(errors, [])
  assert.deepEqual(foreign, [])
})
