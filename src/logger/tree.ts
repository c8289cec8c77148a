// One logger tree: the `oneapm` root, its named descendants, their levels,
// and the Output they share. Before the tree is configured (early agent
// start-up), records wait in a bounded FIFO and are written, in order and
// with their original times, once configure() brings the Output.

import type { LogSettings } from '../config/keys'
import { valueJson } from '../format/serialize'
import { Redactor } from '../format/redact'
import { flushAtExit } from '../internal/exit'
import { internalErrors } from '../internal/last-resort'
import type { LogRecord } from '../record/record'
import { emptyStats, newSupportCounters, type LoggerStats, type SupportCounters } from '../diagnostics/stats'
import type { DropReason } from '../sinks/fd-writer'
import { recordOf } from './args'
import { ACCEPTED_LEVELS, NAME_OF, parseLevel, type LevelName, type LevelSetting, type LevelValue } from '../record/levels'
import { Logger, kNode, thresholdFor } from './logger'
import { Output, type SinkHooks } from './output'
import { DebugBridge, type DebugChange } from './debug-bridge'
import { DEFAULT_WATCH_MS, HostWatch } from './host-watch'
import { HostLogger } from './host-logger'
import type { Interference } from '../diagnostics/stdio-probe'
import { textBody, textFormat } from '../format/text'
import type { FlightRecorder } from './flight-recorder'
import type { FileEvent } from '../sinks/rotating-file'
import { fileNotice } from './file-notices'

/** How many records the early queue holds before the config is known. */
export const EARLY_MAX = 1000

interface EarlyRecord { readonly logger: Logger, readonly rec: LogRecord }

const EARLY_CTX = { redactor: new Redactor(), maxString: 16 * 1024 }

const DROP_REASONS: Readonly<Record<DropReason, string>> = {
  buffer_full: 'the destination was too slow and the buffer was full',
  write_error: 'writes were failing',
  destination_gone: 'the destination went away',
  closed: 'the logger was closed'
}

export class Tree {
  readonly root: Logger
  /** Counters that interference probes and collector recording add to. */
  readonly counters: SupportCounters = newSupportCounters()
  private readonly nodes = new Map<string, Logger>()
  output: Output | undefined
  /** The host application's logger, when the agent was given one (and not told to ignore it). */
  host: HostLogger | undefined
  private readonly lastFileError = new Map<string, number>()
  /** Watches debug namespaces and the standard streams; set once configured. */
  private watch: HostWatch | undefined
  /** Records may also go through debug (not when both would land on stderr). */
  private mirrors = false
  /** The level of loggers with no level of their own (log_level). */
  private baseLevel: LevelSetting
  private early: EarlyRecord[] = []
  private earlyDropped = 0
  private cancelEarlyExit: (() => void) | undefined
  /** Builds an Output with default settings if the process ends before configure(). */
  private readonly lateDefaults: () => LogSettings

  constructor (earlyLevel: LevelSetting, lateDefaults: () => LogSettings) {
    this.baseLevel = earlyLevel
    this.lateDefaults = lateDefaults
    this.root = new Logger(this, 'oneapm', undefined)
    this.nodes.set('oneapm', this.root)
    this.refresh(this.root)
  }

  get configured (): boolean {
    return this.output !== undefined
  }

  /** The named logger for a dotted name under `oneapm`, created on first use. */
  node (fullName: string): Logger {
    const found = this.nodes.get(fullName)
    if (found !== undefined) return found
    const at = fullName.lastIndexOf('.')
    const parent = at === -1 ? this.root : this.node(fullName.slice(0, at))
    const logger = new Logger(this, fullName, parent)
    parent[kNode].children.set(fullName, logger)
    this.nodes.set(fullName, logger)
    this.refresh(logger)
    return logger
  }

