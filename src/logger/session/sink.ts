// A debug session's output: the records of the session's level and
// components, in the configured layout, each with `debug_session=<id>`, to
// `oneapm-debug-<pid>.log` in the debug directory (with a file log_file) or
// to the configured stream. Its own threshold per logger name (the tree
// enables a logger's methods down to it), its own writer, its own byte budget.
// It never writes after its expiry or past its budget: the first record that
// would is not written and the owner is told to end the session.

import path from 'node:path'
import fs from 'node:fs'
import { debugLogName } from '../../config/debug-dir'
import type { FormatContext, LineFormat } from '../../format/line-format'
import { ensureDir } from '../../sinks/log-path'
import { FdWriter, fdTarget } from '../../sinks/fd-writer'
import { openOwn } from '../../sinks/own-file'
import { LEVELS, type LevelValue } from '../../record/levels'
import type { LogRecord } from '../../record/record'
import { recordOf } from '../args'
import type { Recorded } from '../flight-recorder'
import type { Logger } from '../logger'
import { materialize } from '../snapshot'
import { covers, describeOnly, type EndReason, type SessionSpec } from './control'

/** Room kept in the budget for the session's end line, so the whole output stays within max_size. */
const END_RESERVE = 1024
/** Session output held in memory while the file or stream is slow: past this, records are dropped and counted. */
const MAX_BUFFER = 1024 * 1024

export interface SinkTarget {
  /** `stderr`, `stdout`, or the file's path. */
  readonly target: string
  /** Set when the debug directory could not be used and stderr is written instead. */
  readonly problem?: string
}

/** The fd of a standard stream target, else undefined. */
function streamFd (target: string): number | undefined {
  return target === 'stderr' ? 2 : target === 'stdout' ? 1 : undefined
}

/**
 * Where the session output of this process goes: the file in `dir`, or the
 * stream log_file names. A file is opened now; a stream gets no writer here
 * (the main destination's writer is used when it is the same stream).
 */
export function openSessionTarget (logFile: string, dir: string): { writer: FdWriter | undefined, where: SinkTarget } {
  if (logFile === 'stderr' || logFile === 'stdout') return { writer: undefined, where: { target: logFile } }
  const file = path.resolve(dir, debugLogName(process.pid))
  try {
    ensureDir(dir)
    const fd = openOwn(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT)
    return { writer: new FdWriter(fdTarget(fd, true), { maxBuffer: MAX_BUFFER }), where: { target: file } }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return { writer: undefined, where: { target: 'stderr', problem: `${file} cannot be written (${e.code ?? 'EIO'}: ${e.message})` } }
  }
}

/** The tag session lines carry in a main destination's writer: not a level, so the main log's counts skip them. */
export const SESSION_TAG = 1

/**
 * One process's output of one session, shared by every logger tree of the
 * process that joins it (a second createLogger() is an independent tree):
 * one file, one byte budget, one set of counters. Each tree adds its own
 * SessionSink, which formats with the tree's layout and writes through here.
 */
export class SessionOutput {
  records = 0
  bytes = 0
  /** Set once the session writes nothing more in this process (expiry, budget, stop, replaced). */
  done = false
  /** Why `done` was set. */
  reason: EndReason | undefined
  private own: FdWriter | undefined
  /** Drops of writers no longer held (a closed file writer) and of main writers borrowed. */
  private droppedElsewhere = 0
  private readonly members = new Set<(reason: EndReason) => void>()

  constructor (readonly spec: SessionSpec, readonly where: SinkTarget, writer: FdWriter | undefined, private readonly logFile: string, private readonly dir: string) {
    this.own = writer
  }

  get dropped (): number {
    return this.droppedElsewhere + dropsOf(this.own)
  }

  get joined (): number {
    return this.members.size
  }

