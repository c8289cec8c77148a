// log_ship's destinations, from the strings the config accepted to
// transports: each string checked in full (host, port, path, options,
// headers), a problem for each one that cannot be used (it is left out; the
// others still ship), and the process-wide facts every transport needs.

import type * as Crypto from 'node:crypto'
import os from 'node:os'
import { PACKAGE } from '../diagnostics/package-info'
import { parseOtlpHeaders, resolveOtlpEndpoint, type Env } from './otlp/endpoint'
import { createOtlpTransport } from './otlp/transport'
import { parseSyslogUrl } from './syslog/url'
import { createSyslogTransport } from './syslog/transport'
import type { ShipResource, ShipTransport } from './transport'
import { lazy } from '../internal/lazy'

// node:crypto on first use: loading it (and the streams it pulls in) is a large part of require()'s cost.
const crypto = lazy(() => require('node:crypto') as typeof Crypto)

export interface DestinationCheck {
  /** As configured (a credential in it is masked by the redaction of whatever shows it). */
  readonly given: string
  /** What the destination is, credentials masked; when usable. */
  readonly target?: string
  /** Why it cannot be used, with what is accepted; when not. */
  readonly problem?: string
  /** Settings ignored with what was used instead (an OTEL_* timeout, a gRPC protocol). */
  readonly notes: readonly string[]
}

type Plan =
  | { readonly kind: 'syslog', readonly check: DestinationCheck, readonly build: (r: ShipResource) => ShipTransport }
  | { readonly kind: 'otlp', readonly check: DestinationCheck, readonly build: (r: ShipResource) => ShipTransport }
  | { readonly kind: 'bad', readonly check: DestinationCheck }

function plan (given: string, headers: string | undefined, env: Env): Plan {
  const lower = given.toLowerCase()
  if (lower.startsWith('syslog+')) {
    const r = parseSyslogUrl(given)
    if (!r.ok) return { kind: 'bad', check: { given, problem: r.problem, notes: [] } }
    const target = r.value
    return { kind: 'syslog', check: { given, target: target.display, notes: [] }, build: (res) => createSyslogTransport(target, res) }
  }
  if (lower === 'otlp' || lower.startsWith('otlp+')) {
    const r = resolveOtlpEndpoint(given, headers ?? '', env)
    if (!r.ok) return { kind: 'bad', check: { given, problem: r.problem, notes: [] } }
    const endpoint = r.value
    return { kind: 'otlp', check: { given, target: endpoint.target, notes: endpoint.notes }, build: (res) => createOtlpTransport(endpoint, res) }
  }
  return { kind: 'bad', check: { given, problem: 'unknown scheme; accepted: syslog+udp://, syslog+tcp://, syslog+tls://, syslog+unix://, otlp+http://, otlp+https://, or otlp', notes: [] } }
}

/** Checks every destination without opening anything: for doctor and for the start-up warnings. */
export function checkDestinations (destinations: readonly string[], headers: string | undefined, env: Env = process.env): DestinationCheck[] {
  return destinations.map((d) => plan(d, headers, env).check)
}

/**
 * log_ship_headers' own problem, when no destination in `checks` already
 * reports it (an OTLP destination with bad headers is left out with it): bad
 * headers are a config problem even with no OTLP destination to use them.
 * The problem names entries by position, never by value.
 */
export function checkShipHeaders (headers: string | undefined, checks: readonly DestinationCheck[]): string | undefined {
  if (headers === undefined) return undefined
  const r = parseOtlpHeaders(headers, 'log_ship_headers')
  return r.ok || checks.some((c) => c.problem === r.problem) ? undefined : r.problem
}

/** The transports of the usable destinations (one per target), and the check of each destination. */
export function buildDestinations (destinations: readonly string[], headers: string | undefined, resource: ShipResource, env: Env = process.env): { transports: ShipTransport[], checks: DestinationCheck[] } {
  const transports: ShipTransport[] = []
  const checks: DestinationCheck[] = []
  const targets = new Set<string>()
  for (const d of destinations) {
    const p = plan(d, headers, env)
    checks.push(p.check)
    if (p.kind === 'bad' || targets.has(p.check.target ?? '')) continue
    targets.add(p.check.target ?? '')
    transports.push(p.build(resource))
  }
  return { transports, checks }
}

let instanceId: string | undefined

/** What every shipped record says about this process. */
export function shipResource (appName: string | undefined): ShipResource {
  instanceId ??= crypto().randomUUID()
  let hostName = 'localhost'
  try {
    hostName = os.hostname()
  } catch {
    // No host name to be had: the default stands.
  }
  return {
    hostName,
    pid: process.pid,
    serviceName: appName,
    instanceId,
    runtimeName: 'nodejs',
    runtimeVersion: process.versions.node,
    version: PACKAGE.version
  }
}
