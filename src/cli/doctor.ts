// `oneapm-agent-log doctor`: what the logger would do with this config, on
// this machine, right now, and what to fix. Exit 0 healthy, 1 findings.

import path from 'node:path'
import {
  PACKAGE, SETTING_KEYS, STAT_DOCS, checkDestination, checkShipDestinations, checkShipHeaders, inspectShipDestination, configRedactor, checkNodeVersion, describeRotation,
  describeSource, displaySetting, listRotated, loadConfig, networkFs, type AgentConfig, type DestinationCheck, type ShipInspection
} from '../index'
import { UsageError, parse } from './args'
import { parseTimeout, runConnect } from './connect/command'

export const DOCTOR_HELP = `Usage: oneapm-agent-log doctor [--config FILE] [--json] [--connect [--timeout 10s]]

Shows the effective log settings and where each came from, checks that the
log destination can be written now, and lists what to fix.

With --connect, reaches the configured collector (host, proxy, license_key)
the way the agent does instead: DNS, TCP, proxy CONNECT, TLS, then one
harmless preconnect request through the agent's own HTTP client, each step
timed; a failure is named with its cause and the fix.

  --config FILE   agent config file (default: $ONEAPM_CONFIG_FILE, else ./agent.config)
  --json          machine-readable output
  --connect       probe the collector
  --timeout T     bound for the whole probe (default 10s; 100ms to 5m)
  -h, --help      this help

Exit status: 0 healthy (--connect: reachable), 1 findings to fix (not
reachable), 2 usage error.`

export type Severity = 'problem' | 'warning' | 'note'

export interface Finding {
  readonly severity: Severity
  readonly code: string
  readonly message: string
}

export interface DoctorReport {
  readonly version: string
  readonly node: string
  readonly configFile: string | null
  readonly environment: string | null
  readonly settings: Record<string, { value: string, source: string }>
  readonly unknownKeys: Record<string, string>
  readonly destination: DestinationCheck
  readonly nodeCheck: { readonly supported: boolean, readonly actual: string, readonly required: string }
  /** For a file destination: the rotation policy, and the rotated files now next to the log. */
  readonly rotation: { readonly policy: string, readonly files: ReadonlyArray<{ readonly name: string, readonly size: number }>, readonly totalBytes: number } | null
  /** log_ship: each destination usable (its target, credentials and header values masked) or its problem, with notes; null when nothing is shipped. */
  readonly shipping: {
    readonly level: string
    /** facts: what was found on this machine (a unix socket's kind, a TLS destination's trust); socket: a syslog+unix path's inspection. */
    readonly destinations: ReadonlyArray<{ readonly given: string, readonly target: string | null, readonly problem: string | null, readonly notes: readonly string[], readonly facts: readonly string[], readonly socket: ShipInspection['socket'] | null }>
  } | null
  readonly findings: readonly Finding[]
  readonly counters: Readonly<Record<string, string>>
  readonly healthy: boolean
}

