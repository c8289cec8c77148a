// The HTML report in a real browser: Debian's chromium driven by
// puppeteer-core through executablePath (never a browser download). The page
// must load with no console error and no request but its own file, draw both
// charts with one point per change and per bucket, narrow the events table
// with each filter, and keep hostile log text inert. Last, the same on a
// report the CLI made from a log the real library wrote.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import zlib from 'node:zlib'
import type { Page } from 'puppeteer-core'
import type { LevelName, Summary } from '../../src/cli/logs/model'
import { loadAssets } from '../../src/cli/report/assets'
import { renderReport } from '../../src/cli/report/render'
import { BROWSER_TEST, open } from '../helpers/browser'
import { cleanEnv } from '../helpers/child'
import { logFilesIn, outageScenario } from '../helpers/agent-logs'
import { tmpDir } from '../helpers/tmp'
import { HOSTILE, hostileSummary, ordinarySummary } from './report/fixtures'

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')
const LEVELS: readonly LevelName[] = ['critical', 'error', 'warning', 'info', 'debug', 'trace']

function writeReport (s: Summary): string {
  const file = path.join(tmpDir(), 'report.html')
  fs.writeFileSync(file, renderReport(s, { generated: Date.now(), version: '0.1.0', inputs: ['fixture'] }, loadAssets()))
  return file
}

interface Charts {
  timeline: { x: number, series: Array<{ label: string, values: number }> } | null
  levels: { x: number, series: Array<{ label: string, sum: number }> } | null
  /** Non-transparent pixels on each chart's canvas: it was drawn, not just created. */
  inked: { timeline: number, levels: number }
}

// Runs in the page (plain JavaScript: the tests compile without the DOM's types).
const CHARTS_PROBE = `(() => {
  const c = window.__report.charts
  const ink = (id) => {
    const canvas = document.querySelector('#' + id + ' canvas')
    if (canvas === null) return 0
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
    let n = 0
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++
    return n
  }
  const tl = c.timeline
  const lv = c.levels
  return {
    timeline: tl === null ? null : { x: tl.data[0].length, series: tl.series.slice(1).map((s, i) => ({ label: s.label, values: tl.data[i + 1].filter((v) => v !== null).length })) },
    levels: lv === null ? null : { x: lv.data[0].length, series: lv.series.slice(1).map((s, i) => ({ label: s.label, sum: lv.data[i + 1].reduce((a, v) => a + (v === null ? 0 : v), 0) })) },
    inked: { timeline: ink('timeline-chart'), levels: ink('levels-chart') }
  }
})()`

async function charts (page: Page): Promise<Charts> {
  return await page.evaluate(CHARTS_PROBE) as Charts
}

async function shownRows (page: Page): Promise<number> {
  return await page.$$eval('#events tbody tr:not([hidden])', (rows) => rows.length)
}

/** Charts drawn with one point per connectivity change and per histogram bucket, each series' values the summary's. */
async function checkCharts (page: Page, s: Summary): Promise<void> {
  const c = await charts(page)
  const pids = [...new Set([...s.connectivity].sort((a, b) => a.time - b.time).map((x) => x.pid))]
  assert.ok(c.timeline !== null, 'timeline chart')
  assert.equal(c.timeline.x, s.connectivity.length)
  assert.deepEqual(c.timeline.series, pids.map((pid) => ({ label: `pid ${pid}`, values: s.connectivity.filter((x) => x.pid === pid).length })))
  assert.ok(c.levels !== null, 'levels chart')
  assert.equal(c.levels.x, s.histogram.buckets.length)
  assert.deepEqual(c.levels.series, LEVELS.map((l) => ({ label: l, sum: s.histogram.buckets.reduce((n, b) => n + (b.counts[l] ?? 0), 0) })))
  assert.ok(c.inked.timeline > 500 && c.inked.levels > 500, `charts drawn: ${JSON.stringify(c.inked)}`)
}

async function screenshot (page: Page): Promise<void> {
  const png = path.join(tmpDir(), 'report.png')
  await page.screenshot({ path: png, fullPage: true })
  const bytes = fs.readFileSync(png)
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG')
  assert.ok(bytes.length > 30_000, `a real page, not a blank one: ${bytes.length} bytes`)
}

