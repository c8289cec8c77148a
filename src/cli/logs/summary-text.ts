// The first screen of `summary`: what is wrong first (findings, the
// connection timeline), then who was running with which settings, how busy
// the log was, and what was read. Times are this machine's local time.

import type { LevelName, Summary } from './model'
import { shortTime } from './summary'

const BAR = 40

const n = (x: number): string => x.toLocaleString('en-US')
const plural = (x: number, word: string): string => `${n(x)} ${word}${x === 1 ? '' : 's'}`

function clock (ms: number, withDate: boolean): string {
  const s = shortTime(ms)
  return withDate ? s : s.slice(11)
}

function seconds (ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? '?' : `${shortTime(ms)}:${String(d.getSeconds()).padStart(2, '0')}`
}

export function summaryText (s: Summary): string {
  const out: string[] = []
  const read = s.files.filter((f) => !f.skipped && (f.problem === undefined || f.records + f.otherLines > 0)).length
  const skipped = s.files.filter((f) => f.skipped).length
  const range = s.records === 0 ? 'no records' : `${plural(s.records, 'record')} from ${seconds(s.first)} to ${seconds(s.last)}`
  out.push(`Log summary: ${range}; ${plural(s.files.length, 'file')} (${n(read)} read${skipped > 0 ? `, ${n(skipped)} outside the time range` : ''})`)
  const multiDay = s.records > 0 && shortTime(s.first).slice(0, 10) !== shortTime(s.last).slice(0, 10)

  out.push('', 'Findings')
  if (s.findings.length === 0) out.push('  nothing the log shows needs fixing')
  for (const f of s.findings) out.push(`  ! ${f.cause}`, `    fix: ${f.fix}`)

  out.push('', 'Collector connection (changes only)')
  if (s.connectivity.length === 0) out.push('  no collector events (collector_* records appear once the agent talks to the collector)')
  for (const c of s.connectivity) {
    const when = `${seconds(c.time)}  pid ${c.pid}`
    if (c.state === 'connected') out.push(`  ${when}  connected`)
    else if (c.state === 'recovered') out.push(`  ${when}  recovered ${c.cause ?? ''}`.trimEnd())
    else out.push(`  ${when}  failing: ${c.cause ?? '?'} (${plural(c.count, 'failure')})${c.diagnosis !== undefined ? ` - ${c.diagnosis.cause}` : ''}`)
  }
  const statuses = Object.entries(s.lastStatus)
  if (statuses.length > 0) out.push(`  last HTTP status: ${statuses.map(([k, v]) => `${k} ${v.status} (${clock(v.time, multiDay)})`).join(', ')}`)

  out.push('', 'Processes')
  if (s.processes.length === 0) out.push('  none')
  for (const p of s.processes) {
    const who = [p.version !== undefined ? `oneapm-agent-log ${p.version}` : undefined, p.node !== undefined ? `node ${p.node}` : undefined, p.platform, p.app !== undefined ? `app ${p.app}` : undefined].filter((x) => x !== undefined).join(', ')
    const started = p.started !== undefined ? `started ${seconds(p.started)}` : `first seen ${seconds(p.firstSeen)} (no agent_start in range)`
    out.push(`  pid ${p.pid}: ${who === '' ? 'unknown version' : who}; ${started}, last seen ${seconds(p.lastSeen)}; ${plural(p.records, 'record')}`)
  }
  if (s.otherProcessRecords > 0) out.push(`  and ${plural(s.otherProcessRecords, 'record')} of processes past the first ${n(s.processes.length)} (not listed one by one)`)

  const settings = Object.entries(s.settings)
  if (settings.length > 0) {
    const changed = settings.filter(([, v]) => v.source !== 'default')
    out.push('', `Settings (latest agent_start; ${n(settings.length - changed.length)} more at their defaults)`)
    for (const [k, v] of changed) out.push(`  ${k} = ${v.value}  (${v.source})`)
  }

  out.push('', `Records per level (${bucketName(s.histogram.bucketMs)} buckets; C critical, E error, W warning)`)
  const max = Math.max(1, ...s.histogram.buckets.map((b) => total(b.counts)))
  for (const b of s.histogram.buckets) {
    const t = total(b.counts)
    const bad = b.counts.critical + b.counts.error + b.counts.warning
    const width = t === 0 ? 0 : Math.max(1, Math.round(t / max * BAR))
    const badWidth = bad === 0 ? 0 : Math.max(1, Math.round(bad / max * BAR))
    const bar = '!'.repeat(Math.min(badWidth, width)) + '#'.repeat(Math.max(0, width - badWidth))
    const marks = [['C', b.counts.critical], ['E', b.counts.error], ['W', b.counts.warning]].filter(([, x]) => (x as number) > 0).map(([l, x]) => `${String(l)}${n(x as number)}`).join(' ')
    out.push(`  ${clock(b.start, multiDay)} ${bar.padEnd(BAR)} ${n(t)}${marks === '' ? '' : `  ${marks}`}`)
  }

  out.push('', 'Top errors')
  if (s.topErrors.length === 0) out.push('  none')
  for (const e of s.topErrors.slice(0, 10)) out.push(`  ${n(e.count).padStart(6)}x ${e.level.padEnd(8)} ${e.kind}  (${clock(e.first, multiDay)} to ${clock(e.last, multiDay)}): ${e.sample}`)

  out.push('', 'Interference, drops, rotations')
  const dropped = s.drops.reduce((a, d) => a + d.dropped, 0)
  out.push(`  host interference: ${s.interference.length === 0 ? 'none' : s.interference.map((i) => `${i.cause} (pid ${i.pid}, ${clock(i.time, multiDay)})`).join(', ')}`)
  out.push(`  dropped records: ${s.drops.length === 0 ? 'none' : `${n(dropped)} in ${plural(s.drops.length, 'report')} (${[...new Set(s.drops.map((d) => d.reason))].join(', ')})`}`)
  out.push(`  rotations: ${s.rotations.length === 0 ? 'none' : `${n(s.rotations.length)} (${countBy(s.rotations.map((r) => r.reason))})`}`)

  out.push('', 'Files')
  for (const f of s.files) {
    const what = f.skipped ? 'skipped: outside the time range' : f.problem !== undefined && f.records === 0 && f.otherLines === 0 ? f.problem : `${plural(f.records, 'record')}${f.otherLines > 0 ? `, ${plural(f.otherLines, 'other line')}` : ''}${f.problem !== undefined ? `; ${f.problem}` : ''}`
    out.push(`  ${f.path}${f.gzip ? ' (gzip)' : ''}: ${what}`)
  }
  if (s.eventsOmitted > 0) out.push('', `(${n(s.eventsOmitted)} older event rows left out of --json's events)`)
  return out.join('\n') + '\n'
}

function total (c: Readonly<Record<LevelName, number>>): number {
  return c.critical + c.error + c.warning + c.info + c.debug + c.trace
}

function bucketName (ms: number): string {
  const m = ms / 60_000
  return m < 60 ? `${m} min` : m < 1440 ? `${m / 60} h` : `${m / 1440} day`
}

function countBy (xs: readonly string[]): string {
  const m = new Map<string, number>()
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1)
  return [...m].map(([k, v]) => `${v} ${k}`).join(', ')
}
