// Sending agent records into the host application's own logger (pino,
// winston, bunyan, log4js, or anything with level methods), fields kept as
// structured data. The host's logger is a sink like any other: messages and
// fields are redacted on the way in. If the host's logger would hide agent
// warnings (silenced, no transports, level above warning), the agent says so
// once on its own destination and writes there until that changes.

import { errorJson, isError, valueJson } from '../format/serialize'
import { capRedact, SLACK } from '../format/cut'
import { cutToBytes, type FormatContext } from '../format/line-format'
import type { LogRecord } from '../record/record'

export type HostKind = 'pino' | 'winston' | 'bunyan' | 'log4js' | 'generic'

type Fn = (...args: unknown[]) => unknown
type Host = Record<string, unknown>

/** Level names per kind, from critical (60) down to trace (10). */
const METHODS: Readonly<Record<HostKind, Readonly<Record<number, string>>>> = {
  pino: { 60: 'fatal', 50: 'error', 40: 'warn', 30: 'info', 20: 'debug', 10: 'trace' },
  bunyan: { 60: 'fatal', 50: 'error', 40: 'warn', 30: 'info', 20: 'debug', 10: 'trace' },
  log4js: { 60: 'fatal', 50: 'error', 40: 'warn', 30: 'info', 20: 'debug', 10: 'trace' },
  winston: { 60: 'error', 50: 'error', 40: 'warn', 30: 'info', 20: 'debug', 10: 'silly' },
  generic: { 60: 'error', 50: 'error', 40: 'warn', 30: 'info', 20: 'debug', 10: 'debug' }
}

export function hostKind (h: Host): HostKind {
  if (typeof h.log === 'function' && Array.isArray(h.transports)) return 'winston'
  if (typeof h.level === 'function' && Array.isArray(h.streams)) return 'bunyan'
  if (typeof h.category === 'string' && typeof h.isLevelEnabled === 'function') return 'log4js'
  if (typeof h.levels === 'object' && h.levels !== null && typeof h.isLevelEnabled === 'function') return 'pino'
  return 'generic'
}

/** Why the host's logger would not show agent warnings, or undefined when it would. */
export function silencedBecause (kind: HostKind, h: Host): string | undefined {
  const call = (name: string, ...args: unknown[]): unknown => (h[name] as Fn).apply(h, args)
  switch (kind) {
    case 'pino':
      if (h.level === 'silent') return 'its level is silent'
      return call('isLevelEnabled', 'warn') === true ? undefined : `its level (${String(h.level)}) hides warnings`
    case 'winston':
      if (h.silent === true) return 'it is silent'
      if ((h.transports as unknown[]).length === 0) return 'it has no transports'
      if ((h.transports as Array<{ silent?: boolean }>).every((t) => t.silent === true)) return 'all its transports are silent'
      return call('isLevelEnabled', 'warn') === true ? undefined : `its level (${String(h.level)}) hides warnings`
    case 'bunyan': {
      const level = call('level') as number
      return level > 40 ? `its level (${level}${level > 60 ? ', above fatal' : ''}) hides warnings` : undefined
    }
    case 'log4js':
      return call('isLevelEnabled', 'warn') === true ? undefined : `its level (${String((h.level as { levelStr?: string } | undefined)?.levelStr ?? h.level)}) hides warnings`
    case 'generic':
      return typeof h.warn === 'function' || typeof h.warning === 'function' ? undefined : 'it has no warn method'
  }
}

export class HostLogger {
  readonly kind: HostKind
  /** Set while the host's logger would hide agent warnings. */
  silenced: string | undefined

  constructor (private readonly host: Host) {
    this.kind = hostKind(host)
    this.silenced = this.check()
  }

  /** Re-reads whether the host's logger is silenced; returns the new reason when it changed. */
  recheck (): { changed: boolean, reason: string | undefined } {
    const reason = this.check()
    const changed = reason !== this.silenced
    this.silenced = reason
    return { changed, reason }
  }

  send (name: string, rec: LogRecord, bindings: Readonly<Record<string, unknown>>, ctx: FormatContext, extra?: Record<string, unknown>): void {
    const fields: Record<string, unknown> = { ...plain(bindings, ctx), ...(rec.fields === undefined ? {} : plain(rec.fields, ctx)), ...extra, logger: ctx.redactor.name(name) }
    if (rec.err !== undefined) fields.err = hostError(JSON.parse(isError(rec.err) ? errorJson(rec.err, ctx) : valueJson(rec.err, ctx)) as unknown)
    const msg = hostMessage(rec.msg, ctx)
    const method = METHODS[this.kind][rec.level] ?? 'info'
    const h = this.host
    switch (this.kind) {
      case 'winston':
        (h.log as Fn).call(h, { ...fields, level: method, message: msg })
        return
      case 'log4js':
        (h[method] as Fn).call(h, msg, fields)
        return
      default: {
        const fn = h[method] ?? h[method === 'warn' ? 'warning' : 'info'] ?? h.log
        if (typeof fn === 'function') (fn as Fn).call(h, fields, msg)
      }
    }
  }

  describe (): string {
    return `the host's ${this.kind === 'generic' ? '' : `${this.kind} `}logger`
  }

  private check (): string | undefined {
    try {
      return silencedBecause(this.kind, this.host)
    } catch (err) {
      return `it could not be inspected (${String(err)})`
    }
  }
}

/**
 * The message redacted, then cut to log_max_line like a line of our own
 * (the cut marker included), whatever the host's logger adds around it.
 */
function hostMessage (msg: string, ctx: FormatContext): string {
  const max = Math.max(ctx.maxLine - SLACK, 64)
  return cutToBytes(capRedact(msg, max, ctx.redactor), ctx.maxLine)
}

/** Fields as plain, redacted, bounded data: what a host's logger can serialize safely. */
function plain (fields: object, ctx: FormatContext): Record<string, unknown> {
  const v = JSON.parse(valueJson(fields, ctx)) as unknown
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : { fields: v }
}

/**
 * The serialized error as the host's logger's own error serializer reads it.
 * pino's takes the type from `constructor.name` (a plain object would be
 * `Object`), bunyan's from `name`: both are set, not enumerable, so a logger
 * that just stringifies the object sees the `type` field alone.
 */
function hostError (err: unknown): unknown {
  if (typeof err !== 'object' || err === null || Array.isArray(err)) return err
  const type = (err as { type?: unknown }).type
  if (typeof type !== 'string') return err
  Object.defineProperty(err, 'constructor', { value: undefined, enumerable: false })
  Object.defineProperty(err, 'name', { value: type, enumerable: false })
  return err
}