test('report: no console error, no request, both charts drawn with the right points, filters narrow the table, a screenshot', BROWSER_TEST, async (t) => {
  const s = ordinarySummary()
  const { page, errors, foreign } = await open(t, writeReport(s))
  await checkCharts(page, s)

  const count = (pred: (e: Summary['events'][number]) => boolean): number => s.events.filter(pred).length
  assert.equal(await shownRows(page), s.events.length)
  await page.select('#f-event', 'e:collector_recovered')
  assert.equal(await shownRows(page), 1)
  await page.select('#f-event', 'none')
  assert.equal(await shownRows(page), count((e) => e.event === undefined))
  await page.click('#f-reset')
  await page.select('#f-level', 'error')
  assert.equal(await shownRows(page), count((e) => e.level === 'error' || e.level === 'critical'))
  await page.select('#f-level', '')
  await page.select('#f-logger', 'oneapm.instrumentation.http')
  assert.equal(await shownRows(page), count((e) => e.name === 'oneapm.instrumentation.http'))
  await page.click('#f-reset')
  await page.select('#f-pid', '4243')
  const pidRows = count((e) => e.pid === 4243)
  assert.ok(pidRows > 0 && pidRows < s.events.length)
  assert.equal(await shownRows(page), pidRows)
  await page.select('#f-level', 'warning')
  await page.select('#f-event', 'e:collector_error')
  assert.equal(await shownRows(page), count((e) => e.pid === 4243 && e.event === 'collector_error'))
  assert.match(await page.$eval('#events-count', (el) => el.textContent ?? ''), new RegExp(`^${count((e) => e.pid === 4243 && e.event === 'collector_error')} of ${s.events.length} rows shown`))
  await page.click('#f-reset')
  await page.type('#f-text', 'BOOM 3')
  await page.keyboard.press('Enter') // the form never submits (that would be a navigation)
  assert.equal(await shownRows(page), 1)

  await screenshot(page)
  assert.deepEqual(errors, [])
  assert.deepEqual(foreign, [])
})

test('report: hostile log text stays text in the browser', BROWSER_TEST, async (t) => {
  const s = hostileSummary()
  const { page, errors, foreign } = await open(t, writeReport(s))
  const seen = await page.evaluate(`({
    pwned: window.__pwned,
    markup: document.querySelectorAll('img, svg, iframe, object, embed, frame').length,
    scripts: document.scripts.length,
    messages: [...document.querySelectorAll('#events tbody tr')].map((tr) => tr.children[5].textContent),
    loggers: [...document.getElementById('f-logger').options].map((o) => o.textContent),
    causes: [...document.querySelectorAll('#findings .cause')].map((p) => p.textContent)
  })`) as { pwned: unknown, markup: number, scripts: number, messages: string[], loggers: string[], causes: string[] }
  assert.equal(seen.pwned, undefined)
  assert.equal(seen.markup, 0)
  assert.equal(seen.scripts, 3)
  // The table shows each message exactly as it was, a lone surrogate too (the JSON carries it as \ud800).
  assert.deepEqual(seen.messages, s.events.map((e) => e.msg))
  assert.ok(HOSTILE.slice(0, 5).every((h) => seen.loggers.includes(`oneapm.${h}`)), JSON.stringify(seen.loggers))
  // The static sections are UTF-8 text: a lone surrogate there is U+FFFD.
  assert.deepEqual(seen.causes, s.findings.map((f) => f.cause.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/g, '\uFFFD')))
  await checkCharts(page, s)
  assert.deepEqual(errors, [])
  assert.deepEqual(foreign, [])
})

/** What the events table should hold, counted straight from the JSON lines: warnings and above, and records with an event. */
function eventRecords (files: readonly string[]): Array<{ level: string, event: string | undefined, pid: number }> {
  const rows: Array<{ level: string, event: string | undefined, pid: number }> = []
  for (const f of files) {
    const raw = fs.readFileSync(f)
    const text = (f.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8')
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue
      const r = JSON.parse(line) as { level: string, event?: string, pid: number }
      if (['warning', 'error', 'critical'].includes(r.level) || r.event !== undefined) rows.push({ level: r.level, event: r.event, pid: r.pid })
    }
  }
  return rows
}

test('report made by the CLI from a real log (JSON layout): no error, no request, charts match its summary, filters narrow it', BROWSER_TEST, async (t) => {
  const sc = outageScenario('json')
  const files = logFilesIn(sc.dir)
  const out = path.join(sc.dir, 'report.html')
  const made = spawnSync(process.execPath, [CLI, 'report', '--out', out, ...files], { encoding: 'utf8', env: cleanEnv(), timeout: 60_000 })
  assert.equal(made.status, 0, made.stderr)
  const { page, errors, foreign } = await open(t, out)
  const s = await page.evaluate('window.__report.data.summary') as Summary
  // The outage the scenario made is there: failing, then recovered, for its pid.
  assert.ok(s.connectivity.some((c) => c.pid === sc.pid && c.state === 'failing'), JSON.stringify(s.connectivity))
  assert.ok(s.connectivity.some((c) => c.pid === sc.pid && c.state === 'recovered'), JSON.stringify(s.connectivity))
  await checkCharts(page, s)
  // The histogram counts every record the files hold.
  const c = await charts(page)
  assert.equal(c.levels?.series.reduce((n, x) => n + x.sum, 0), s.records)

  const expected = eventRecords(files)
  assert.equal(s.eventsOmitted, 0)
  assert.equal(await shownRows(page), expected.length)
  await page.select('#f-event', 'e:collector_error')
  assert.equal(await shownRows(page), expected.filter((r) => r.event === 'collector_error').length)
  await page.select('#f-event', '')
  await page.select('#f-level', 'error')
  const errorRows = expected.filter((r) => r.level === 'error' || r.level === 'critical').length
  assert.ok(errorRows > 0 && errorRows < expected.length)
  assert.equal(await shownRows(page), errorRows)
  await page.select('#f-pid', String(sc.pid))
  assert.equal(await shownRows(page), errorRows)

  await screenshot(page)
  assert.deepEqual(errors, [])
  assert.deepEqual(foreign, [])
})
