// `oneapm-agent-log doctor --connect`: the probe run on the loaded config,
// its failure mapped to a cause and a fix, shown as text or JSON with every
// secret masked. Exit 0 reachable, 1 not.

import { PACKAGE, Redactor, configRedactor, maskSecret, parseDuration, preconnectRequest, type AgentConfig } from '../../index'
import { UsageError } from '../args'
import { diagnose, type Diagnosis } from '../causes'
import { EXCERPT, probe, type ProbeResult, type StepResult } from './probe'

/** --timeout: the whole probe, from DNS to the collector's answer. */
export const CONNECT_TIMEOUT = Object.freeze({ defaultMs: 10_000, minMs: 100, maxMs: 300_000 })

/** The --timeout value in ms; a UsageError (exit 2) saying what is accepted otherwise. */
export function parseTimeout (given: string | undefined): number {
  if (given === undefined) return CONNECT_TIMEOUT.defaultMs
  const parsed = parseDuration(given, CONNECT_TIMEOUT.minMs, CONNECT_TIMEOUT.maxMs)
  if (!parsed.ok) throw new UsageError(`--timeout ${JSON.stringify(given.length > 40 ? `${given.slice(0, 40)}…` : given)} is not usable: give ${parsed.accepted}`)
  return parsed.value
}

export interface ConnectReport {
  readonly version: string
  readonly node: string
  readonly configFile: string | null
  readonly collector: {
    readonly host: string | null
    readonly origin: string | null
    readonly proxy: string | null
    /** The license key's masked prefix; null when none is set. */
    readonly license: string | null
  }
  readonly request: { readonly kind: 'preconnect', readonly method: string, readonly path: string }
  readonly timeoutMs: number
  readonly steps: readonly StepResult[]
  readonly reachable: boolean
  readonly diagnosis: Diagnosis | null
  /** What the agent's collector logger wrote during the request. */
  readonly agentLog: readonly string[]
}

export async function runConnect (cfg: AgentConfig, timeoutMs: number, json: boolean, out: (s: string) => void): Promise<number> {
  const s = cfg.settings
  const redact = configRedactor(cfg)
  const key = s.license_key === undefined || s.license_key === '' ? undefined : s.license_key
  const keyRedactor = new Redactor(key === undefined ? {} : { licenseKey: key })
  const license = key === undefined ? null : maskSecret(key)
  const host = s.host === undefined || s.host === '' ? undefined : s.host
  const proxy = s.proxy === undefined || s.proxy === '' ? undefined : s.proxy
  const userAgent = `oneapm-agent-log/${PACKAGE.version} (doctor --connect) node/${process.version}`
  const result = await probe({ host, proxy, licenseKey: key, timeoutMs, userAgent })
  const request = preconnectRequest(key, userAgent)
  const shownProxy = proxy === undefined ? null : redact.text(proxy)
  const diagnosis = result.failure === null
    ? null
    : diagnose({
      step: result.failure.step,
      host: result.failure.host,
      requestKind: 'preconnect',
      license: license ?? '',
      ...(shownProxy === null ? {} : { proxy: shownProxy }),
      ...(result.failure.code === undefined ? {} : { code: result.failure.code }),
      ...(result.failure.status === undefined ? {} : { status: result.failure.status }),
      ...(result.failure.issuer === undefined ? {} : { issuer: result.failure.issuer }),
      ...(result.failure.subject === undefined ? {} : { subject: result.failure.subject })
    })
  const report: ConnectReport = {
    version: PACKAGE.version,
    node: process.version,
    configFile: cfg.file ?? null,
    collector: { host: host ?? null, origin: result.origin, proxy: shownProxy, license },
    request: { kind: 'preconnect', method: request.method, path: showKey(request.path, key, license) },
    timeoutMs,
    // Our own lines show the key as its prefix; what others wrote (the
    // collector's and the proxy's answers, the agent's log lines) gets the
    // full redaction too, before any cut (a key echoed across the cut is
    // masked whole, or as its start at the end of what was read).
    steps: result.steps.map((st) => maskStep(st, (v, field) => {
      if (field === 'excerpt') return excerptOf(v, st.detail.excerptCut === true, (t, cut) => redact.text(showKey(keyRedactor.text(t, cut), key, license)))
      return QUOTED.has(field) ? redact.text(showKey(v, key, license)) : showKey(v, key, license)
    })),
    reachable: result.reachable,
    diagnosis,
    agentLog: result.agentLog.map((l) => redact.text(showKey(l, key, license)))
  }
  const text = json ? JSON.stringify(report, null, 2) + '\n' : render(report, result)
  // Fail closed: whatever a step quoted, the config's secrets are not printed.
  out(redact.final(text))
  return report.reachable ? 0 : 1
}

