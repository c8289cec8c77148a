// One logger tree: the `oneapm` root, its named descendants and their
// levels, and the sinks a record goes to: the main one (the host's logger or
// the log destination, logger/delivery.ts) and any extra ones (shipping,
// logger/ship-sink.ts), each with its own threshold. A logger's methods are
// enabled down to the lowest threshold of any sink (or debug's mirror), so a
// record no sink wants costs the noop. Before the tree is configured (early
// agent start-up), records wait in a bounded FIFO and are written, in order
// and with their original times, once configure() brings the Output.

import type { LogSettings } from '../config/keys'
import { Redactor } from '../format/redact'
import { exiting, flushAtExit } from '../internal/exit'
import { internalErrors } from '../internal/last-resort'
import type { LogRecord } from '../record/record'
import type { FormatContext } from '../format/line-format'
import { emptyStats, newSupportCounters, type LoggerStats, type ShipDestinationStats, type SupportCounters } from '../diagnostics/stats'
import { recordOf } from './args'
import { ACCEPTED_LEVELS, parseLevel, type LevelSetting, type LevelValue } from '../record/levels'
import { Logger, applyThreshold, boundTextOf, headerOf, kNode, thresholdFor, withFields } from './logger'
import { Output, type SinkHooks } from './output'
import { DebugBridge } from './debug-bridge'
import { DEFAULT_WATCH_MS, HostWatch } from './host-watch'
import { HostLogger } from './host-logger'
import { EARLY_MAX, EarlyQueue } from './early-queue'
import { materialize } from './snapshot'
import { safeString } from '../internal/describe'
import { Delivery } from './delivery'
import { Notices } from './notices'
import { guard } from './reentry'
import { ShipSink } from './ship-sink'

export { EARLY_MAX } from './early-queue'

const EARLY_CTX = { redactor: new Redactor(), maxString: 16 * 1024 }

/**
 * Named loggers per tree. Past this, a new name is folded into its nearest
 * existing ancestor, with the name in a `logger` field (one warning says so):
 * per-request names (`child('req-' + id)`) must not grow memory forever.
 */
export const MAX_LOGGERS = 1000

/** A sink beside the main one (shipping; a debug session's output): its own threshold per logger, layout and counters. */
export interface ExtraSink {
  /** The lowest level it takes from the logger named `name`; Infinity for none. */
  thresholdFor (name: string): number
  /** One record; never throws (a sink counts its own failures). */
  take (logger: Logger, rec: LogRecord): void
  /** Stops it; what it holds is its own business (the ship sink spools it). */
  close (): void
  /** For flush(): writes what it holds now, synchronously (a debug session's file); a network sink has none. */
  flushSync? (): void
}

export class Tree {
  readonly root: Logger
  /** Counters that interference probes and collector recording add to. */
  readonly counters: SupportCounters = newSupportCounters()
  private readonly nodes = new Map<string, Logger>()
  output: Output | undefined
  /** Sinks beside the main one, set by configure (shipping) or later (a debug session). */
  private extra: ExtraSink[] = []
  /** The shipping counters as they were when the sinks closed: stats() still shows them after close(). */
  private closedShip: ShipDestinationStats[] = []
  /** The host application's logger, when the agent was given one (and not told to ignore it). */
  host: HostLogger | undefined
  /** Watches debug namespaces and the standard streams; set once configured. */
  private watch: HostWatch | undefined
  /** Records may also go through debug (not when both would land on stderr). */
  private mirrors = false
  /** The level of loggers with no level of their own (log_level). */
  private baseLevel: LevelSetting
  private early = new EarlyQueue()
  /** Log calls made while a record was being formatted (see reentry.ts). */
  private reentrant = 0
  /** Below-level calls not kept because their logger was paused over its flight-recorder budget (logger.ts skipCall). */
  recorderSkipped = 0
  /** Names folded into an ancestor because MAX_LOGGERS was reached. */
  private folded = 0
  private cancelEarlyExit: (() => void) | undefined
  /** Builds an Output with default settings if the process ends before configure(). */
  private readonly lateDefaults: () => LogSettings
  private readonly delivery = new Delivery(this)
  private readonly notices = new Notices(this)

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