  /** Attaches the Output, applies levels, then writes what waited in the early queue. */
  configure (settings: LogSettings, sinkHooks: SinkHooks = {}, hostLogger?: object): Output {
    // Reconfiguring (the agent reloaded its config): finish the old destination first.
    this.output?.close()
    const output = new Output(settings, {
      onRecovered: (n, reason) => { this.reportDrops(n, reason) },
      onGone: () => { this.count(`${output.destination.target}_gone`) },
      onFileEvent: (e) => { this.reportFileEvent(e) }
    }, sinkHooks)
    this.output = output
    this.cancelEarlyExit?.()
    this.host = hostLogger === undefined || settings.log_ignore_host_logger ? undefined : new HostLogger(hostLogger as Record<string, unknown>)
    this.watch ??= new HostWatch((c) => { this.debugChanged(c) }, (i) => { this.stdioChanged(i) }, () => { this.recheckHost() }, sinkHooks.watchMs ?? DEFAULT_WATCH_MS)
    // A record must never reach the same stream twice: with log_file = stderr
    // and debug printing to stderr itself, the debug copy is left out.
    this.mirrors = !(output.destination.target === 'stderr' && DebugBridge.writesToStderr())
    this.baseLevel = settings.log_level
    for (const node of this.nodes.values()) node[kNode].ownLevel = undefined
    for (const [name, level] of Object.entries(settings.log_levels)) {
      this.node(name === '' ? 'oneapm' : `oneapm.${name}`)[kNode].ownLevel = level
    }
    this.refresh(this.root)
    this.replayEarly(output)
    return output
  }

  emit (logger: Logger, level: LevelValue, args: readonly unknown[]): void {
    const output = this.output
    if (output === undefined) return this.keepEarly(logger, level, args)
    if (output.closed) {
      output.droppedAfterClose++
      return
    }
    this.watch?.debug.poll()
    const node = logger[kNode]
    const now = Date.now()
    if (level < node.sinkThreshold) {
      // Enabled only for the debug mirror: not for the log destination.
      if (node.mirror !== undefined) this.mirror(node.mirror, logger, recordOf(now, level, args, output.ctx), output)
      output.recorder?.keep(logger, level, args, now)
      return
    }
    if (level >= 50 && output.recorder !== undefined) this.dumpRecorder(output, now)
    const rec = recordOf(now, level, args, output.ctx)
    this.deliver(logger, rec, output, false)
    if (node.mirror !== undefined && level >= 20) this.mirror(node.mirror, logger, rec, output)
  }

  /** A formatted record to the host's logger when one is in use and listening, else to the destination. */
  private deliver (logger: Logger, rec: LogRecord, output: Output, recorded: boolean): void {
    const host = this.host
    if (host !== undefined && host.silenced === undefined) {
      host.send(logger.name, rec, logger.bindings, output.ctx, recorded ? { recorded: true } : undefined)
      output.written[NAME_OF[rec.level] as LevelName]++
      return
    }
    let header = logger.header(output, rec.level)
    if (recorded) header = output.format.recordedHeader(header)
    output.write(output.format.line(rec, header, logger.boundText(output), output.ctx), rec.level)
  }

  /** The record through `debug`: message and fields as the text layout prints them; debug adds name and time. */
  private mirror (d: (fmt: string, ...args: unknown[]) => void, logger: Logger, rec: LogRecord, output: Output): void {
    const bound = logger.bindings
    d('%s', textBody(rec, Object.keys(bound).length === 0 ? '' : textFormat.bindings(bound, output.ctx), output.ctx))
  }

