// The shipping sink: records at log_ship_level and above, redacted and
// capped once, here, by the JSON layout (format/json.ts jsonParts), before
// any destination sees them. Each destination's queue gets the JSON line
// (what the exit spool keeps) and the destination's frame (a syslog message,
// an OTLP logRecord) made from those same redacted parts, once, so that
// nothing is formatted again when it is sent. One JSON line per record
// whatever the number of destinations.
//
// At exit (natural, process.exit(), uncaught exception) what the queues
// still hold is written to the spool synchronously; when the sink is built,
// spools left by earlier processes are claimed and queued first.

import type { LogSettings } from '../config/keys'
import type { ShipDestinationStats } from '../diagnostics/stats'
import { jsonString } from '../format/escape'
import { jsonFormat, jsonParts } from '../format/json'
import type { FormatContext } from '../format/line-format'
import { exiting, flushAtExit } from '../internal/exit'
import { thresholdOf, type LevelValue } from '../record/levels'
import type { LogRecord } from '../record/record'
import { buildDestinations, checkShipHeaders, shipResource } from '../ship/destinations'
import { ShipQueue } from '../ship/queue'
import { appendSpool, readSpools, SPOOL_MAX, spoolDir, writeSpool } from '../ship/spool'
import type { SyslogTransport } from '../ship/syslog/transport'
import type { RecordParts, ShipTransport } from '../ship/transport'
import { threadName } from '../record/thread'
import type { Logger } from './logger'

/** The JSON header of a logger and level, and the logger's redacted name for frames (undefined: too long, the layout cuts it). */
interface Header { readonly text: string, readonly name: string | undefined }
/** Names up to this many characters are never cut by the layout (it cuts at 300 bytes). */
const MAX_FAST_NAME = 100

export type ShipNotice = (level: 30 | 40, msg: string, fields: Readonly<Record<string, unknown>>) => void

export interface ShipSinkOptions {
  readonly settings: LogSettings
  readonly ctx: FormatContext
  readonly transports: readonly ShipTransport[]
  readonly notice: ShipNotice
  /** For tests: the batch timer. */
  readonly batchMs?: number
  /** Where spools are read and written (default: next to log_file). */
  readonly spoolDir?: string
}

export class ShipSink {
  /** The lowest level shipped, for every logger. */
  readonly threshold: number
  readonly queues: readonly ShipQueue[]
  private readonly headers = new Map<string, Header[]>()
  private readonly allFields: boolean
  /** The thread name as a JSON string literal. */
  private readonly thread = jsonString(threadName())
  private readonly bound = new WeakMap<Logger, string>()
  private readonly cancelExit: () => void
  private readonly dir: string
  private closed = false
  /** The spool written at exit, which records logged later (in the host's exit listeners) are appended to. */
  private spoolFile: string | undefined
  private lateBudget = SPOOL_MAX

  constructor (private readonly options: ShipSinkOptions) {
    const { settings } = options
    this.threshold = thresholdOf(settings.log_ship_level)
    const fields = settings.log_ship_fields === 'all' ? 'all' : new Set(settings.log_ship_fields)
    this.allFields = fields === 'all'
    this.queues = options.transports.map((t) => new ShipQueue(t, {
      maxBytes: settings.log_ship_queue,
      fields,
      notice: options.notice,
      ...(options.batchMs === undefined ? {} : { batchMs: options.batchMs })
    }))
    this.dir = options.spoolDir ?? spoolDir(settings.log_file)
    this.cancelExit = flushAtExit(() => { this.close() })
    this.replay()
  }

  /** Lowest level this sink takes from a logger (the same for all). */
  thresholdFor (_name: string): number {
    return this.threshold
  }

