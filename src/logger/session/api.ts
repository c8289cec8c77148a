// The agent's own way to start a debug session (a command from its
// collector): process-local, in the process-wide tree, no control file.
// Bad options never throw: each becomes a config problem naming what is
// accepted, and the default is used.

import { lastResort } from '../../internal/last-resort'
import { checkFor, checkLevel, checkMaxSize, checkOnly, checkReason, newSessionId, type Checked, type EndReason, type SessionLevel } from './control'
import { processSessions, type SessionSummary } from './runtime'

export type { SessionSummary } from './runtime'

export interface DebugSessionOptions {
  /** `debug` (default) or `trace`. */
  readonly level?: SessionLevel
  /** Component prefixes: `['collector']` or `'collector,instrumentation.http'`; none: every component. */
  readonly only?: readonly string[] | string
  /** How long: `'10m'`, `'90s'`, or milliseconds; 1 s to 24 h, default 10 min. */
  readonly for?: string | number
  /** Per-process byte budget: `'16MB'` or bytes; 64 KB to 1 GB, default 16 MB. */
  readonly maxSize?: string | number
  readonly reason?: string
}

export interface DebugSessionHandle {
  readonly id: string
  /** Epoch ms. */
  readonly expires: number
  /** Where this process writes the session: a path, `stderr` or `stdout`. */
  readonly file: string
  /** Ends it now (reason stopped); does nothing once it ended. */
  stop (): void
  /** Resolves once it ends, whatever ends it. */
  readonly ended: Promise<SessionSummary>
}

export interface DebugSessionInfo {
  readonly id: string
  readonly level: SessionLevel
  readonly only: readonly string[]
  readonly source: 'cli' | 'api'
  readonly reason: string
  readonly started: number
  readonly expires: number
  readonly maxSize: number
  readonly records: number
  readonly bytes: number
  readonly file: string
}

function pick<T> (c: Checked<T>, fallback: T, key: string, given: unknown, problems: Array<[string, string, unknown]>): T {
  if (c.ok) return c.value
  problems.push([key, c.problem, given])
  return fallback
}

export function startDebugSession (options?: DebugSessionOptions): DebugSessionHandle {
  try {
    return start(options)
  } catch (err) {
    lastResort(err, 'startDebugSession()')
    return refused(newSessionId(Date.now()), Date.now())
  }
}

function start (options: DebugSessionOptions | undefined): DebugSessionHandle {
  const runtime = processSessions()
  const now = Date.now()
  const id = newSessionId(now)
  if (runtime === undefined) return refused(id, now)
  const o: Record<string, unknown> = typeof options === 'object' && options !== null ? { ...options } : {}
  const problems: Array<[string, string, unknown]> = []
  const level = pick(checkLevel(o.level ?? 'debug'), 'debug', 'level', o.level, problems)
  const only = pick(checkOnly(o.only), [], 'only', o.only, problems)
  const forMs = pick(checkFor(o.for), 10 * 60 * 1000, 'for', o.for, problems)
  const maxSize = pick(checkMaxSize(o.maxSize), 16 * 1024 * 1024, 'maxSize', o.maxSize, problems)
  const reason = pick(checkReason(o.reason), '', 'reason', o.reason, problems)
  const tree = runtime.tree
  for (const [key, accepted, value] of problems) {
    tree.always(tree.node('oneapm.config'), 40, `startDebugSession(): ${accepted}; the default is used`,
      { event: 'config_problem', code: 'CONFIG_INVALID_VALUE', key, value: typeof value === 'string' ? value.slice(0, 64) : typeof value, accepted, used: 'the default', source: 'startDebugSession()' })
  }
  const active = runtime.start({ id, level, only, started: now, expires: now + forMs, maxSize, reason, source: 'api', state: 'active' })
  if (active === undefined) return refused(id, now)
  return { id, expires: active.spec.expires, file: active.sink.where.target, stop: () => { try { runtime.stopSession(id) } catch (err) { lastResort(err, 'debug session stop()') } }, ended: active.ended }
}

/** No configured process logger to run in: a handle that has already ended (closed). */
function refused (id: string, now: number): DebugSessionHandle {
  const summary: SessionSummary = { id, end_reason: 'closed' satisfies EndReason, records: 0, bytes: 0, dropped: 0, file: '' }
  return { id, expires: now, file: '', stop: () => {}, ended: Promise.resolve(summary) }
}

export function currentDebugSession (): DebugSessionInfo | undefined {
  let s
  try {
    s = processSessions()?.session
  } catch (err) {
    lastResort(err, 'currentDebugSession()')
    return undefined
  }
  if (s === undefined) return undefined
  return { id: s.id, level: s.level, only: s.only, source: s.source, reason: s.reason, started: s.started, expires: s.expires, maxSize: s.maxSize, records: s.records, bytes: s.bytes, file: s.file }
}