  private debugChanged (c: DebugChange): void {
    this.refresh(this.root)
    const target = this.output?.destination.target ?? 'the log destination'
    const fields = { event: 'host_interference', before: c.before, after: c.after }
    if (c.otherCopy) {
      this.count('debug_env_changed')
      this.root.warning({ ...fields, cause: 'debug_env_changed' },
        'another copy of debug in the host changed DEBUG from %j to %j; the agent uses its own copy, where oneapm:* is %s. Agent diagnostics continue in %s',
        c.before, c.after, c.isOn ? 'still on' : 'off', target)
    } else if (c.wasOn && !c.isOn) {
      this.count('debug_disabled')
      this.root.warning({ ...fields, cause: 'debug_disabled' },
        'the host turned off the agent\'s debug namespaces: DEBUG was %j, is now %j. Agent diagnostics continue in %s. Fix: keep oneapm:* in the host\'s debug.enable(...) call, or rely on log_file',
        c.before, c.after, target)
    } else if (!c.wasOn && c.isOn) {
      this.root.info({ event: 'debug_enabled', before: c.before, after: c.after },
        'debug namespaces for the agent are on (DEBUG=%j): records at debug and above also go through debug', c.after)
    }
  }

  /** Says once (per change) that the host's logger would hide agent warnings, and where records go instead. */
  reportHostLogger (): void {
    const host = this.host
    if (host === undefined || host.silenced === undefined) return
    this.count('host_logger_silenced')
    this.always(this.root, 40,
      `${host.describe()} would hide agent warnings: ${host.silenced}. Agent records go to ${this.output?.destination.target ?? 'log_file'} instead until that changes. Fix: let the host logger show warnings from the agent, or set ONEAPM_LOG_IGNORE_HOST_LOGGER=true to always use log_file`,
      { event: 'host_interference', cause: 'host_logger_silenced', host_logger: host.kind, reason: host.silenced })
  }

  private recheckHost (): void {
    const host = this.host
    if (host === undefined) return
    const { changed, reason } = host.recheck()
    if (!changed) return
    if (reason !== undefined) this.reportHostLogger()
    else this.root.info({ event: 'host_logger_restored', host_logger: host.kind }, '%s shows agent warnings again; agent records go there again', host.describe())
  }

  private stdioChanged (i: Interference): void {
    this.count(i.cause)
    this.root.warning({ event: 'host_interference', cause: i.cause }, '%s', i.message)
  }

  private count (cause: string): void {
    this.counters.interference[cause] = (this.counters.interference[cause] ?? 0) + 1
  }

  /** A call below its logger's level, kept by the flight recorder. */
  record (logger: Logger, level: LevelValue, args: readonly unknown[]): void {
    this.output?.recorder?.keep(logger, level, args, Date.now())
  }

  /** Writes the recent below-level records just before an error, marked as recorded context. */
  private dumpRecorder (output: Output, now: number): void {
    const recorder = output.recorder as FlightRecorder
    const records = recorder.take(now)
    if (records === undefined) return
    this.always(this.root, 30,
      `flight recorder: the ${records.length} records below log level from the last ${Math.round(recorder.windowMs / 1000)} s follow, as context for the next error`,
      { event: 'flight_recorder_dump', records: records.length, window_s: Math.round(recorder.windowMs / 1000), evicted: recorder.evicted })
    for (const r of records) this.deliver(r.logger, recordOf(r.time, r.level, r.args, output.ctx), output, true)
  }

  /** Writes a record whatever the level, unless the logger is off: the startup line, level changes. */
  always (logger: Logger, level: LevelValue, msg: string, fields: object): void {
    const output = this.output
    if (output === undefined || output.closed || !Number.isFinite(logger[kNode].threshold)) return
    const rec: LogRecord = { time: Date.now(), level, msg, fields, err: undefined }
    this.deliver(logger, rec, output, false)
  }

  setLevel (logger: Logger, input: string): boolean {
    const level = parseLevel(input)
    if (level === undefined) {
      logger.warning({ event: 'config_problem', key: 'level', value: String(input), accepted: ACCEPTED_LEVELS, used: logger.level },
        'setLevel(%j) ignored: not a level; %s stays at %s', String(input), logger.name, logger.level)
      return false
    }
    const node = logger[kNode]
    const before = logger.level
    node.ownLevel = level
    this.refresh(logger)
    if (before !== level) {
      this.always(logger, 30, `log level of ${logger.name} changed from ${before} to ${level}`,
        { event: 'level_changed', logger: logger.name, from: before, to: level })
    }
    return true
  }