  take (logger: Logger, rec: LogRecord): void {
    if (this.closed && !exiting()) return
    const queues = this.queues
    if (!this.closed) {
      let room = false
      for (let i = 0; i < queues.length && !room; i++) room = !(queues[i] as ShipQueue).full
      if (!room) {
        // Every destination is backed up (or down): count, don't format a line nobody will take.
        for (let i = 0; i < queues.length; i++) (queues[i] as ShipQueue).dropFull()
        return
      }
    }
    const h = this.header(logger.name, rec.level)
    // One redaction and cut (the JSON layout's), before any destination sees the record.
    const p = jsonParts(rec, h.text, this.bindings(logger), this.options.ctx)
    if (this.closed) return this.late(p.line)
    // The fast path: each destination's frame made from those parts; else (a cut line, an error,
    // fields left out) the queue makes it from the line parsed back.
    const fast = p.whole && rec.err === undefined && h.name !== undefined && (this.allFields || p.rest === '')
    let parts: RecordParts | undefined
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i] as ShipQueue
      const ft = q.framed
      if (ft === undefined || !fast || q.full) {
        q.push(p.line)
        continue
      }
      parts ??= { time: rec.time, iso: p.time, level: rec.level, logger: h.name as string, msg: p.msg, thread: this.thread, fields: p.rest }
      q.push(p.line, ft.encodeParts(parts))
    }
  }

  /** A record logged after the exit spool was written (a host exit listener that runs after ours): into the spool too. */
  private late (json: string): void {
    if (json.length + 1024 > this.lateBudget) return
    this.lateBudget -= json.length + 1024
    const sections = this.queues.map((q) => ({ destination: q.stats.target, lines: [json] }))
    if (this.spoolFile !== undefined && 'lines' in appendSpool(this.spoolFile, sections, this.lateBudget + json.length + 1024)) return
    const r = writeSpool(this.dir, sections)
    if ('file' in r) this.spoolFile = r.file
  }

  private header (name: string, level: LevelValue): Header {
    let byLevel = this.headers.get(name)
    if (byLevel === undefined) {
      byLevel = []
      this.headers.set(name, byLevel)
    }
    const i = level / 10
    return byLevel[i] ?? (byLevel[i] = this.makeHeader(name, level))
  }

  private makeHeader (name: string, level: LevelValue): Header {
    // Redacted once per logger and level, as the destination's headers are; a name the layout would cut takes the long way.
    const redacted = this.options.ctx.redactor.name(name)
    return { text: jsonFormat.header(redacted, level), name: redacted.length <= MAX_FAST_NAME ? redacted : undefined }
  }

  private bindings (logger: Logger): string {
    let text = this.bound.get(logger)
    if (text === undefined) {
      const fields = logger.bindings
      text = Object.keys(fields).length === 0 ? '' : jsonFormat.bindings(fields, this.options.ctx)
      this.bound.set(logger, text)
    }
    return text
  }

  /**
   * Spools left by processes that ended with records unsent: queued ahead of
   * this process's own. What the queues have no room for is written back to
   * a spool at once, for a later start; nothing is dropped but records for
   * destinations no longer in log_ship and what files over the spool cap
   * held past what was read, each said with its number.
   */
  private replay (): void {
    const found = readSpools(this.dir, process.pid, this.options.settings.log_ship_queue * this.queues.length)
    for (const { file, reason } of found.ignored) {
      this.options.notice(40, `a shipping spool file was left alone: ${file} is ${reason}. Remove it if it is not the agent's`,
        { event: 'ship_spool_ignored', file, reason })
    }
    let queued = 0
    let unknown = 0
    const back: Array<{ destination: string, lines: readonly string[] }> = []
    for (const section of found.sections) {
      const q = this.queues.find((x) => x.stats.target === section.destination)
      if (q === undefined) {
        unknown += section.lines.length
        continue
      }
      const before = q.stats.queued
      const taken = q.pushAll(section.lines)
      // Taken counts lines the destination cannot encode too (counted as rejected): queued are the others.
      queued += q.stats.queued - before
      if (taken < section.lines.length) back.push({ destination: section.destination, lines: section.lines.slice(taken) })
    }
    const left = back.reduce((n, s) => n + s.lines.length, 0)
    const w = left === 0 ? undefined : writeSpool(this.dir, back)
    const lost = w !== undefined && 'error' in w ? left : 0
    if (found.files.length === 0 && found.waiting === 0) return
    const parts = [`${queued} records left unsent by earlier processes were read from ${found.files.length} spool file(s) and queued for shipping`]
    if (w !== undefined && 'file' in w) parts.push(`${left} did not fit the queue (log_ship_queue) and were written back to ${w.file} for a later start`)
    if (lost > 0) parts.push(`${lost} did not fit the queue (log_ship_queue) and are lost: the spool could not be written back (${(w as { error: string }).error})`)
    if (unknown > 0) parts.push(`${unknown} were for destinations no longer in log_ship and were dropped`)
    if (found.dropped.bytes > 0) parts.push(`${found.dropped.bytes} bytes (about ${found.dropped.records} record${found.dropped.records === 1 ? '' : 's'}) of spool files over the ${SPOOL_MAX / 1024 / 1024} MB spool cap were dropped unread`)
    if (found.waiting > 0) parts.push(`${found.waiting} more spool file${found.waiting === 1 ? '' : 's'} left for a later start`)
    if (found.skipped > 0) parts.push(`${found.skipped} damaged lines skipped`)
    this.options.notice(lost > 0 || unknown > 0 || found.dropped.bytes > 0 ? 40 : 30, parts.join('; '), {
      event: 'ship_spool_read',
      files: found.files.length,
      records: queued,
      left: left - lost,
      dropped: unknown + lost,
      unreadBytes: found.dropped.bytes,
      unreadRecords: found.dropped.records,
      waiting: found.waiting,
      skipped: found.skipped
    })
  }

  stats (): ShipDestinationStats[] {
    return this.queues.map((q) => {
      const counters = (q.transport as Partial<SyslogTransport>).counters
      const s = { ...q.stats, dropped: { ...q.stats.dropped } }
      return counters === undefined ? s : { ...s, syslog: { ...counters } }
    })
  }

  /**
   * Stops shipping and writes what the queues still hold to the spool,
   * synchronously: at exit, at close(), and when a new config replaces this
   * sink (whose successor reads the spool back at once). Idempotent.
   */
  close (): void {
    if (this.closed) return
    this.closed = true
    this.cancelExit()
    for (const q of this.queues) q.close()
    const sections = this.queues.map((q) => ({ destination: q.stats.target, lines: q.unsent() }))
    const unsent = sections.reduce((n, s) => n + s.lines.length, 0)
    if (unsent === 0) return
    const r = writeSpool(this.dir, sections)
    if ('file' in r) this.spoolFile = r.file
    if ('error' in r) {
      this.options.notice(40, `${unsent} records not yet shipped are lost: the spool file could not be written in ${this.dir} (${r.error})`,
        { event: 'records_dropped', reason: 'ship_spool_failed', dropped: unsent, code: r.error })
    } else {
      this.options.notice(30, `${r.lines} records not yet shipped were written to ${r.file}; the next process that ships sends them`,
        { event: 'ship_spooled', file: r.file, records: r.lines, dropped: unsent - r.lines })
    }
  }
}