/** The license key in the request's query as its masked prefix, so the line still says which key was sent. */
function showKey (text: string, key: string | undefined, shown: string | null): string {
  if (key === undefined || shown === null) return text
  return text.split(new URLSearchParams({ k: key }).toString().slice(2)).join(shown).split(key).join(shown)
}

/** Step fields that quote a peer's words (its answer, its reason phrase, an error built from them). */
const QUOTED = new Set(['reason', 'summary', 'message'])

/** The answer redacted whole (`cut`: it went on past what was read), then cut to EXCERPT characters. */
function excerptOf (raw: string, cut: boolean, redact: (s: string, cut: boolean) => string): string {
  const shown = redact(raw, cut)
  return shown.length > EXCERPT ? shown.slice(0, EXCERPT) : shown
}

/** Every string in a step (messages, the collector's answer, certificate names) masked. */
function maskStep (st: StepResult, mask: (s: string, field: string) => string): StepResult {
  const deep = (v: unknown, field: string, depth: number): unknown => {
    if (typeof v === 'string') return mask(v, field)
    if (depth > 4 || typeof v !== 'object' || v === null) return v
    if (Array.isArray(v)) return v.map((x) => deep(x, field, depth + 1))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x, k, depth + 1)]))
  }
  return deep(st, '', 0) as StepResult
}

const LABEL: Readonly<Record<string, string>> = { dns: 'DNS', tcp: 'TCP', proxy: 'proxy', tls: 'TLS', http: 'HTTP' }

function render (r: ConnectReport, raw: ProbeResult): string {
  const lines: string[] = []
  lines.push(`oneapm-agent-log ${r.version} doctor --connect — node ${r.node}`, '')
  lines.push(`Config file: ${r.configFile ?? 'none (set ONEAPM_CONFIG_FILE or pass --config; ./agent.config is read when present)'}`)
  lines.push(`Collector:   ${r.collector.origin ?? '(host is not set)'}${r.collector.proxy === null ? ', direct (no proxy)' : `, through proxy ${r.collector.proxy}`}`)
  lines.push(`License key: ${r.collector.license ?? '(not set)'}`)
  lines.push(`Request:     ${r.request.method} ${r.request.path}`)
  lines.push(`Timeout:     ${r.timeoutMs} ms for the whole probe`, '', 'Steps:')
  for (const st of r.steps) {
    const status = st.status === 'ok' ? 'ok' : st.status === 'failed' ? 'FAILED' : 'skipped'
    const ms = st.ms === null ? '' : `${st.ms} ms`
    lines.push(`  ${status.padEnd(7)} ${(LABEL[st.step] ?? st.step).padEnd(5)} ${ms.padStart(7)}   ${st.summary}`)
    if (st.step === 'tls' && st.status === 'failed') {
      const d = st.detail as { subject?: string | null, issuer?: string | null, altNames?: string | null, validFrom?: string | null, validTo?: string | null, protocol?: string | null }
      if (d.subject !== undefined) lines.push(`                          certificate ${d.subject ?? '?'}${d.altNames === null || d.altNames === undefined ? '' : ` (${d.altNames})`}`, `                          issued by ${d.issuer ?? '?'}, valid ${d.validFrom ?? '?'} to ${d.validTo ?? '?'}, ${d.protocol ?? '?'}`)
    }
  }
  lines.push('')
  if (r.reachable) {
    lines.push(`Reachable: the collector answered ${r.request.kind} through the agent's own HTTP client.`)
  } else {
    lines.push('NOT reachable.')
    if (r.diagnosis !== null) lines.push(`  Cause: ${r.diagnosis.cause}`, `  Fix:   ${r.diagnosis.fix}`)
  }
  if (!r.reachable && raw.failure?.status !== undefined) {
    const http = r.steps.find((st) => st.step === 'http' && st.status === 'failed')
    const excerpt = (http?.detail as { excerpt?: unknown } | undefined)?.excerpt
    if (typeof excerpt === 'string' && excerpt.trim() !== '') lines.push(`  The collector said: ${JSON.stringify(excerpt.trim().slice(0, 200))}`)
  }
  return lines.join('\n') + '\n'
}