  flush (): void {
    this.output?.flush()
  }

  close (): void {
    this.watch?.stop()
    this.output?.close()
  }

  stats (): LoggerStats {
    const s = emptyStats()
    s.droppedEarly = this.earlyDropped
    s.internalErrors = internalErrors()
    s.interference = { ...this.counters.interference }
    s.collector = { ...this.counters.collector }
    const output = this.output
    if (output === undefined) return s
    const w = output.writer.stats
    s.destination = output.destination.target
    s.records = { ...output.written }
    s.bytes = w.bytes
    s.writes = w.writes
    s.dropped = { ...w.dropped, closed: w.dropped.closed + output.droppedAfterClose }
    s.sinkErrors = { ...w.errors }
    const r = output.recorder
    if (r !== undefined) s.flightRecorder = { held: r.size, evicted: r.evicted, dumps: r.dumps }
    return s
  }

  /** Recomputes thresholds for `from` and every descendant that follows it. */
  private refresh (from: Logger): void {
    const node = from[kNode]
    node.sinkThreshold = thresholdFor(node, this.baseLevel)
    node.mirror = this.mirrors ? this.watch?.debug.mirrorFor(node.name) : undefined
    from.applyThreshold(node.mirror === undefined ? node.sinkThreshold : Math.min(node.sinkThreshold, 20), this.output?.recorder !== undefined)
    for (const child of node.children.values()) this.refresh(child)
  }

  private keepEarly (logger: Logger, level: LevelValue, args: readonly unknown[]): void {
    if (this.early.length >= EARLY_MAX) {
      this.earlyDropped++
      return
    }
    const rec = recordOf(Date.now(), level, args, EARLY_CTX)
    // A snapshot: the caller may change its objects before the config arrives.
    const fields = rec.fields === undefined ? undefined : JSON.parse(valueJson(rec.fields, EARLY_CTX)) as object
    this.early.push({ logger, rec: { ...rec, fields } })
    if (this.cancelEarlyExit === undefined) {
      this.cancelEarlyExit = flushAtExit(() => {
        // The process is ending before the agent configured its log: write
        // what waited to the default destination rather than lose it.
        if (this.output === undefined) this.configure(this.lateDefaults()).writer.flushSync(1000)
      })
    }
  }

  private replayEarly (output: Output): void {
    const early = this.early
    this.early = []
    for (const { logger, rec } of early) {
      if (logger[kNode].threshold > rec.level) continue
      output.write(output.format.line(rec, logger.header(output, rec.level), logger.boundText(output), output.ctx), rec.level)
    }
    if (this.earlyDropped > 0) {
      this.root.warning({ event: 'records_dropped', reason: 'early_queue_full', dropped: this.earlyDropped },
        '%d records logged before the logger was configured were dropped: the early queue holds %d', this.earlyDropped, EARLY_MAX)
    }
  }

  /** What happened to the log file: rotations, and changes made by someone else. */
  private reportFileEvent (e: FileEvent): void {
    const notice = fileNotice(e)
    if (notice === undefined) return
    if (e.kind === 'rotation_error') {
      // A broken directory would fail every batch: say it once a minute.
      const now = Date.now()
      if (now - (this.lastFileError.get(e.code) ?? -Infinity) < 60_000) return
      this.lastFileError.set(e.code, now)
    }
    const log = this.node('oneapm.logfile')
    log[notice.level](notice.fields, notice.msg)
  }

  private reportDrops (n: number, reason: DropReason): void {
    this.always(this.root, 40, `dropped ${n} records because ${DROP_REASONS[reason]}; writing has resumed`,
      { event: 'records_dropped', reason, dropped: n })
  }
}
