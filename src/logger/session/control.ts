// What a debug session is, as the control file and the API spell it, and
// the checks that turn untrusted input into one. The control file is written
// by `oneapm-agent-log debug start` but sits in a directory others may write
// to: every field is checked by hand (no regex that can backtrack), every
// string and list is bounded, and anything off is refused whole with one
// reason, never half-applied.

import { parseDuration, parseSize, relativeNamespace } from '../../config/values'
import { MASK } from '../../format/redact'

export type SessionLevel = 'debug' | 'trace'
/** Who started it. A session from the config is not supported (docs/support.md says why). */
export type SessionSource = 'cli' | 'api'
export type EndReason = 'expired' | 'stopped' | 'budget' | 'replaced' | 'closed'

export interface SessionSpec {
  readonly id: string
  readonly level: SessionLevel
  /** Component prefixes relative to `oneapm` (`collector`, `instrumentation.http`); empty: every component. */
  readonly only: readonly string[]
  /** Epoch ms. */
  readonly started: number
  readonly expires: number
  /** Per-process byte budget of the session output. */
  readonly maxSize: number
  readonly reason: string
  readonly source: SessionSource
  /** `stopped`: `debug stop` ended it early; processes leave and none joins. */
  readonly state: 'active' | 'stopped'
}

export const CONTROL_VERSION = 1
/** Longest control file read; a bigger one is refused unread. */
export const MAX_CONTROL_BYTES = 64 * 1024
export const MIN_FOR_MS = 1000
export const MAX_FOR_MS = 24 * 3600 * 1000
export const DEFAULT_FOR_MS = 10 * 60 * 1000
export const MIN_SIZE = 64 * 1024
export const MAX_SIZE = 1024 ** 3
export const DEFAULT_SIZE = 16 * 1024 * 1024
export const MAX_ONLY = 32
export const MAX_REASON = 200
/**
 * A reason as stored: redacted once, then cut to this (a mask can be longer
 * than the secret it hides: `pw=a` is `pw=****`).
 */
export const MAX_STORED_REASON = 4 * MAX_REASON
export const MAX_ID = 64
/** Clocks of the machines sharing a directory differ a little: a start this far in the future is still taken. */
const CLOCK_SLACK_MS = 60_000

export type Checked<T> = { readonly ok: true, readonly value: T } | { readonly ok: false, readonly problem: string }
const ok = <T>(value: T): Checked<T> => ({ ok: true, value })
const no = <T>(problem: string): Checked<T> => ({ ok: false, problem })

/** Letters, digits, `_`, `-`, `.`: an id is printed in file names, fields and terminals. */
export function isSessionId (s: unknown): s is string {
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_ID) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const good = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46
    if (!good) return false
  }
  return true
}

/** A fresh id: the UTC start time and some randomness, e.g. `ds-20250102T030405-1a2b3c`. */
export function newSessionId (now: number): string {
  const t = new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15)
  return `ds-${t}-${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0')}`
}

export function checkLevel (input: unknown): Checked<SessionLevel> {
  return input === 'debug' || input === 'trace' ? ok(input) : no('level must be debug or trace')
}

/** `collector,instrumentation.http` or a list: component names, at most MAX_ONLY; a leading `oneapm.` is dropped. */
export function checkOnly (input: unknown): Checked<readonly string[]> {
  if (input === undefined || input === null) return ok([])
  let items: unknown[]
  if (typeof input === 'string') {
    if (input.length > MAX_ONLY * 130) return no(`only: at most ${MAX_ONLY} component names`)
    items = input.split(',').map((s) => s.trim()).filter((s) => s !== '')
  } else if (Array.isArray(input)) {
    if (input.length > MAX_ONLY) return no(`only: at most ${MAX_ONLY} component names`)
    items = input
  } else {
    return no('only must be a list of component names, such as collector,instrumentation.http')
  }
  if (items.length > MAX_ONLY) return no(`only: at most ${MAX_ONLY} component names`)
  const out: string[] = []
  for (const item of items) {
    const rel = typeof item === 'string' && item.length <= 128 ? relativeNamespace(item) : undefined
    if (rel === undefined) return no('only must hold component names such as collector or instrumentation.http (letters, digits, _ and -, dotted)')
    // `oneapm` itself: every component, as with no list.
    if (rel === '') return ok([])
    if (!out.includes(rel)) out.push(rel)
  }
  // `--only ''` (an unset shell variable) or `,,,`: no name at all is a mistake, not a wish for every component.
  if (out.length === 0 && typeof input === 'string') return no('only names no component; to debug every component, leave --only out')
  return ok(out)
}

