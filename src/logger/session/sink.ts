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

/** Where the session output of this process goes: the file in `dir`, or the stream log_file names. */
export function openSessionTarget (logFile: string, dir: string): { writer: FdWriter, where: SinkTarget } {
  if (logFile === 'stderr' || logFile === 'stdout') {
    return { writer: new FdWriter(fdTarget(logFile === 'stderr' ? 2 : 1, false), { maxBuffer: MAX_BUFFER }), where: { target: logFile } }
  }
  const file = path.resolve(dir, debugLogName(process.pid))
  try {
    ensureDir(dir)
    const fd = openOwn(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT)
    return { writer: new FdWriter(fdTarget(fd, true), { maxBuffer: MAX_BUFFER }), where: { target: file } }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return {
      writer: new FdWriter(fdTarget(2, false), { maxBuffer: MAX_BUFFER }),
      where: { target: 'stderr', problem: `${file} cannot be written (${e.code ?? 'EIO'}: ${e.message})` }
    }
  }
}

export class SessionSink {
  records = 0
  bytes = 0
  /** Set once the sink writes nothing more (expiry, budget, end). */
  done = false
  private readonly threshold: number
  private readonly thresholds = new Map<string, number>()
  private readonly headers = new Map<string, string[]>()
  private readonly bound = new WeakMap<Logger, string>()
  private readonly idField: string

  constructor (
    readonly spec: SessionSpec,
    private readonly format: LineFormat,
    private readonly ctx: FormatContext,
    private readonly writer: FdWriter,
    readonly where: SinkTarget,
    /** Told once, outside the record being written, when expiry or the budget ends the session. */
    private readonly onLimit: (reason: EndReason) => void
  ) {
    this.threshold = LEVELS[spec.level]
    this.idField = format.bindings({ debug_session: spec.id }, ctx)
  }

  get dropped (): number {
    const d = this.writer.stats.dropped
    return d.buffer_full + d.write_error + d.destination_gone + d.closed
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
    this.put(this.format.line(rec, this.header(logger.name, rec.level), this.bindings(logger), this.ctx), rec.time)
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
      this.put(this.format.line(rec, this.format.recordedHeader(this.header(r.logger.name, r.level)), this.bindings(r.logger), this.ctx), now)
    }
  }

  /** A line of the session's own (preamble, end) under `oneapm.debug_session`. */
  note (time: number, level: LevelValue, msg: string, fields: object, last = false): void {
    const rec: LogRecord = { time, level, msg, fields, err: undefined }
    this.put(this.format.line(rec, this.header('oneapm.debug_session', level), this.idField, this.ctx), time, last ? 'last' : 'own')
  }

  private put (line: string, time: number, kind: 'record' | 'own' | 'last' = 'record'): void {
    if (time >= this.spec.expires || Date.now() >= this.spec.expires) return this.limit('expired')
    const n = Buffer.byteLength(line)
    // The end line uses the room kept for it; nothing else does.
    if (kind !== 'last' && this.bytes + n > this.spec.maxSize - END_RESERVE) return this.limit('budget')
    if (kind === 'last' && this.bytes + n > this.spec.maxSize) return
    this.bytes += n
    if (kind === 'record') this.records++
    this.writer.write(line)
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

  private bindings (logger: Logger): string {
    let text = this.bound.get(logger)
    if (text === undefined) {
      text = this.format.bindings({ ...logger.bindings, debug_session: this.spec.id }, this.ctx)
      this.bound.set(logger, text)
    }
    return text
  }

  flushSync (): void {
    this.writer.flushSync(100)
  }

  /** For the tree (reconfigured, closed): stops writing; the owner ends the session. */
  close (): void {
    if (this.done) return
    this.done = true
    this.onLimit('closed')
  }

  /** Writes what is queued and releases the file (never fd 1 or 2). */
  finish (): void {
    this.done = true
    this.writer.close(1000)
  }
}