  /**
   * The logger for a name asked for by agent code (child(), getLogger()):
   * the named logger while there are fewer than MAX_LOGGERS, else a view of
   * its nearest existing ancestor that adds the name as a `logger` field.
   * `fullName` is already sanitized and capped (sanitizeName).
   */
  named (fullName: string): Logger {
    const found = this.nodes.get(fullName)
    if (found !== undefined) return found
    if (this.nodes.size < MAX_LOGGERS) return this.node(fullName)
    let parent = this.root
    for (let at = fullName.lastIndexOf('.'); at > 0; at = fullName.lastIndexOf('.', at - 1)) {
      const p = this.nodes.get(fullName.slice(0, at))
      if (p !== undefined) {
        parent = p
        break
      }
    }
    if (this.folded++ === 0) {
      this.always(this.root, 40,
        `more than ${MAX_LOGGERS} logger names: ${fullName} and later new names are written as their nearest existing logger (${parent.name}) with a logger field. Fix: put per-request values in fields (child(name, { id })) rather than in logger names`,
        { event: 'logger_names_capped', max: MAX_LOGGERS, logger: fullName, folded_into: parent.name })
    }
    return withFields(parent, undefined, { logger: fullName })
  }

  /**
   * Attaches the Output and the extra sinks `sinks(output)` builds, applies
   * levels, then writes what waited in the early queue.
   */
  configure (settings: LogSettings, sinkHooks: SinkHooks = {}, hostLogger?: object, sinks?: (output: Output) => ExtraSink[]): Output {
    // Reconfiguring (the agent reloaded its config): finish the old sinks first.
    this.closeSinks()
    const output = new Output(settings, {
      onRecovered: (n, reason) => { this.notices.drops(n, reason) },
      onGone: () => { this.count(`${output.destination.target}_gone`) },
      onFileEvent: (e) => { this.notices.fileEvent(e) },
      recorder: { pause: (name) => { this.pauseRecording(name, true) }, resume: (names) => { for (const n of names) this.pauseRecording(n, false) } }
    }, sinkHooks)
    this.output = output
    this.cancelEarlyExit?.()
    this.host = hostLogger === undefined || settings.log_ignore_host_logger ? undefined : new HostLogger(hostLogger as Record<string, unknown>)
    this.watch ??= new HostWatch((c) => {
      this.refresh(this.root)
      this.notices.debugChanged(c)
    }, (i) => { this.notices.stdioChanged(i) }, () => { this.notices.recheckHost() }, sinkHooks.watchMs ?? DEFAULT_WATCH_MS)
    // A record must never reach the same stream twice: with log_file = stderr
    // and debug printing to stderr itself, the debug copy is left out.
    this.mirrors = !(output.destination.target === 'stderr' && DebugBridge.writesToStderr())
    this.baseLevel = settings.log_level
    for (const node of this.nodes.values()) {
      node[kNode].ownLevel = undefined
      node[kNode].recorderPaused = false
    }
    for (const [name, level] of Object.entries(settings.log_levels)) {
      this.node(name === '' ? 'oneapm' : `oneapm.${name}`)[kNode].ownLevel = level
    }
    this.extra = sinks?.(output) ?? []
    this.refresh(this.root)
    this.replayEarly(output)
    return output
  }

  /** Adds a sink beside the main one (a debug session's output); returns a function that removes it. */
  addSink (sink: ExtraSink): () => void {
    this.extra = [...this.extra, sink]
    this.refresh(this.root)
    return () => {
      this.extra = this.extra.filter((s) => s !== sink)
      this.refresh(this.root)
    }
  }

  emit (logger: Logger, level: LevelValue, args: readonly unknown[]): void {
    if (guard.busy) {
      this.reentrant++
      return
    }
    // Before the guard: a change it finds is reported through the logger.
    if (this.output?.closed === false) this.watch?.debug.poll()
    guard.busy = true
    try {
      this.emitNow(logger, level, args)
    } finally {
      guard.busy = false
    }
  }