export function checkFor (input: unknown): Checked<number> {
  if (input === undefined) return ok(DEFAULT_FOR_MS)
  const p = parseDuration(input, MIN_FOR_MS, MAX_FOR_MS)
  return p.ok ? ok(p.value) : no('for must be a duration from 1s to 24h, such as 90s, 10m or 2h')
}

export function checkMaxSize (input: unknown): Checked<number> {
  if (input === undefined) return ok(DEFAULT_SIZE)
  const p = parseSize(input, MIN_SIZE, MAX_SIZE)
  return p.ok ? ok(p.value) : no('max-size must be a size from 64KB to 1GB, such as 512KB or 16MB')
}

/** Printable text only (no control characters: a reason is shown in terminals), at most MAX_REASON characters. */
export function checkReason (input: unknown, max = MAX_REASON): Checked<string> {
  if (input === undefined || input === null) return ok('')
  if (typeof input !== 'string' || input.length > max) return no(`reason must be text of at most ${max} characters`)
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i)
    if (c < 32 || c === 127 || (c >= 0x80 && c < 0xa0) || c === 0x2028 || c === 0x2029) return no('reason must be printable text, with no control characters')
  }
  return ok(input)
}

/**
 * The reason as it may be stored and shown: redacted once by `redact` (the
 * full free-text redaction of the config), then cut. A redaction that fails
 * leaves only a mask (fail closed).
 */
export function redactReason (reason: string, redact: ((s: string) => string) | undefined): string {
  if (reason === '' || redact === undefined) return reason
  try {
    const r = redact(reason)
    return typeof r === 'string' ? r.slice(0, MAX_STORED_REASON) : MASK
  } catch {
    return MASK
  }
}

function time (input: unknown): number | undefined {
  if (typeof input !== 'string' || input.length > 40) return undefined
  const t = Date.parse(input)
  return Number.isFinite(t) ? t : undefined
}

/**
 * The session a control file's text describes, or why it is refused. `now`
 * bounds the times: a session that claims to run past 24 h from now (an
 * expiry ten years out) is refused, not shortened.
 */
export function parseControl (text: string, now: number): Checked<SessionSpec> {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return no('not JSON')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return no('not a JSON object')
  const o = v as Record<string, unknown>
  if (o.version !== CONTROL_VERSION) return no(`version must be ${CONTROL_VERSION}`)
  if (!isSessionId(o.id)) return no(`id must be 1 to ${MAX_ID} letters, digits, _, - or .`)
  const level = checkLevel(o.level)
  if (!level.ok) return no(level.problem)
  const only = checkOnly(o.only ?? [])
  if (!only.ok || !Array.isArray(o.only ?? [])) return no(only.ok ? 'only must be a list' : only.problem)
  const started = time(o.started)
  const expires = time(o.expires)
  if (started === undefined || expires === undefined) return no('started and expires must be ISO times')
  const span = expires - started
  if (span < MIN_FOR_MS || span > MAX_FOR_MS) return no('expires must be 1s to 24h after started')
  if (started > now + CLOCK_SLACK_MS) return no('started is in the future')
  const size = typeof o.max_size === 'number' ? checkMaxSize(o.max_size) : no<number>('max_size must be a number of bytes')
  if (!size.ok) return no(size.problem)
  const reason = checkReason(o.reason, MAX_STORED_REASON)
  if (!reason.ok) return no(reason.problem)
  if (o.source !== 'cli') return no('source must be cli')
  if (o.state !== 'active' && o.state !== 'stopped') return no('state must be active or stopped')
  return ok({ id: o.id, level: level.value, only: only.value, started, expires, maxSize: size.value, reason: reason.value, source: 'cli', state: o.state })
}

/** The control file's text for `spec` (one line of JSON, with a newline). */
export function formatControl (spec: SessionSpec): string {
  return JSON.stringify({
    version: CONTROL_VERSION,
    id: spec.id,
    level: spec.level,
    only: spec.only,
    started: new Date(spec.started).toISOString(),
    expires: new Date(spec.expires).toISOString(),
    max_size: spec.maxSize,
    reason: spec.reason,
    source: spec.source,
    state: spec.state
  }) + '\n'
}

/** Whether logger `name` (`oneapm.collector.http`) is one of the session's components. */
export function covers (only: readonly string[], name: string): boolean {
  if (only.length === 0) return true
  for (const p of only) {
    // `collector` covers oneapm.collector and below, never oneapm.collectorx.
    if (name.length >= p.length + 7 && name.startsWith('oneapm.') && name.startsWith(p, 7) && (name.length === p.length + 7 || name.charCodeAt(p.length + 7) === 46)) return true
  }
  return false
}

/** `collector, instrumentation.http`, or `all` for no list. */
export function describeOnly (only: readonly string[]): string {
  return only.length === 0 ? 'all' : only.join(',')
}
