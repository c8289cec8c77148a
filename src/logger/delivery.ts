// The main sink: a record to the host's logger when the agent was given one
// and it listens, else to the log destination (the Output). Also the debug
// mirror, and the flight recorder's dump before an error. Extra sinks
// (shipping) are the fan-out's job (logger/sinks.ts), not this one's.

import type { FormatContext } from '../format/line-format'
import { textBody, textFormat } from '../format/text'
import { exiting } from '../internal/exit'
import { describeThrown } from '../internal/describe'
import { NAME_OF, type LevelName, type LevelValue } from '../record/levels'
import type { LogRecord } from '../record/record'
import { recordOf } from './args'
import type { FlightRecorder } from './flight-recorder'
import type { HostLogger } from './host-logger'
import { boundTextOf, headerOf, type Logger } from './logger'
import type { Output } from './output'
import { guard } from './reentry'
import { materialize } from './snapshot'

/** How long a record logged in an exit listener may wait on a pipe. */
const EXIT_FLUSH_WAIT_MS = 1000

export interface DeliveryOwner {
  readonly root: Logger
  readonly host: HostLogger | undefined
  readonly recorderSkipped: number
  /** Adds one to an interference counter. */
  count (cause: string): void
  /** A record that is always written (the recorder's preamble). */
  writeAlways (logger: Logger, level: LevelValue, msg: string, fields: object): void
}

export class Delivery {
  /** Records the host's logger threw on (said once, see hostFailed). */
  private hostFailures = 0

  constructor (private readonly owner: DeliveryOwner) {}

  /** A formatted record to the host's logger when one is in use and listening, else to the destination. */
  deliver (logger: Logger, rec: LogRecord, output: Output, recorded: boolean, ctx: FormatContext = output.ctx): void {
    const host = this.owner.host
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
    this.owner.count('host_logger_failed')
    if (this.hostFailures++ > 0) return
    const reason = describeThrown(err)
    const rec: LogRecord = {
      time: Date.now(),
      level: 40,
      msg: `${host.describe()} threw while taking an agent record (${reason}); that record, and any later one it throws on, is written to ${output.destination.target} instead. Fix: repair the host logger's transport, or set ONEAPM_LOG_IGNORE_HOST_LOGGER=true to always use log_file`,
      fields: { event: 'host_interference', cause: 'host_logger_failed', host_logger: host.kind, reason },
      err: undefined
    }
    this.toDestination(this.owner.root, rec, output, false, output.ctx)
  }

  /** A formatted record to the log destination. */
  private toDestination (logger: Logger, rec: LogRecord, output: Output, recorded: boolean, ctx: FormatContext): void {
    let header = headerOf(logger, output, rec.level)
    if (recorded) header = output.format.recordedHeader(header)
    this.write(output, output.format.line(rec, header, boundTextOf(logger, output), ctx), rec.level)
  }

  /** A formatted line to the destination; no code of the host's runs here, so internal notices may log. */
  write (output: Output, line: string, level: LevelValue): void {
    // The guard down as unguarded() would put it, without a closure per record.
    const was = guard.busy
    guard.busy = false
    try {
      output.write(line, level)
      // Our exit hook has run: no later turn of the event loop will write this.
      if (exiting()) output.writer.flushSync(EXIT_FLUSH_WAIT_MS)
    } finally {
      guard.busy = was
    }
  }

  /** The record through `debug`: message and fields as the text layout prints them; debug adds name and time. */
  mirror (d: (fmt: string, ...args: unknown[]) => void, logger: Logger, rec: LogRecord, output: Output): void {
    const bound = logger.bindings
    d('%s', textBody(rec, Object.keys(bound).length === 0 ? '' : textFormat.bindings(bound, output.ctx), output.ctx))
  }

  /** Writes the recent below-level records just before an error, marked as recorded context. */
  dumpRecorder (output: Output, now: number): void {
    const recorder = output.recorder as FlightRecorder
    const records = recorder.take(now)
    if (records === undefined) return
    this.owner.writeAlways(this.owner.root, 30,
      `flight recorder: the ${records.length} records below log level from the last ${Math.round(recorder.windowMs / 1000)} s follow, as context for the next error`,
      { event: 'flight_recorder_dump', records: records.length, window_s: Math.round(recorder.windowMs / 1000), evicted: recorder.evicted, skipped: recorder.skipped + this.owner.recorderSkipped })
    for (const r of records) this.deliver(r.logger, recordOf(r.time, r.level, materialize(r.args), output.ctx), output, true)
  }
}
