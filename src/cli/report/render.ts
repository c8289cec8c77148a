// The offline HTML report: one self-contained file built from a Summary.
// Everything in a log is untrusted text. The static sections escape it for
// HTML; the charts and the events table read it from a JSON block whose `<`,
// `>`, `&` and U+2028/9 are \u-escaped, so no log content can close the
// script or start markup; the page's script puts it into the DOM as text.
// A strict CSP forbids any network access, so nothing leaves the laptop the
// report is opened on.

import type { EventRow, LevelName, Summary } from '../logs/model'
import { inlineSafe, type Assets } from './assets'
import { PAGE_SCRIPT } from './page'

export interface ReportMeta {
  /** When the report was made (epoch ms). */
  readonly generated: number
  /** oneapm-agent-log's version. */
  readonly version: string
  /** What was read: the config file or the files given. */
  readonly inputs: readonly string[]
}

export const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"

/** A message in the events table is cut here: 5,000 rows of 16 KB lines would make an 80 MB page. */
export const REPORT_MSG_MAX = 2000

const LEVELS: readonly LevelName[] = ['critical', 'error', 'warning', 'info', 'debug', 'trace']

/** Text for an HTML text node or a quoted attribute value. */
export function esc (value: unknown): string {
  const s = String(value)
  let out = ''
  let from = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const rep = c === 38 ? '&amp;' : c === 60 ? '&lt;' : c === 62 ? '&gt;' : c === 34 ? '&quot;' : c === 39 ? '&#39;' : undefined
    if (rep !== undefined) {
      out += s.slice(from, i) + rep
      from = i + 1
    }
  }
  return out + s.slice(from)
}

/** JSON that is safe as the text of a <script type="application/json">: no `<`, `>`, `&`, U+2028, U+2029 left bare. */
export function jsonForScript (value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, or an em dash for no time. */
export function fmtTime (ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return '—'
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
}

/** At most `max` UTF-16 units, not splitting a surrogate pair, with how much was left out. */
export function cut (s: string, max: number): string {
  if (s.length <= max) return s
  let end = max
  const c = s.charCodeAt(end - 1)
  if (c >= 0xd800 && c <= 0xdbff) end--
  return `${s.slice(0, end)}…[+${s.length - end} chars]`
}

function table (head: readonly string[], rows: ReadonlyArray<readonly unknown[]>, empty: string, cls = ''): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`
  return `<table${cls === '' ? '' : ` class="${cls}"`}><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((v) => `<td>${esc(v ?? '')}</td>`).join('')}</tr>`).join('') + '</tbody></table>'
}

function header (s: Summary, meta: ReportMeta): string {
  const range = Number.isFinite(s.since) || Number.isFinite(s.until) ? `${fmtTime(s.since)} to ${Number.isFinite(s.until) ? fmtTime(s.until) : 'now'}` : 'everything in the files'
  return `<header><h1>OneAPM agent log report</h1><dl>
<dt>Read</dt><dd>${esc(meta.inputs.join(', ') || '(none)')}</dd>
<dt>Range asked</dt><dd>${esc(range)}</dd>
<dt>Records</dt><dd>${esc(s.records)} from ${esc(fmtTime(s.first))} to ${esc(fmtTime(s.last))} (UTC)</dd>
<dt>Made</dt><dd>${esc(fmtTime(meta.generated))} UTC by oneapm-agent-log ${esc(meta.version)}</dd>
</dl></header>`
}

function findings (s: Summary): string {
  if (s.findings.length === 0) return '<section id="findings"><h2>Findings</h2><p class="empty">Nothing in this log points at a problem.</p></section>'
  return `<section id="findings"><h2>Findings</h2><ol>${s.findings.map((f) =>
    `<li><p class="cause">${esc(f.cause)}</p><p class="fix"><b>Fix:</b> ${esc(f.fix)}</p>` +
    `<p class="when">${esc(f.count)} time${f.count === 1 ? '' : 's'}, ${esc(fmtTime(f.first))} to ${esc(fmtTime(f.last))} <span class="id">${esc(f.id)}</span></p></li>`).join('')}</ol></section>`
}

function identity (s: Summary): string {
  return `<section id="identity"><h2>Processes</h2>${table(
    ['pid', 'version', 'node', 'platform', 'app', 'started', 'first record', 'last record', 'records'],
    s.processes.map((p) => [p.pid, p.version, p.node, p.platform, p.app, p.started === undefined ? '' : fmtTime(p.started), fmtTime(p.firstSeen), fmtTime(p.lastSeen), p.records]),
    'No process wrote to this log in the range.')}${s.otherProcessRecords > 0 ? `<p class="note">And ${esc(s.otherProcessRecords)} record${s.otherProcessRecords === 1 ? '' : 's'} of processes past the first ${esc(s.processes.length)}, not listed one by one.</p>` : ''}</section>`
}

function connectivity (s: Summary): string {
  const chart = s.connectivity.length === 0 ? '<p class="empty">No collector connection changes in the log.</p>' : '<div id="timeline-chart" class="chart"></div>'
  return `<section id="connectivity"><h2>Collector connectivity</h2>${chart}${table(
    ['time', 'pid', 'state', 'cause', 'failures', 'diagnosis', 'fix'],
    s.connectivity.map((c) => [fmtTime(c.time), c.pid, c.state, c.cause, c.state === 'failing' ? c.count : '', c.diagnosis?.cause, c.diagnosis?.fix]),
    '', 'changes')}<h3>Last HTTP status per request kind</h3>${table(
    ['request', 'status', 'time'],
    Object.entries(s.lastStatus).map(([kind, v]) => [kind, v.status, fmtTime(v.time)]),
    'No collector requests in the log.')}</section>`
}

function levels (s: Summary): string {
  const totals = LEVELS.map((l) => s.histogram.buckets.reduce((n, b) => n + (b.counts[l] ?? 0), 0))
  const chart = s.histogram.buckets.length === 0 ? '<p class="empty">No records.</p>' : '<div id="levels-chart" class="chart"></div>'
  const minutes = s.histogram.bucketMs / 60_000
  return `<section id="levels"><h2>Records per level</h2><p>Buckets of ${esc(minutes >= 1 ? `${minutes} min` : `${s.histogram.bucketMs / 1000} s`)}.</p>${chart}${table(
    LEVELS, [totals], '')}</section>`
}

function problems (s: Summary): string {
  return `<section id="errors"><h2>Top errors</h2>${table(
    ['kind', 'level', 'count', 'first', 'last', 'sample'],
    s.topErrors.map((e) => [e.kind, e.level, e.count, fmtTime(e.first), fmtTime(e.last), cut(e.sample, REPORT_MSG_MAX)]),
    'No errors.')}</section>
