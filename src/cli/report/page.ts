// The report's own browser script: draws the two charts with uPlot and builds
// the filterable events table from the embedded JSON. It is plain ES2017 in a
// string because it runs in the browser, not in Node. It never puts log text
// into HTML: every value goes in through textContent or new Option(), so a
// message like `<img src=x onerror=...>` shows as text.

export const PAGE_SCRIPT = String.raw`(function () {
  'use strict'
  var LEVELS = ['critical', 'error', 'warning', 'info', 'debug', 'trace']
  var COLORS = { critical: '#7b1fa2', error: '#d32f2f', warning: '#f57c00', info: '#1976d2', debug: '#607d8b', trace: '#9e9e9e' }
  var PID_COLORS = ['#1976d2', '#388e3c', '#f57c00', '#7b1fa2', '#00838f', '#c2185b', '#5d4037', '#455a64']
  var data = JSON.parse(document.getElementById('report-data').textContent)
  var summary = data.summary
  var charts = { timeline: null, levels: null }
  window.__report = { charts: charts, data: data }

  function pad (n, w) { var s = String(n); while (s.length < w) s = '0' + s; return s }
  function fmtTime (ms) {
    if (typeof ms !== 'number' || !isFinite(ms) || Math.abs(ms) > 8.64e15) return '\u2014'
    var d = new Date(ms)
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1, 2) + '-' + pad(d.getUTCDate(), 2) + ' ' +
      pad(d.getUTCHours(), 2) + ':' + pad(d.getUTCMinutes(), 2) + ':' + pad(d.getUTCSeconds(), 2) + '.' + pad(d.getUTCMilliseconds(), 3)
  }
  function width (el) { return Math.max(480, el.clientWidth || 0) }
  function utc (ts) { return uPlot.tzDate(new Date(ts), 'Etc/UTC') }

  function timelineChart () {
    var el = document.getElementById('timeline-chart')
    var changes = (summary.connectivity || []).slice().sort(function (a, b) { return a.time - b.time })
    if (changes.length === 0) return null
    var pids = []
    changes.forEach(function (c) { if (pids.indexOf(c.pid) < 0) pids.push(c.pid) })
    var xs = changes.map(function (c) { return c.time })
    var series = [{ label: 'time (UTC)', value: function (u, v) { return v == null ? '' : fmtTime(v) } }]
    var cols = [xs]
    pids.forEach(function (pid, k) {
      cols.push(changes.map(function (c) { return c.pid === pid ? (c.state === 'failing' ? 0 : 1) : null }))
      series.push({
        label: 'pid ' + pid,
        stroke: PID_COLORS[k % PID_COLORS.length],
        width: 2,
        spanGaps: true,
        paths: uPlot.paths.stepped({ align: 1 }),
        points: { show: true, size: 7 },
        value: function (u, v) { return v == null ? '' : (v === 0 ? 'failing' : 'up') }
      })
    })
    return new uPlot({
      width: width(el), height: 180, ms: 1, tzDate: utc,
      series: series,
      scales: { y: { range: [-0.2, 1.2] } },
      axes: [{}, { splits: [0, 1], values: function (u, vals) { return vals.map(function (v) { return v === 0 ? 'failing' : v === 1 ? 'up' : '' }) }, size: 60 }]
    }, cols, el)
  }

  function levelsChart () {
    var el = document.getElementById('levels-chart')
    var buckets = (summary.histogram && summary.histogram.buckets) || []
    if (buckets.length === 0) return null
    var cols = [buckets.map(function (b) { return b.start })]
    var series = [{ label: 'bucket start (UTC)', value: function (u, v) { return v == null ? '' : fmtTime(v) } }]
    LEVELS.forEach(function (level) {
      cols.push(buckets.map(function (b) { return (b.counts && b.counts[level]) || 0 }))
      series.push({ label: level, stroke: COLORS[level], width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: buckets.length < 200 } })
    })
    var bucketMs = summary.histogram.bucketMs || 60000
    return new uPlot({
      width: width(el), height: 240, ms: 1, tzDate: utc, series: series, axes: [{}, { size: 60 }],
      scales: {
        // The last bucket is as wide as the others (and a single one is not a point); counts start at zero.
        x: { time: true, range: function (u, min, max) { return [min, max + bucketMs] } },
        y: { range: function (u, min, max) { return [0, max > 0 ? Math.ceil(max * 1.1) : 1] } }
      }
    }, cols, el)
  }

  function eventsTable () {
    var rows = summary.events || []
    var tbody = document.querySelector('#events tbody')
    var count = document.getElementById('events-count')
    var f = {
      level: document.getElementById('f-level'),
      logger: document.getElementById('f-logger'),
      event: document.getElementById('f-event'),
      pid: document.getElementById('f-pid'),
      text: document.getElementById('f-text')
    }
    function distinct (pick) {
      var seen = {}
      var out = []
      rows.forEach(function (r) { var v = pick(r); var k = typeof v + ':' + v; if (!seen[k]) { seen[k] = true; out.push(v) } })
      return out.sort(function (a, b) { return a < b ? -1 : a > b ? 1 : 0 })
    }
    LEVELS.forEach(function (l, i) { f.level.add(new Option(i === 0 ? 'critical' : l + ' and above', l)) })
    distinct(function (r) { return r.name }).forEach(function (n) { f.logger.add(new Option(n, n)) })
    distinct(function (r) { return r.event == null ? '' : r.event }).forEach(function (e) { f.event.add(new Option(e === '' ? '(no event)' : e, e === '' ? 'none' : 'e:' + e)) })
    distinct(function (r) { return r.pid }).forEach(function (p) { f.pid.add(new Option(String(p), String(p))) })

    var trs = rows.map(function (r) {
      var tr = document.createElement('tr')
      var level = LEVELS.indexOf(r.level) >= 0 ? r.level : 'info'
      tr.className = 'lv-' + level
      ;[fmtTime(r.time), r.level, r.name, String(r.pid), r.event == null ? '' : r.event, r.msg].forEach(function (v) {
        var td = document.createElement('td')
        td.textContent = v
        tr.appendChild(td)
      })
      tbody.appendChild(tr)
      return tr
    })

    function apply () {
      var maxRank = f.level.value === '' ? LEVELS.length : LEVELS.indexOf(f.level.value)
      var text = f.text.value.toLowerCase()
      var shown = 0
      rows.forEach(function (r, i) {
        var ok = LEVELS.indexOf(r.level) <= maxRank &&
          (f.logger.value === '' || r.name === f.logger.value) &&
          (f.event.value === '' || (f.event.value === 'none' ? r.event == null : 'e:' + r.event === f.event.value)) &&
          (f.pid.value === '' || String(r.pid) === f.pid.value) &&
          (text === '' || String(r.msg).toLowerCase().indexOf(text) >= 0)
        trs[i].hidden = !ok
        if (ok) shown++
      })
      count.textContent = shown + ' of ' + rows.length + ' rows shown' +
        (summary.eventsOmitted > 0 ? ' (' + summary.eventsOmitted + ' older rows not in this report)' : '')
    }
    ;['level', 'logger', 'event', 'pid'].forEach(function (k) { f[k].addEventListener('change', apply) })
    f.text.addEventListener('input', apply)
    // Enter in the search box would submit the form: a navigation, which the report never makes.
    document.getElementById('filters').addEventListener('submit', function (e) { e.preventDefault() })
    document.getElementById('f-reset').addEventListener('click', function () {
      ;['level', 'logger', 'event', 'pid', 'text'].forEach(function (k) { f[k].value = '' })
      apply()
    })
    apply()
  }

  eventsTable()
  charts.timeline = timelineChart()
  charts.levels = levelsChart()
  document.documentElement.setAttribute('data-ready', '1')
})()
`
