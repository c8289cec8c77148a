// One logger tree: the `oneapm` root, its named descendants, their levels,
// and the Output they share. Before the tree is configured (early agent
// start-up), records wait in a bounded FIFO and are written, in order and
// with their original times, once configure() brings the Output.

import type { LogSettings } from '../config/keys'
import { Redactor } from '../format/redact'
import { exiting, flushAtExit } from '../internal/exit'
import { internalErrors } from '../internal/last-resort'
import type { LogRecord } from '../record/record'
import type { FormatContext } from '../format/line-format'
import { emptyStats, newSupportCounters, type LoggerStats, type SupportCounters } from '../diagnostics/stats'
import type { DropReason } from '../sinks/fd-writer'
import { recordOf } from './args'
import { ACCEPTED_LEVELS, NAME_OF, parseLevel, type LevelName, type LevelSetting, type LevelValue } from '../record/levels'
import { Logger, applyThreshold, boundTextOf, headerOf, kNode, thresholdFor, withFields } from './logger'
import { Output, type SinkHooks } from './output'
import { DebugBridge, type DebugChange } from './debug-bridge'
import { DEFAULT_WATCH_MS, HostWatch } from './host-watch'
import { HostLogger } from './host-logger'
import type { Interference } from '../diagnostics/stdio-probe'
import { textBody, textFormat } from '../format/text'
import type { FlightRecorder } from './flight-recorder'
import type { FileEvent } from '../sinks/rotating-file'
import { fileNotice } from './file-notices'
import { EARLY_MAX, EarlyQueue } from './early-queue'
import { materialize } from './snapshot'
import { describeThrown, safeString } from '../internal/describe'

export { EARLY_MAX } from './early-queue'

const EARLY_CTX = { redactor: new Redactor(), maxString: 16 * 1024 }

/**
 * Named loggers per tree. Past this, a new name is folded into its nearest
 * existing ancestor, with the name in a `logger` field (one warning says so):
 * per-request names (`child('req-' + id)`) must not grow memory forever.
 */
export const MAX_LOGGERS = 1000
/** How long a record logged in an exit listener may wait on a pipe. */
const EXIT_FLUSH_WAIT_MS = 1000

/**
 * Set while a record is being formatted or handed to the host's logger, i.e.
 * while code we don't own (toJSON, getters, the host's logger) may run. A log
 * call made then would format a record that may log again: it is dropped and
 * counted instead (stats().reentrant). Shared by every tree, so two trees
 * can't bounce a record between them either.
 */
