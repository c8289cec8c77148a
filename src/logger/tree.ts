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
import { emptyStats, type LoggerStats } from '../diagnostics/stats'
import type { DropReason } from '../sinks/fd-writer'
import { recordOf } from './args'
import { ACCEPTED_LEVELS, parseLevel, type LevelSetting, type LevelValue } from '../record/levels'
import { Logger, kNode, thresholdFor } from './logger'
import { Output, type SinkHooks } from './output'
import type { FileEvent } from '../sinks/rotating-file'

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
  private readonly nodes = new Map<string, Logger>()
  output: Output | undefined
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
    this.root.applyThreshold(thresholdFor(this.root[kNode], this.baseLevel))
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
    logger.applyThreshold(thresholdFor(logger[kNode], this.baseLevel))
    return logger
  }

  /** Attaches the Output, applies levels, then writes what waited in the early queue. */
  configure (settings: LogSettings, sinkHooks: SinkHooks = {}): Output {
    // Reconfiguring (the agent reloaded its config): finish the old destination first.
    this.output?.close()
    const output = new Output(settings, {
      onRecovered: (n, reason) => { this.reportDrops(n, reason) },
      onFileEvent: (e) => { this.reportFileEvent(e) }
    }, sinkHooks)
    this.output = output
    this.cancelEarlyExit?.()
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
    const rec = recordOf(Date.now(), level, args, output.ctx)
    output.write(output.format.line(rec, logger.header(output, level), logger.boundText(output), output.ctx), level)
  }

  /** Writes a record whatever the level, unless the logger is off: the startup line, level changes. */
  always (logger: Logger, level: LevelValue, msg: string, fields: object): void {
    const output = this.output
    if (output === undefined || output.closed || !Number.isFinite(logger[kNode].threshold)) return
    const rec: LogRecord = { time: Date.now(), level, msg, fields, err: undefined }
    output.write(output.format.line(rec, logger.header(output, level), logger.boundText(output), output.ctx), level)
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
    this.output?.close()
  }

  stats (): LoggerStats {
    const s = emptyStats()
    s.droppedEarly = this.earlyDropped
    s.internalErrors = internalErrors()
    const output = this.output
    if (output === undefined) return s
    const w = output.writer.stats
    s.destination = output.destination.target
    s.records = { ...output.written }
    s.bytes = w.bytes
    s.writes = w.writes
    s.dropped = { ...w.dropped, closed: w.dropped.closed + output.droppedAfterClose }
    s.sinkErrors = { ...w.errors }
    return s
  }

  /** Recomputes thresholds for `from` and every descendant that follows it. */
  private refresh (from: Logger): void {
    from.applyThreshold(thresholdFor(from[kNode], this.baseLevel))
    for (const child of from[kNode].children.values()) this.refresh(child)
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

  private lastFileError = new Map<string, number>()

  /** What happened to the log file: rotations, and changes made by someone else. */
  private reportFileEvent (e: FileEvent): void {
    const log = this.node('oneapm.logfile')
    switch (e.kind) {
      case 'rotated':
        log.info({ event: 'log_rotated', reason: e.reason, rotated_to: e.to }, 'log file rotated (%s); the previous lines are in %s', e.reason, e.to)
        break
      case 'followed':
        if (e.reason === 'rotated by another process') log.debug({ event: 'log_file_followed', reason: e.reason }, 'log file was rotated by another process; now writing to the new file')
        else if (e.reason === 'renamed') log.info({ event: 'log_file_followed', reason: e.reason }, 'log file was renamed by someone else (logrotate create?); now writing to a new file at the configured path')
        else log.warning({ event: 'log_file_changed', reason: e.reason }, 'log file was %s by someone else; recreated it and continue writing there', e.reason)
        break
      case 'truncated':
        log.warning({ event: 'log_file_truncated', from: e.from, to: e.to }, 'log file was truncated by someone else (logrotate copytruncate?) from %d to %d bytes; lines written meanwhile may be lost', e.from, e.to)
        break
      case 'partial_line':
        log.warning({ event: 'log_file_partial_line' }, 'the log file ended in a partial line (a process was killed while writing?); continuing on a new line')
        break
      case 'stale_lock_broken':
        log.warning({ event: 'rotation_lock_recovered', age_ms: Math.round(e.ageMs) }, 'broke a rotation lock left %d ms ago by a process that died while rotating', Math.round(e.ageMs))
        break
      case 'rotation_error': {
        // A broken directory would fail every batch: say it once a minute.
        const now = Date.now()
        if (now - (this.lastFileError.get(e.code) ?? -Infinity) < 60_000) return
        this.lastFileError.set(e.code, now)
        log.warning({ event: 'rotation_error', code: e.code }, 'log rotation failed (%s); still writing to the current file: %s', e.code, e.message)
        break
      }
      case 'compressed':
      case 'removed':
        log.debug({ event: `log_file_${e.kind}`, file: e.file }, 'rotated log file %s: %s', e.kind, e.file)
    }
  }

  private reportDrops (n: number, reason: DropReason): void {
    this.always(this.root, 40, `dropped ${n} records because ${DROP_REASONS[reason]}; writing has resumed`,
      { event: 'records_dropped', reason, dropped: n })
  }
}