<section id="host"><h2>Interference, drops and rotations</h2>
<h3>Host interference</h3>${table(['time', 'pid', 'cause'], s.interference.map((i) => [fmtTime(i.time), i.pid, i.cause]), 'None.')}
<h3>Dropped records</h3>${table(['time', 'pid', 'reason', 'dropped'], s.drops.map((d) => [fmtTime(d.time), d.pid, d.reason, d.dropped]), 'None.')}
<h3>Rotations</h3>${table(['time', 'pid', 'reason'], s.rotations.map((r) => [fmtTime(r.time), r.pid, r.reason]), 'None.')}
</section>`
}

function events (): string {
  const select = (id: string, label: string, any: string): string =>
    `<label>${esc(label)} <select id="${id}"><option value="">${esc(any)}</option></select></label>`
  return `<section id="events-section"><h2>Events</h2>
<p>Warnings and above, and every record with an <code>event</code> field (newest kept).</p>
<form class="filters" id="filters">${select('f-level', 'level', 'any level')}${select('f-logger', 'logger', 'any logger')}${select('f-event', 'event', 'any event')}${select('f-pid', 'pid', 'any pid')}<label>message has <input id="f-text" type="search"></label><button id="f-reset" type="button">reset</button></form>
<p id="events-count"></p>
<noscript><p>The events table needs JavaScript; the summary above does not.</p></noscript>
<table id="events"><thead><tr><th>time (UTC)</th><th>level</th><th>logger</th><th>pid</th><th>event</th><th>message</th></tr></thead><tbody></tbody></table>
</section>`
}

function settings (s: Summary): string {
  return `<section id="settings"><h2>Settings</h2><p>From the latest <code>agent_start</code>, with where each came from.</p>${table(
    ['setting', 'value', 'source'], Object.entries(s.settings).map(([k, v]) => [k, v.value, v.source]), 'No agent_start record in the range.')}</section>`
}

function files (s: Summary): string {
  return `<section id="files"><h2>Files read</h2>${table(
    ['file', 'bytes', 'gzip', 'skipped', 'records', 'other lines', 'problem'],
    s.files.map((f) => [f.path, f.bytes, f.gzip ? 'yes' : '', f.skipped ? 'outside the range' : '', f.records, f.otherLines, f.problem]),
    'No files.')}</section>`
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;margin-top:2em}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;margin:.5em 0;width:100%}th,td{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere;white-space:pre-wrap}th{background:#f4f4f4}
td:first-child,#events td:nth-child(-n+5),.changes td:nth-child(-n+3){white-space:nowrap}
.empty{color:#777;font-style:italic}.chart{margin:1em 0}
#findings li{margin-bottom:1em}.cause{font-weight:600;margin:0}.fix,.when{margin:.2em 0}.id{color:#777;font-family:monospace}
.filters{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center}
tr.lv-critical td:nth-child(2){color:#7b1fa2;font-weight:700}tr.lv-error td:nth-child(2){color:#d32f2f;font-weight:700}
tr.lv-warning td:nth-child(2){color:#f57c00}`

/** The data the page's script reads: the summary (messages cut) and who made it. */
function pageData (s: Summary, meta: ReportMeta): unknown {
  const rows: EventRow[] = s.events.map((e) => ({ ...e, msg: cut(e.msg, REPORT_MSG_MAX) }))
  return { meta, summary: { ...s, events: rows } }
}

export function renderReport (s: Summary, meta: ReportMeta, assets: Assets): string {
  return `<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OneAPM agent log report</title>
<link rel="icon" href="data:,">
<style>${assets.css}</style>
<style>${STYLE}</style>
</head><body>
${header(s, meta)}
${findings(s)}
${identity(s)}
${connectivity(s)}
${levels(s)}
${problems(s)}
${events()}
${settings(s)}
${files(s)}
<footer><p>Charts drawn with uPlot ${esc(assets.version)} (MIT), inlined: this file loads nothing from the network.</p></footer>
<script type="application/json" id="report-data">${jsonForScript(pageData(s, meta))}</script>
<script>${assets.script}</script>
<script>${inlineSafe(PAGE_SCRIPT, 'script')}</script>
</body></html>
`
}