  private emitNow (logger: Logger, level: LevelValue, args: readonly unknown[]): void {
    const output = this.output
    if (output === undefined) return this.keepEarly(logger, level, args)
    if (output.closed) {
      output.droppedAfterClose++
      return
    }
    const node = logger[kNode]
    const now = Date.now()
    if (level < node.sinkThreshold) {
      // Below the main sink's level: for the debug mirror, an extra sink, the flight recorder.
      const mirror = level >= 20 ? node.mirror : undefined
      const extra = level >= node.extraThreshold
      if (mirror !== undefined || extra) {
        const rec = recordOf(now, level, args, output.ctx)
        if (extra) this.toExtra(logger, rec)
        if (mirror !== undefined) this.delivery.mirror(mirror, logger, rec, output)
      }
      output.recorder?.keep(logger, level, args, now, output.ctx)
      return
    }
    if (level >= 50 && output.recorder !== undefined) this.delivery.dumpRecorder(output, now)
    const rec = recordOf(now, level, args, output.ctx)
    this.delivery.deliver(logger, rec, output, false)
    if (level >= node.extraThreshold) this.toExtra(logger, rec)
    if (node.mirror !== undefined && level >= 20) this.delivery.mirror(node.mirror, logger, rec, output)
  }

  /** One record to every extra sink that wants it. */
  private toExtra (logger: Logger, rec: LogRecord): void {
    for (const sink of this.extra) {
      if (rec.level >= sink.thresholdFor(logger.name)) sink.take(logger, rec)
    }
  }

  /** Says once (per change) that the host's logger would hide agent warnings, and where records go instead. */
  reportHostLogger (): void {
    this.notices.reportHostLogger()
  }

  count (cause: string): void {
    this.counters.interference[cause] = (this.counters.interference[cause] ?? 0) + 1
  }

  /** A call below its logger's level, kept by the flight recorder. */
  record (logger: Logger, level: LevelValue, args: readonly unknown[]): void {
    const output = this.output
    if (output?.recorder === undefined) return
    // Keeping copies the arguments, which runs getters and toJSON.
    if (guard.busy) {
      this.reentrant++
      return
    }
    guard.busy = true
    try {
      output.recorder.keep(logger, level, args, Date.now(), output.ctx)
    } finally {
      guard.busy = false
    }
  }

  /** A logger over its flight-recorder budget stops (or starts again) sending its below-level calls to the recorder. */
  private pauseRecording (name: string, paused: boolean): void {
    const logger = this.nodes.get(name)
    if (logger === undefined) return
    const node = logger[kNode]
    node.recorderPaused = paused
    applyThreshold(logger, node.threshold, this.output?.recorder !== undefined)
  }

  /** Writes a record whatever the level, unless the logger is off: the startup line, level changes. */
  always (logger: Logger, level: LevelValue, msg: string, fields: object, ctx?: FormatContext): void {
    if (guard.busy) {
      // logStats() or setLevel() from a toJSON or the host's logger.
      this.reentrant++
      return
    }
    guard.busy = true
    try {
      this.writeAlways(logger, level, msg, fields, ctx)
    } finally {
      guard.busy = false
    }
  }

  writeAlways (logger: Logger, level: LevelValue, msg: string, fields: object, ctx?: FormatContext): void {
    const output = this.output
    if (output === undefined || output.closed || !Number.isFinite(logger[kNode].threshold)) return
    const rec: LogRecord = { time: Date.now(), level, msg, fields, err: undefined }
    this.delivery.deliver(logger, rec, output, false, ctx)
    if (level >= logger[kNode].extraThreshold) this.toExtra(logger, rec)
  }

