// Hand-made Summaries for the report tests: one ordinary (two processes, an
// outage and a recovery), one with hostile text in every string a log can put
// in a Summary.
import type { EventRow, LevelName, Summary } from '../../../src/cli/logs/model'

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0)
const MIN = 60_000

function counts (c: Partial<Record<LevelName, number>>): Record<LevelName, number> {
  return { critical: 0, error: 0, warning: 0, info: 0, debug: 0, trace: 0, ...c }
}

function events (): EventRow[] {
  const rows: EventRow[] = []
  for (let i = 0; i < 30; i++) {
    rows.push({ time: T0 + i * MIN, level: 'warning', name: 'oneapm.collector', pid: i % 3 === 0 ? 4243 : 4242, event: 'collector_error', msg: `collector answered 503 (${i})` })
  }
  for (let i = 0; i < 6; i++) rows.push({ time: T0 + (30 + i) * MIN, level: 'error', name: 'oneapm.instrumentation.http', pid: 4242, event: undefined, msg: `TypeError: boom ${i}` })
  rows.push({ time: T0 + 40 * MIN, level: 'info', name: 'oneapm.collector', pid: 4242, event: 'collector_recovered', msg: 'recovered after 30 failures' })
  rows.push({ time: T0 + 41 * MIN, level: 'critical', name: 'oneapm', pid: 4243, event: undefined, msg: 'agent stopped' })
  rows.push({ time: T0 + 42 * MIN, level: 'warning', name: 'oneapm', pid: 4243, event: 'records_dropped', msg: '12 records dropped' })
  return rows.sort((a, b) => a.time - b.time)
}

export function ordinarySummary (): Summary {
  const ev = events()
  return {
    files: [
      { path: '/var/log/app/oneapm_agent.log', bytes: 120_000, gzip: false, skipped: false, records: 900, otherLines: 1, problem: undefined },
      { path: '/var/log/app/oneapm_agent.log.1.gz', bytes: 30_000, gzip: true, skipped: true, records: 0, otherLines: 0, problem: undefined }
    ],
    since: T0 - 60 * MIN,
    until: Number.NaN,
    first: T0,
    last: T0 + 59 * MIN,
    records: 900,
    otherProcessRecords: 0,
    processes: [
      { pid: 4242, version: '0.1.0', node: 'v20.18.1', platform: 'linux/x64', app: 'shop', started: T0, firstSeen: T0, lastSeen: T0 + 59 * MIN, records: 700 },
      { pid: 4243, version: '0.1.0', node: 'v20.18.1', platform: 'linux/x64', app: 'shop', started: undefined, firstSeen: T0 + MIN, lastSeen: T0 + 50 * MIN, records: 200 }
    ],
    settings: {
      log_file: { value: '/var/log/app/oneapm_agent.log', source: 'agent.config' },
      log_level: { value: 'info', source: 'default' },
      license_key: { value: 'a1b2****', source: 'ONEAPM_LICENSE_KEY' }
    },
    connectivity: [
      { time: T0, pid: 4242, state: 'connected', cause: undefined, count: 0, diagnosis: undefined },
      { time: T0 + MIN, pid: 4243, state: 'connected', cause: undefined, count: 0, diagnosis: undefined },
      { time: T0 + 2 * MIN, pid: 4242, state: 'failing', cause: 'HTTP 503', count: 20, diagnosis: { id: 'collector_error', cause: 'collector.oneapm.com answered HTTP 503', fix: 'nothing to change on this host' } },
      { time: T0 + 3 * MIN, pid: 4243, state: 'failing', cause: 'HTTP 503', count: 10, diagnosis: { id: 'collector_error', cause: 'collector.oneapm.com answered HTTP 503', fix: 'nothing to change on this host' } },
      { time: T0 + 40 * MIN, pid: 4242, state: 'recovered', cause: undefined, count: 20, diagnosis: undefined }
    ],
    lastStatus: { metric_data: { status: 200, time: T0 + 41 * MIN }, preconnect: { status: 503, time: T0 + 3 * MIN } },
    histogram: {
      bucketMs: 5 * MIN,
      buckets: Array.from({ length: 12 }, (_, i) => ({ start: T0 + i * 5 * MIN, counts: counts({ info: 50 + i, warning: i < 8 ? 5 : 0, error: i === 6 ? 6 : 0, critical: i === 8 ? 1 : 0, debug: 10 }) }))
    },
    topErrors: [
      { kind: 'collector_error', level: 'warning', count: 30, first: T0, last: T0 + 29 * MIN, sample: 'collector answered 503' },
      { kind: 'TypeError', level: 'error', count: 6, first: T0 + 30 * MIN, last: T0 + 35 * MIN, sample: 'TypeError: boom 0' }
    ],
    interference: [{ time: T0 + 5 * MIN, pid: 4242, cause: 'debug_disabled' }],
    drops: [{ time: T0 + 42 * MIN, pid: 4243, reason: 'buffer_full', dropped: 12 }],
    rotations: [{ time: T0 + 30 * MIN, pid: 4242, reason: 'size' }],
    findings: [
      { id: 'collector_error', cause: 'collector answered 503 to metric_data 30 times since 10:00', fix: 'nothing to change on this host: the agent retries with backoff', count: 30, first: T0, last: T0 + 29 * MIN }
    ],
    events: ev,
    eventsOmitted: 0
  }
}

/** Markup, script-closers and line separators a log line can carry. */
export const HOSTILE = [
  '</script><img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '<!--<script>',
  '"><svg onload=window.__pwned=3>',
  "'--></style></title><iframe src=javascript:window.__pwned=4>",
  'line\u2028sep\u2029para & &amp; <b>bold</b>',
  '\u{1F4A9}\uD800 lone surrogate'
]

export function hostileSummary (): Summary {
  const base = ordinarySummary()
  const h = (i: number): string => HOSTILE[i % HOSTILE.length] as string
  const ev: EventRow[] = HOSTILE.map((msg, i) => ({ time: base.first + i * 1000, level: 'error' as const, name: `oneapm.${h(i + 1)}`, pid: 4242, event: h(i + 2), msg }))
  return {
    ...base,
    files: base.files.map((f, i) => ({ ...f, path: `/tmp/${h(i)}.log`, problem: h(i + 3) })),
    processes: base.processes.map((p, i) => ({ ...p, version: h(i), node: h(i + 1), platform: h(i + 2), app: h(i + 3) })),
    settings: Object.fromEntries(HOSTILE.map((x, i) => [x, { value: h(i + 1), source: h(i + 2) }])),
    connectivity: base.connectivity.map((c, i) => ({ ...c, cause: h(i), diagnosis: { id: h(i + 1), cause: h(i + 2), fix: h(i + 3) } })),
    lastStatus: Object.fromEntries(HOSTILE.map((x, i) => [x, { status: 500 + i, time: base.first }])),
    topErrors: HOSTILE.map((x, i) => ({ kind: x, level: 'error' as const, count: i + 1, first: base.first, last: base.last, sample: h(i + 1) })),
    interference: HOSTILE.map((x) => ({ time: base.first, pid: 1, cause: x })),
    drops: HOSTILE.map((x) => ({ time: base.first, pid: 1, reason: x, dropped: 1 })),
    rotations: HOSTILE.map((x) => ({ time: base.first, pid: 1, reason: x })),
    findings: HOSTILE.map((x, i) => ({ id: x, cause: h(i + 1), fix: h(i + 2), count: 1, first: base.first, last: base.last })),
    events: ev
  }
}

export const FIXTURE_T0 = T0
