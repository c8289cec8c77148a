// Generated rotated log sets for comparing summary read paths: several pids
// per file, text and JSON lines, CRLF files, gzipped members, every event the
// summary keeps state for (agent_start with a proxy, collector outages and
// recoveries, still_failing, requests, interference, drops, rotations, log
// file failures), error kinds, secrets to redact, long lines and garbage.

import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import fc from 'fast-check'

export const SET_T0 = Date.UTC(2026, 10, 21, 8, 0, 0)
export const SET_KEY = 'f00dfeed0123456789abcdef0123456789abcdef'
const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

function textTime (ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}+0000`
}

export interface GenRecord { dt: number, pid: number, kind: number, json: boolean, n: number }

const LEVELS = ['INFO', 'DEBUG', 'WARNING', 'ERROR', 'CRITICAL', 'TRACE'] as const
const KINDS = 16

function body (r: GenRecord): string {
  const n = r.n
  switch (r.kind) {
    case 0: return `harvest cycle ${n} done in ${n % 50} ms records=${n}`
    case 1: return `collector answered ${500 + (n % 4)} event=collector_error cause="HTTP ${500 + (n % 4)}" url="http://c.example/x?method=${['metric_data', 'span_data'][n % 2] as string}&license_key=${SET_KEY}" status=${500 + (n % 4)}`
    case 2: return `recovered event=collector_recovered failures=${n % 9} seconds=3`
    case 3: return `started event=agent_start version=1.${n % 3}.0 node=v20 app_name=shop${n % 2} settings="{\\"proxy\\":\\"${n % 2 === 0 ? '(unset)' : 'http://p.example:3128'} (file)\\",\\"license_key\\":\\"${SET_KEY} (env)\\"}"`
    case 4: return `failed err.type=Error err.code=E${n % 5} event=records_dropped reason=full dropped=${n}`
    case 5: return `still failing event=collector_still_failing cause="HTTP ${500 + (n % 4)}" count=${n % 7}`
    case 6: return `request event=collector_request url="http://c.example/x?method=${['metric_data', 'analytic_event_data', 'span_data'][n % 3] as string}" status=${[200, 202, 413][n % 3] as number}`
    case 7: return `connect ECONNREFUSED event=collector_error cause="ECONNREFUSED 127.0.0.1:443" url="https://c.example/?method=preconnect" code=ECONNREFUSED`
    case 8: return `interference event=host_interference cause=${['console_patched', 'stderr_closed'][n % 2] as string}`
    case 9: return `rotated event=log_rotated reason=${n % 2 === 0 ? 'size' : 'time'}`
    case 10: return `file event=${['log_file_failed', 'log_file_restored', 'log_file_fallback'][n % 3] as string} code=ENOSPC path=/var/log/agent.log`
    case 11: return `sent with license ${SET_KEY} in cycle ${n} records=${n % 50}`
    case 12: return `failed err.type=TypeError err.code=E${n % 3} cycle=${n}`
    case 13: return `long ${'x'.repeat(2100 + n)} end=${n}`
    case 14: return `custom thing event=cache_miss_${n % 3} size=${n}`
    default: return `connected event=collector_connected host=c.example`
  }
}

/** One line (with its end): a record of the kind, or garbage. */
export function genLine (time: number, r: GenRecord, crlf: boolean): string {
  const eol = crlf ? '\r\n' : '\n'
  if (r.kind === KINDS) return `garbage ${r.n} \u0000 not a record${eol}`
  const level = LEVELS[r.n % LEVELS.length] as string
  if (r.json) {
    const extra = r.kind === 1 ? { event: 'collector_error', cause: 'HTTP 413', url: 'http://c.example/?method=span_data', status: 413 } : r.kind === 12 ? { 'err.type': 'RangeError' } : {}
    return JSON.stringify({ time: new Date(time).toISOString(), level: level.toLowerCase(), name: 'oneapm.json', pid: r.pid, thread: 'main', msg: `json ${r.n} ${r.kind === 11 ? SET_KEY : ''}`, ...extra }) + eol
  }
  return `${textTime(time)} (${r.pid}/main) oneapm.${r.kind % 3 === 0 ? 'collector' : 'harvest'} ${level} - ${body(r)}${eol}`
}

export const genRecordArb = fc.record({
  dt: fc.integer({ min: 0, max: 90_000 }),
  pid: fc.constantFrom(100, 200, 300),
  kind: fc.integer({ min: 0, max: KINDS }),
  json: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  n: fc.nat(1000)
})

export const genSetArb = fc.record({
  files: fc.array(fc.record({ recs: fc.array(genRecordArb, { maxLength: 60 }), gzip: fc.boolean(), crlf: fc.boolean() }), { minLength: 1, maxLength: 5 }),
  /** 0 and 1: times rise across files (rotated files); 2: each file starts over (overlap). */
  layout: fc.integer({ min: 0, max: 2 }),
  since: fc.option(fc.integer({ min: 0, max: 3_000_000 }), { nil: undefined }),
  until: fc.option(fc.integer({ min: 0, max: 6_000_000 }), { nil: undefined })
})

export type GenSet = typeof genSetArb extends fc.Arbitrary<infer S> ? S : never

/** The set's files in `dir`, oldest first, the current one (agent.log) last. */
export function writeSet (dir: string, set: GenSet): string[] {
  let t = SET_T0
  return set.files.map((f, k) => {
    if (set.layout === 2) t = SET_T0
    const times = f.recs.map((r) => (t += r.dt))
    const p = path.join(dir, k === set.files.length - 1 ? 'agent.log' : `agent.log.${k}${f.gzip ? '.gz' : ''}`)
    const text = f.recs.map((r, i) => genLine(times[i] as number, r, f.crlf)).join('')
    fs.writeFileSync(p, k < set.files.length - 1 && f.gzip ? zlib.gzipSync(text) : text)
    const mtime = (times.length === 0 ? SET_T0 : Math.max(...times)) / 1000
    fs.utimesSync(p, mtime, mtime)
    t += 1
    return p
  })
}