let busy = false

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
  private early = new EarlyQueue()
  /** Log calls made while a record was being formatted (see `busy`). */
  private reentrant = 0
  /** Below-level calls not kept because their logger was paused over its flight-recorder budget (logger.ts skipCall). */
  recorderSkipped = 0
  /** Records the host's logger threw on (said once, see hostFailed). */
  private hostFailures = 0
  /** Names folded into an ancestor because MAX_LOGGERS was reached. */
  private folded = 0
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

  /** Attaches the Output, applies levels, then writes what waited in the early queue. */
  configure (settings: LogSettings, sinkHooks: SinkHooks = {}, hostLogger?: object): Output {
    // Reconfiguring (the agent reloaded its config): finish the old destination first.
    this.output?.close()
    const output = new Output(settings, {
      onRecovered: (n, reason) => { this.reportDrops(n, reason) },
      onGone: () => { this.count(`${output.destination.target}_gone`) },
      onFileEvent: (e) => { this.reportFileEvent(e) },
      recorder: { pause: (name) => { this.pauseRecording(name, true) }, resume: (names) => { for (const n of names) this.pauseRecording(n, false) } }
    }, sinkHooks)
    this.output = output
    this.cancelEarlyExit?.()
    this.host = hostLogger === undefined || settings.log_ignore_host_logger ? undefined : new HostLogger(hostLogger as Record<string, unknown>)
    this.watch ??= new HostWatch((c) => { this.debugChanged(c) }, (i) => { this.stdioChanged(i) }, () => { this.recheckHost() }, sinkHooks.watchMs ?? DEFAULT_WATCH_MS)
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
    this.refresh(this.root)
    this.replayEarly(output)
    return output
  }

  emit (logger: Logger, level: LevelValue, args: readonly unknown[]): void {
    if (busy) {
      this.reentrant++
      return
    }
    // Before the guard: a change it finds is reported through the logger.
    if (this.output?.closed === false) this.watch?.debug.poll()
    busy = true
    try {
      this.emitNow(logger, level, args)
    } finally {
      busy = false
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
      // Enabled only for the debug mirror: not for the log destination.
      if (node.mirror !== undefined) this.mirror(node.mirror, logger, recordOf(now, level, args, output.ctx), output)
      output.recorder?.keep(logger, level, args, now, output.ctx)
      return
    }
    if (level >= 50 && output.recorder !== undefined) this.dumpRecorder(output, now)
    const rec = recordOf(now, level, args, output.ctx)
    this.deliver(logger, rec, output, false)
    if (node.mirror !== undefined && level >= 20) this.mirror(node.mirror, logger, rec, output)
  }

  /** A formatted record to the host's logger when one is in use and listening, else to the destination. */
  private deliver (logger: Logger, rec: LogRecord, output: Output, recorded: boolean, ctx: FormatContext = output.ctx): void {
    const host = this.host
    if (host !== undefined && host.silenced === undefined) {
      try {
        host.send(logger.name, rec, logger.bindings, ctx, recorded ? { recorded: true } : undefined)
        // Counted once the host's logger took it: a record it threw on was not delivered there.
        output.written[NAME_OF[rec.level] as LevelName]++
        return
      } catch (err) {
        this.hostFailed(host, err, output)
      }
    }
    this.toDestination(logger, rec, output, recorded, ctx)
  }

  /**
   * The host's logger threw on a record (a transport that is down): that
   * record goes to the destination instead, and the first failure is said
   * there, once per tree, with the fix.
   */
  private hostFailed (host: HostLogger, err: unknown, output: Output): void {
    this.count('host_logger_failed')
    if (this.hostFailures++ > 0) return
    const reason = describeThrown(err)
    const rec: LogRecord = {
      time: Date.now(),
      level: 40,
      msg: `${host.describe()} threw while taking an agent record (${reason}); that record, and any later one it throws on, is written to ${output.destination.target} instead. Fix: repair the host logger's transport, or set ONEAPM_LOG_IGNORE_HOST_LOGGER=true to always use log_file`,
      fields: { event: 'host_interference', cause: 'host_logger_failed', host_logger: host.kind, reason },
      err: undefined
    }
    this.toDestination(this.root, rec, output, false, output.ctx)
  }

  /** A formatted record to the log destination. */
  private toDestination (logger: Logger, rec: LogRecord, output: Output, recorded: boolean, ctx: FormatContext): void {
    let header = headerOf(logger, output, rec.level)
    if (recorded) header = output.format.recordedHeader(header)
    this.write(output, output.format.line(rec, header, boundTextOf(logger, output), ctx), rec.level)
  }

  /** A formatted line to the destination; no code of the host's runs here, so internal notices may log. */
  private write (output: Output, line: string, level: LevelValue): void {
    const was = busy
    busy = false
    try {
      output.write(line, level)
      // Our exit hook has run: no later turn of the event loop will write this.
      if (exiting()) output.writer.flushSync(EXIT_FLUSH_WAIT_MS)
    } finally {
      busy = was
    }
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
    const output = this.output
    if (output?.recorder === undefined) return
    // Keeping copies the arguments, which runs getters and toJSON.
    if (busy) {
      this.reentrant++
      return
    }
    busy = true
    try {
      output.recorder.keep(logger, level, args, Date.now(), output.ctx)
    } finally {
      busy = false
    }
  }

  /** A logger over its flight-recorder budget stops (or starts again) sending its below-level calls to the recorder. */
  private pauseRecording (name: string, paused: boolean): void {
    const logger = this.nodes.get(name)
    const recording = this.output?.recorder !== undefined
    if (logger === undefined) return
    const node = logger[kNode]
    node.recorderPaused = paused
    applyThreshold(logger, node.threshold, recording)
  }

  /** Writes the recent below-level records just before an error, marked as recorded context. */
  private dumpRecorder (output: Output, now: number): void {
    const recorder = output.recorder as FlightRecorder
    const records = recorder.take(now)
    if (records === undefined) return
    this.writeAlways(this.root, 30,
      `flight recorder: the ${records.length} records below log level from the last ${Math.round(recorder.windowMs / 1000)} s follow, as context for the next error`,
      { event: 'flight_recorder_dump', records: records.length, window_s: Math.round(recorder.windowMs / 1000), evicted: recorder.evicted, skipped: recorder.skipped + this.recorderSkipped })
    for (const r of records) this.deliver(r.logger, recordOf(r.time, r.level, materialize(r.args), output.ctx), output, true)
  }

  /** Writes a record whatever the level, unless the logger is off: the startup line, level changes. */
  always (logger: Logger, level: LevelValue, msg: string, fields: object, ctx?: FormatContext): void {
    if (busy) {
      // logStats() or setLevel() from a toJSON or the host's logger.
      this.reentrant++
      return
    }
    busy = true
    try {
      this.writeAlways(logger, level, msg, fields, ctx)
    } finally {
      busy = false
    }
  }

  private writeAlways (logger: Logger, level: LevelValue, msg: string, fields: object, ctx?: FormatContext): void {
    const output = this.output
    if (output === undefined || output.closed || !Number.isFinite(logger[kNode].threshold)) return
    const rec: LogRecord = { time: Date.now(), level, msg, fields, err: undefined }
    this.deliver(logger, rec, output, false, ctx)
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
  }

  close (): void {
    this.watch?.stop()
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
    return s
  }

  /** Recomputes thresholds for `from` and every descendant that follows it. */
  private refresh (from: Logger): void {
    const node = from[kNode]
    node.sinkThreshold = thresholdFor(node, this.baseLevel)
    node.mirror = this.mirrors ? this.watch?.debug.mirrorFor(node.name) : undefined
    applyThreshold(from, node.mirror === undefined ? node.sinkThreshold : Math.min(node.sinkThreshold, 20), this.output?.recorder !== undefined)
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
      this.write(output, output.format.line(rec, headerOf(r.logger, output, r.level), boundTextOf(r.logger, output), output.ctx), r.level)
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