/** What the tree gives the sink to talk through: its notices, and config problems (under oneapm.config). */
export interface ShipTalk {
  readonly notice: ShipNotice
  readonly problem: (msg: string, fields: Readonly<Record<string, unknown>>) => void
}

/**
 * The shipping sink for these settings, or none (log_ship empty or off, or
 * no destination usable). Each destination that cannot be used is a config
 * problem naming what is accepted; the others still ship.
 */
export function shipSinks (settings: LogSettings, ctx: FormatContext, talk: ShipTalk): ShipSink[] {
  const off = settings.log_ship.length === 0 || settings.log_ship_level === 'off'
  const { transports, checks } = off ? { transports: [], checks: [] } : buildDestinations(settings.log_ship, settings.log_ship_headers, shipResource(settings.app_name))
  const headers = checkShipHeaders(settings.log_ship_headers, checks)
  if (headers !== undefined) {
    talk.problem(`log_ship_headers not used: ${headers}`,
      { event: 'config_problem', code: 'CONFIG_INVALID_VALUE', key: 'log_ship_headers', accepted: headers, used: 'no headers' })
  }
  if (off) return []
  for (const c of checks) {
    if (c.problem !== undefined) {
      talk.problem(`log_ship destination ${c.given} left out: ${c.problem}`,
        { event: 'config_problem', code: 'CONFIG_INVALID_VALUE', key: 'log_ship', value: c.given, accepted: c.problem, used: 'not shipped there' })
    }
    for (const note of c.notes) {
      talk.problem(`log_ship destination ${c.given}: ${note}`, { event: 'config_problem', code: 'CONFIG_INVALID_VALUE', key: 'log_ship', value: c.given, accepted: note, used: c.target ?? '' })
    }
  }
  return transports.length === 0 ? [] : [new ShipSink({ settings, ctx, transports, notice: talk.notice })]
}
