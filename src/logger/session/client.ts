// The other side of the control file: what `oneapm-agent-log debug` does.
// Writes the control file atomically (never over something that is not our
// own regular file), marks it stopped, and reads it and the per-process
// state files back for `debug status`.

import { checkFor, checkLevel, checkMaxSize, checkOnly, checkReason, formatControl, newSessionId, parseControl, redactReason, type SessionLevel, type SessionSpec } from './control'
import { controlPath, readBounded, sessionStates, writeAtomic, type ProcessState, type SessionStates } from './files'
import path from 'node:path'
import { ensureDir } from '../../sinks/log-path'

export type { ProcessState, SessionStates } from './files'
export type { SessionSpec } from './control'

export interface DebugRequest {
  readonly level?: unknown
  readonly only?: unknown
  readonly for?: unknown
  readonly maxSize?: unknown
  readonly reason?: unknown
}

export interface CheckedRequest {
  readonly level: SessionLevel
  readonly only: readonly string[]
  readonly forMs: number
  readonly maxSize: number
  readonly reason: string
}

type CheckResult = { readonly ok: true, readonly value: CheckedRequest } | { readonly ok: false, readonly problem: string }

/** The request's values, or the first problem (for a usage error). Never throws. */
export function checkDebugRequest (r: DebugRequest): CheckResult {
  try {
    if (typeof r !== 'object' || r === null) return { ok: false, problem: 'not a debug session request' }
    return check(r)
  } catch {
    return { ok: false, problem: 'not a debug session request' }
  }
}

function check (r: DebugRequest): CheckResult {
  const level = checkLevel(r.level ?? 'debug')
  if (!level.ok) return level
  const only = checkOnly(r.only)
  if (!only.ok) return only
  const forMs = checkFor(r.for)
  if (!forMs.ok) return forMs
  const maxSize = checkMaxSize(r.maxSize)
  if (!maxSize.ok) return maxSize
  const reason = checkReason(r.reason)
  if (!reason.ok) return reason
  return { ok: true, value: { level: level.value, only: only.value, forMs: forMs.value, maxSize: maxSize.value, reason: reason.value } }
}

/**
 * Writes a new session to the control file in `dir`, an absolute path
 * (replacing any running one); its reason goes through `redact` first (the
 * file is an output of ours, read by anyone who can read the directory).
 * Never throws.
 */
export function writeDebugSession (dir: string, request: DebugRequest, redact?: (s: string) => string): { readonly spec: SessionSpec } | { readonly error: string } {
  try {
    if (typeof dir !== 'string' || !path.isAbsolute(dir)) return { error: 'the debug directory must be an absolute path' }
    const checked = checkDebugRequest(request)
    if (!checked.ok) return { error: checked.problem }
    const req = checked.value
    const now = Date.now()
    const reason = redactReason(req.reason, typeof redact === 'function' ? redact : undefined)
    const spec: SessionSpec = { id: newSessionId(now), level: req.level, only: req.only, started: now, expires: now + req.forMs, maxSize: req.maxSize, reason, source: 'cli', state: 'active' }
    try {
      ensureDir(dir)
    } catch (err) {
      return { error: `${dir} cannot be used: ${(err as Error).message}` }
    }
    const problem = writeAtomic(controlPath(dir), formatControl(spec))
    return problem === undefined ? { spec } : { error: `${controlPath(dir)} cannot be written: ${problem}` }
  } catch (err) {
    return { error: `the control file cannot be written: ${String(err)}` }
  }
}

export type ControlState =
  | { readonly spec: SessionSpec }
  | { readonly missing: true }
  | { readonly problem: string }

/** The control file in `dir`, parsed; a stopped or expired session is returned as it is. Never throws. */
export function readDebugSession (dir: string, now = Date.now()): ControlState {
  try {
    return read(dir, typeof now === 'number' ? now : Date.now())
  } catch (err) {
    return { problem: `the control file cannot be read: ${String(err)}` }
  }
}

function read (dir: string, now: number): ControlState {
  if (typeof dir !== 'string') return { problem: 'the debug directory must be a path' }
  const r = readBounded(controlPath(dir))
  if ('missing' in r) return r
  if ('problem' in r) return { problem: `${controlPath(dir)} is ${r.problem}` }
  const p = parseControl(r.text, now)
  return p.ok ? { spec: p.value } : { problem: `${controlPath(dir)}: ${p.problem}` }
}

/** Marks the running session stopped (every process leaves it at its next poll); `stopped` is false when it had already ended. */
export function stopDebugSession (dir: string): { readonly missing: true } | { readonly problem: string } | { readonly error: string } | { readonly spec: SessionSpec, readonly stopped: boolean } {
  const now = Date.now()
  const cur = readDebugSession(dir, now)
  if (!('spec' in cur)) return cur
  if (cur.spec.state === 'stopped' || now >= cur.spec.expires) return { spec: cur.spec, stopped: false }
  const spec: SessionSpec = { ...cur.spec, state: 'stopped' }
  let problem: string | undefined
  try {
    problem = writeAtomic(controlPath(dir), formatControl(spec))
  } catch (err) {
    problem = String(err)
  }
  return problem === undefined ? { spec, stopped: true } : { error: `${controlPath(dir)} cannot be written: ${problem}` }
}

/**
 * The per-process state files in `dir` of session `session` (every session's
 * when undefined; at most the 1000 newest are read). With `alive`, a state
 * file of another session whose process is gone is removed (only our own
 * regular files).
 */
export function debugProcesses (dir: string, session?: string, alive?: (pid: number) => boolean): ProcessState[] {
  return debugSessionStates(dir, session, alive).processes
}

/** debugProcesses(), with the count of the other sessions' state files and of those removed. Never throws. */
export function debugSessionStates (dir: string, session?: string, alive?: (pid: number) => boolean): SessionStates {
  try {
    if (typeof dir !== 'string') return { processes: [], others: 0, removed: 0 }
    return sessionStates(dir, typeof session === 'string' ? session : undefined, typeof alive === 'function' ? alive : undefined)
  } catch {
    return { processes: [], others: 0, removed: 0 }
  }
}