  /** The writer a tree writes through: its main destination's own when that is the same stream (one queue per fd), else ours. */
  writerFor (main: { readonly target: string, readonly writer: FdWriter }): { readonly writer: FdWriter, readonly borrowed: boolean } {
    const fd = streamFd(this.where.target)
    if (fd !== undefined && main.target === this.where.target) return { writer: main.writer, borrowed: true }
    if (this.own === undefined || !this.own.isOpen) {
      if (this.own !== undefined) this.droppedElsewhere += dropsOf(this.own)
      // A file closed when its last tree left (reconfigured) is opened again; a stream is its fd, never owned.
      const reopened = fd === undefined ? openSessionTarget(this.logFile, this.dir).writer : undefined
      this.own = reopened ?? new FdWriter(fdTarget(fd ?? 2, false), { maxBuffer: MAX_BUFFER })
    }
    return { writer: this.own, borrowed: false }
  }

  join (onLimit: (reason: EndReason) => void): void {
    this.members.add(onLimit)
  }

  /** A tree leaves; the file is flushed and closed once none is left. Whether it was the last. */
  leave (onLimit: (reason: EndReason) => void): boolean {
    this.members.delete(onLimit)
    if (this.members.size > 0) return false
    const own = this.own
    if (own !== undefined) {
      own.close(1000)
      this.droppedElsewhere += dropsOf(own)
      this.own = undefined
    }
    return true
  }

  /** Counts a line and writes it, or says why not (then the session ends in every tree). */
  put (line: string, time: number, kind: 'record' | 'own' | 'last', writer: FdWriter, borrowed: boolean): void {
    if (this.done && kind !== 'last') return
    if (time >= this.spec.expires || Date.now() >= this.spec.expires) return this.limit('expired')
    const n = Buffer.byteLength(line)
    // The end line uses the room kept for it; nothing else does.
    if (kind !== 'last' && this.bytes + n > this.spec.maxSize - END_RESERVE) return this.limit('budget')
    if (kind === 'last' && this.bytes + n > this.spec.maxSize) return
    this.bytes += n
    if (kind === 'record') this.records++
    if (!borrowed) {
      writer.write(line)
    } else if (!writer.write(line, SESSION_TAG)) {
      this.droppedElsewhere++
    }
  }

  /** The session ends in this process: every tree that joined is told once. */
  limit (reason: EndReason): void {
    if (this.done) return
    this.done = true
    this.reason = reason
    for (const m of [...this.members]) m(reason)
  }

  flushSync (): void {
    this.own?.flushSync(100)
  }
}

/** Whether a record's fields already say `debug_session=<id>` (the session's own lines); a getter is never run. */
function namesSession (fields: object | undefined, id: string): boolean {
  if (typeof fields !== 'object' || fields === null) return false
  try {
    return Object.getOwnPropertyDescriptor(fields, 'debug_session')?.value === id
  } catch {
    return false
  }
}

function dropsOf (w: FdWriter | undefined): number {
  if (w === undefined) return 0
  const d = w.stats.dropped
  return d.buffer_full + d.write_error + d.destination_gone + d.closed
}

/** One tree's view of the session output: that tree's layout, thresholds and writer; the budget and counts are the process's. */
export class SessionSink {
  /** Set once this tree writes nothing more to the session. */
  done = false
  private readonly threshold: number
  private readonly thresholds = new Map<string, number>()
  private readonly headers = new Map<string, string[]>()
  private readonly bound = new WeakMap<Logger, string>()
  private readonly boundPlain = new WeakMap<Logger, string>()
  private readonly idField: string
  private readonly writer: FdWriter
  private readonly borrowed: boolean
  private readonly member: (reason: EndReason) => void

  constructor (
    readonly shared: SessionOutput,
    private readonly format: LineFormat,
    private readonly ctx: FormatContext,
    main: { readonly target: string, readonly writer: FdWriter },
    /** Told once, outside the record being written, when expiry or the budget ends the session. */
    private readonly onLimit: (reason: EndReason) => void
  ) {
    this.threshold = LEVELS[shared.spec.level]
    this.idField = format.bindings({ debug_session: shared.spec.id }, ctx)
    const w = shared.writerFor(main)
    this.writer = w.writer
    this.borrowed = w.borrowed
    this.member = (reason) => { this.limit(reason) }
    shared.join(this.member)
  }