export function runDoctor (argv: string[], out: (s: string) => void): number | Promise<number> {
  const flags = parse(argv, {
    config: { type: 'string' },
    json: { type: 'boolean' },
    connect: { type: 'boolean' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  })
  if (flags.help === true) {
    out(DOCTOR_HELP + '\n')
    return 0
  }
  if (flags.timeout !== undefined && flags.connect !== true) throw new UsageError('--timeout goes with --connect')
  // Before the config is read: a bad --timeout is a usage error whatever the config holds.
  const timeoutMs = flags.connect === true ? parseTimeout(flags.timeout) : 0
  const cfg = loadConfig(flags.config === undefined ? {} : { file: flags.config })
  if (flags.connect === true) return runConnect(cfg, timeoutMs, flags.json === true, out)
  const report = diagnose(cfg)
  const text = flags.json === true ? JSON.stringify(report, null, 2) + '\n' : render(report)
  // Fail closed: whatever a finding or a path quoted, the config's secrets are not printed.
  out(configRedactor(cfg).final(text))
  return report.healthy ? 0 : 1
}

export function diagnose (cfg: AgentConfig): DoctorReport {
  const s = cfg.settings
  const redact = configRedactor(cfg)
  const scrub = (v: string): string => redact.text(v)
  const settings: Record<string, { value: string, source: string }> = {}
  for (const key of SETTING_KEYS) {
    const e = cfg.entries[key]
    settings[key] = { value: displaySetting(key, e.value, scrub), source: scrub(describeSource(e.source)) }
  }
  const unknownKeys: Record<string, string> = {}
  for (const [k, v] of Object.entries(cfg.unknown)) unknownKeys[scrub(k)] = redact.value(k, v.value)

  const findings: Finding[] = []
  for (const p of cfg.problems) findings.push({ severity: 'problem', code: p.code, message: p.message })

  const node = checkNodeVersion()
  if (!node.supported) findings.push({ severity: 'problem', code: 'NODE_UNSUPPORTED', message: `Node ${node.actual} is outside the supported range ${node.required}` })

  const dest = checkDestination(s.log_file)
  if (!dest.writable) {
    findings.push({
      severity: 'problem',
      code: 'LOG_FILE_UNWRITABLE',
      message: `${s.log_file} cannot be written now (${dest.error ?? 'unknown reason'}); the agent would log to stderr instead`
    })
  }
  const file = s.log_file !== 'stderr' && s.log_file !== 'stdout'
  const logFile = cfg.entries.log_file
  if (file && !path.isAbsolute(logFile.given.trim()) && !logFile.given.trim().startsWith('~')) {
    if (logFile.source.kind === 'file') {
      findings.push({ severity: 'note', code: 'LOG_FILE_RELATIVE', message: `log_file "${logFile.given}" is relative: it is resolved against the config file's directory, to ${s.log_file}` })
    } else {
      findings.push({
        severity: 'warning',
        code: 'LOG_FILE_RELATIVE',
        message: `log_file "${logFile.given}" (${describeSource(logFile.source)}) is relative to the working directory, which depends on how the app is started; it resolves to ${s.log_file} from here. Use an absolute path`
      })
    }
  }
  if (dest.worldWritableDir !== undefined) {
    findings.push({
      severity: 'warning',
      code: 'LOG_DIR_WORLD_WRITABLE',
      message: `${dest.worldWritableDir} is writable by every user: another user could create or replace the log file (with a symlink, say). Use a directory only the app's user can write`
    })
  }
  const bounded = s.log_max_size > 0 && s.log_max_files > 0
  const verbose = s.log_level === 'debug' || s.log_level === 'trace' ||
    Object.values(s.log_levels).some((l) => l === 'debug' || l === 'trace')
  if (file && verbose && !bounded) {
    findings.push({
      severity: 'warning',
      code: 'VERBOSE_UNBOUNDED',
      message: `${s.log_level === 'debug' || s.log_level === 'trace' ? `log_level = ${s.log_level}` : 'log_levels turns on debug or trace'} writes to ${s.log_file}, which has no disk bound (log_max_size and log_max_files): debug output grows quickly. Set both, or turn the level back to info once the support session is over`
    })
  }
  let rotation: DoctorReport['rotation'] = null
  if (file) {
    const rotated = listRotated(s.log_file)
    rotation = {
      policy: describeRotation(s),
      files: rotated.map((f) => ({ name: path.basename(f.path), size: f.size })),
      totalBytes: rotated.reduce((n, f) => n + f.size, 0) + (dest.size ?? 0)
    }
    const net = networkFs(path.dirname(s.log_file))
    if (net !== undefined) {
      findings.push({
        severity: 'warning',
        code: 'LOG_FILE_NETWORK_FS',
        message: `${path.dirname(s.log_file)} is on a network file system (${net}): appends from several processes are not atomic there, so each process would write its own ${s.log_file}.<pid>. Use a local disk`
      })
    }
  }
  const shipping = checkShipping(s, scrub, findings)
  const healthy = !findings.some((f) => f.severity !== 'note')
  return {
    version: PACKAGE.version,
    node: process.version,
    configFile: cfg.file ?? null,
    environment: cfg.environment ?? null,
    settings,
    unknownKeys,
    destination: dest,
    nodeCheck: node,
    rotation,
    shipping,
    // Config problems come redacted; the rest quote paths and values from the config.
    findings: findings.map((f) => f.code.startsWith('CONFIG_') ? f : { ...f, message: scrub(f.message) }),
    counters: STAT_DOCS,
    healthy
  }
}

/**
 * log_ship, each destination checked as createLogger would (nothing is
 * opened): its findings are added. Header values are never shown: targets
 * and problems name headers only; `scrub` masks a URL's password.
 */
function checkShipping (s: AgentConfig['settings'], scrub: (v: string) => string, findings: Finding[]): DoctorReport['shipping'] {
  const checks = s.log_ship.length === 0 ? [] : checkShipDestinations(s.log_ship, s.log_ship_headers)
  const headers = checkShipHeaders(s.log_ship_headers, checks)
  if (headers !== undefined) findings.push({ severity: 'problem', code: 'SHIP_HEADERS_INVALID', message: `${headers}; an OTLP destination would be left out with it` })
  if (s.log_ship.length === 0) return null
  for (const c of checks) {
    if (c.problem !== undefined) {
      findings.push({ severity: 'problem', code: 'SHIP_DESTINATION_INVALID', message: `log_ship destination ${scrub(c.given)} would be left out: ${c.problem}` })
    }
    for (const note of c.notes) findings.push({ severity: 'warning', code: 'SHIP_SETTING_IGNORED', message: `log_ship destination ${scrub(c.given)}: ${note}` })
  }
  if (s.log_ship_level === 'off') findings.push({ severity: 'note', code: 'SHIP_OFF', message: 'log_ship_level is off: nothing is shipped' })
  const inspected = checks.map((c) => c.target === undefined ? undefined : inspectShipDestination(c.given, c.target))
  for (const i of inspected) for (const f of i?.findings ?? []) findings.push(f)
  return {
    level: s.log_ship_level,
    destinations: checks.map((c, n) => ({
      given: scrub(c.given),
      target: c.target ?? null,
      problem: c.problem ?? null,
      notes: c.notes,
      facts: (inspected[n]?.facts ?? []).map(scrub),
      socket: inspected[n]?.socket ?? null
    }))
  }
}

function render (r: DoctorReport): string {
  const lines: string[] = []
  lines.push(`oneapm-agent-log ${r.version} doctor — node ${r.node} on ${process.platform}/${process.arch}`, '')
  lines.push(`Config file: ${r.configFile ?? 'none (set ONEAPM_CONFIG_FILE or pass --config; ./agent.config is read when present)'}`)
  if (r.environment !== null) lines.push(`Environment: [oneapm:${r.environment}]`)
  lines.push('', 'Settings:')
  const width = Math.max(...Object.keys(r.settings).map((k) => k.length))
  for (const [k, v] of Object.entries(r.settings)) lines.push(`  ${k.padEnd(width)}  ${v.value}   (${v.source})`)
  const unknown = Object.entries(r.unknownKeys)
  if (unknown.length > 0) lines.push('', `Other keys, kept for the agent: ${unknown.map(([k, v]) => `${k}=${v}`).join(', ')}`)
  const d = r.destination
  const facts = [d.kind, d.writable ? 'writable now' : `NOT writable: ${d.error ?? ''}`]
  if (d.size !== undefined) facts.push(`${formatBytes(d.size)} now`)
  if (d.freeBytes !== undefined) facts.push(`${formatBytes(d.freeBytes)} free`)
  lines.push('', `Log goes to: ${d.target} (${facts.join(', ')})`)
  if (d.implication !== undefined) lines.push(`  ${d.implication}`)
  if (r.rotation !== null) {
    lines.push(`Rotation: ${r.rotation.policy}`)
    lines.push(`  ${r.rotation.files.length} rotated file(s) now; the log takes ${formatBytes(r.rotation.totalBytes)} in all`)
    for (const f of r.rotation.files.slice(-10)) lines.push(`  ${f.name}  ${formatBytes(f.size)}`)
  }
  if (r.shipping !== null) {
    lines.push(`Shipping (log_ship_level ${r.shipping.level}):`)
    for (const d of r.shipping.destinations) {
      lines.push(d.target !== null ? `  ${d.target}  usable` : `  ${d.given}  NOT usable: ${d.problem ?? ''}`)
      for (const f of d.facts) lines.push(`    ${f}`)
      for (const n of d.notes) lines.push(`    note: ${n}`)
    }
  }
  lines.push(`Node: ${r.nodeCheck.actual} ${r.nodeCheck.supported ? 'is within' : 'is OUTSIDE'} the supported range ${r.nodeCheck.required}`)
  lines.push('', 'Checks:')
  if (r.findings.length === 0) lines.push('  ok       nothing to fix')
  for (const f of r.findings) lines.push(`  ${f.severity.padEnd(8)} ${f.message}`)
  lines.push('', 'Counters in logger.stats():')
  for (const [k, v] of Object.entries(r.counters)) lines.push(`  ${k}: ${v}`)
  const problems = r.findings.filter((f) => f.severity === 'problem').length
  const warnings = r.findings.filter((f) => f.severity === 'warning').length
  lines.push('', r.healthy ? 'Healthy.' : `${problems} problem(s), ${warnings} warning(s) to fix.`)
  return lines.join('\n') + '\n'
}

export function formatBytes (n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`
}