  setLevel (logger: Logger, input: unknown): boolean {
    const level = parseLevel(input)
    if (level === undefined) {
      // Under oneapm.config like every config problem, and written whatever the level (docs/events.md).
      const value = safeString(input).slice(0, 64)
      this.always(this.node('oneapm.config'), 40,
        `setLevel(${JSON.stringify(value)}) ignored: not a level; accepted: ${ACCEPTED_LEVELS}; ${logger.name} stays at ${logger.level}`,
        { event: 'config_problem', code: 'invalid', key: 'level', logger: logger.name, value, accepted: ACCEPTED_LEVELS, used: logger.level, source: 'setLevel()' })
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
    for (const sink of this.extra) sink.flushSync?.()
  }

  close (): void {
    this.watch?.stop()
    this.closeSinks()
  }

  /** The extra sinks first: what they say as they close (a spool written) still reaches the destination. */
  private closeSinks (): void {
    const extra = this.extra
    this.extra = []
    for (const sink of extra) sink.close()
    const ship = extra.filter((x): x is ShipSink => x instanceof ShipSink)
    if (ship.length > 0) this.closedShip = ship.flatMap((x) => x.stats())
    this.output?.close()
  }

  stats (): LoggerStats {
    const s = emptyStats()
    s.droppedEarly = this.early.droppedTotal
    s.droppedEarlyByLevel = { ...this.early.dropped }
    s.reentrant = this.reentrant
    s.loggers = { named: this.nodes.size, folded: this.folded }
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
    if (r !== undefined) s.flightRecorder = { held: r.size, bytes: r.bytes, evicted: r.evicted, skipped: r.skipped + this.recorderSkipped, dumps: r.dumps }
    for (const sink of this.extra) if (sink instanceof ShipSink) s.ship.push(...sink.stats())
    if (s.ship.length === 0) s.ship = this.closedShip.map((x) => ({ ...x, dropped: { ...x.dropped } }))
    return s
  }

  /** Recomputes thresholds for `from` and every descendant that follows it. */
  private refresh (from: Logger): void {
    const node = from[kNode]
    node.sinkThreshold = thresholdFor(node, this.baseLevel)
    node.mirror = this.mirrors ? this.watch?.debug.mirrorFor(node.name) : undefined
    let extra = Infinity
    // Turned off by name (log_levels name:off, setLevel('off')): off for shipping too, whatever log_ship_level is.
    const silenced = !Number.isFinite(thresholdFor(node, 'trace'))
    for (const sink of this.extra) if (!(silenced && sink instanceof ShipSink)) extra = Math.min(extra, sink.thresholdFor(node.name))
    node.extraThreshold = extra
    const main = node.mirror === undefined ? node.sinkThreshold : Math.min(node.sinkThreshold, 20)
    applyThreshold(from, Math.min(main, extra), this.output?.recorder !== undefined)
    for (const child of node.children.values()) this.refresh(child)
  }

  private keepEarly (logger: Logger, level: LevelValue, args: readonly unknown[]): void {
    if (exiting()) {
      // Logged in an exit listener that runs after ours: nothing will replay the queue later.
      this.configure(this.lateDefaults())
      return this.emitNow(logger, level, args)
    }
    // A bounded copy: the caller may change its objects before the config arrives.
    this.early.add(logger, level, args, Date.now(), EARLY_CTX)
    if (this.cancelEarlyExit === undefined) {
      this.cancelEarlyExit = flushAtExit(() => {
        // The process is ending before the agent configured its log: write
        // what waited to the default destination rather than lose it.
        if (this.output === undefined) this.configure(this.lateDefaults()).writer.flushSync(1000)
      })
    }
  }

  private replayEarly (output: Output): void {
    for (const r of this.early.drain()) {
      if (r.logger[kNode].threshold > r.level) continue
      const rec = recordOf(r.time, r.level, materialize(r.args), output.ctx)
      this.delivery.write(output, output.format.line(rec, headerOf(r.logger, output, r.level), boundTextOf(r.logger, output), output.ctx), r.level)
      if (r.level >= r.logger[kNode].extraThreshold) this.toExtra(r.logger, rec)
    }
    const dropped = this.early.droppedTotal
    if (dropped > 0) {
      const by = this.early.dropped
      const levels = Object.entries(by).filter(([, n]) => n > 0).map(([name, n]) => `${n} ${name}`).join(', ')
      this.writeAlways(this.root, 40,
        `${dropped} records logged before the logger was configured were dropped (${levels}): the early queue holds ${EARLY_MAX}, dropping the oldest of the lowest level first and never an error for a lower record`,
        { event: 'records_dropped', reason: 'early_queue_full', dropped, by_level: { ...by } })
    }
  }
}