  get spec (): SessionSpec {
    return this.shared.spec
  }

  get where (): SinkTarget {
    return this.shared.where
  }

  get records (): number {
    return this.shared.records
  }

  get bytes (): number {
    return this.shared.bytes
  }

  get dropped (): number {
    return this.shared.dropped
  }

  thresholdFor (name: string): number {
    let t = this.thresholds.get(name)
    if (t === undefined) {
      t = covers(this.spec.only, name) ? this.threshold : Infinity
      // Names are capped by the tree (MAX_LOGGERS); this map follows them.
      this.thresholds.set(name, t)
    }
    return t
  }

  take (logger: Logger, rec: LogRecord): void {
    if (this.done) return
    this.put(this.format.line(rec, this.header(logger.name, rec.level), this.bindings(logger, rec), this.ctx), rec.time)
  }

  /** The flight recorder's recent records of the session's components, marked as recorded before the session. */
  preamble (records: readonly Recorded[], windowMs: number): void {
    const mine = records.filter((r) => r.level >= this.threshold && covers(this.spec.only, r.logger.name))
    const now = Date.now()
    this.note(now, 30, `debug session ${this.spec.id}: the ${mine.length} records of ${describeOnly(this.spec.only)} kept by the flight recorder in the last ${Math.round(windowMs / 1000)} s follow, marked recorded`,
      { event: 'debug_session_preamble', records: mine.length, window_s: Math.round(windowMs / 1000) })
    for (const r of mine) {
      if (this.done) return
      const rec = recordOf(r.time, r.level, materialize(r.args), this.ctx)
      this.put(this.format.line(rec, this.format.recordedHeader(this.header(r.logger.name, r.level)), this.bindings(r.logger, rec), this.ctx), now)
    }
  }

  /** A line of the session's own (preamble, end) under `oneapm.debug_session`. */
  note (time: number, level: LevelValue, msg: string, fields: object, last = false): void {
    const rec: LogRecord = { time, level, msg, fields, err: undefined }
    this.put(this.format.line(rec, this.header('oneapm.debug_session', level), this.idField, this.ctx), time, last ? 'last' : 'own')
  }

  private put (line: string, time: number, kind: 'record' | 'own' | 'last' = 'record'): void {
    this.shared.put(line, time, kind, this.writer, this.borrowed)
  }

  private limit (reason: EndReason): void {
    if (this.done) return
    this.done = true
    this.onLimit(reason)
  }

  private header (name: string, level: LevelValue): string {
    let byLevel = this.headers.get(name)
    if (byLevel === undefined) {
      byLevel = []
      this.headers.set(name, byLevel)
    }
    const i = level / 10
    return byLevel[i] ?? (byLevel[i] = this.format.header(this.ctx.redactor.name(name), level))
  }

  /** The logger's bindings and the session id, once: a record that names the session itself (debug_session_started) is not marked twice. */
  private bindings (logger: Logger, rec: LogRecord): string {
    const own = namesSession(rec.fields, this.spec.id)
    const cache = own ? this.boundPlain : this.bound
    let text = cache.get(logger)
    if (text === undefined) {
      text = this.format.bindings(own ? logger.bindings : { ...logger.bindings, debug_session: this.spec.id }, this.ctx)
      cache.set(logger, text)
    }
    return text
  }

  flushSync (): void {
    if (this.borrowed) this.writer.flushSync(100)
    else this.shared.flushSync()
  }

  /** For the tree (reconfigured, closed): stops writing; the owner ends the session in this tree. */
  close (): void {
    if (this.done) return
    this.done = true
    this.onLimit('closed')
  }

  /**
   * This tree leaves: the end line (when `endLine` and this is the last tree
   * of the process), then the file is released once no tree is left. Whether
   * it was the last.
   */
  leave (endLine?: { readonly msg: string, readonly fields: object }): boolean {
    this.done = true
    if (this.shared.joined === 1 && endLine !== undefined) this.note(Date.now(), 30, endLine.msg, endLine.fields, true)
    if (this.borrowed) this.writer.flushSync(100)
    return this.shared.leave(this.member)
  }
}
