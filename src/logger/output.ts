// Where one logger tree's records go: the layout, the redaction rules, the
// destination, and the counts of what was written. Built from settings once
// the config is known; until then the tree keeps records in its early queue.

import fs from 'node:fs'
import type { LogSettings } from '../config/keys'
import { headerValues, knownSecrets } from '../config/load'
import { jsonFormat } from '../format/json'
import type { FormatContext, LineFormat } from '../format/line-format'
import { Redactor } from '../format/redact'
import { textFormat } from '../format/text'
import { flushAtExit } from '../internal/exit'
import { openDestination, type Destination } from '../sinks/destination'
import type { DropReason, FdWriter, WriteFn } from '../sinks/fd-writer'
import type { StatfsFn } from '../sinks/network-fs'
import { DEFAULT_TIMING, type FileEvent, type RotationSettings, type RotationTiming } from '../sinks/rotating-file'
import { FlightRecorder, type RecorderHooks } from './flight-recorder'
import { directNotice } from './file-notices'
import { LEVEL_NAMES, NAME_OF, type LevelName, type LevelValue } from '../record/levels'

export interface OutputHooks {
  readonly onRecovered: (dropped: number, reason: DropReason) => void
  readonly onFileEvent: (e: FileEvent) => void
  /** The destination went away for good (EPIPE, EBADF). */
  readonly onGone: (code: string) => void
  /** Pauses and resumes loggers over their flight-recorder budget. */
  readonly recorder?: RecorderHooks
}

/**
 * For tests, through createLogger's options: faster rotation timing and
 * sub-second periods, an injected statfs or write call. Not for production.
 */
export interface SinkHooks {
  readonly rotation?: Partial<RotationTiming> & { readonly periodMs?: number }
  readonly statfs?: StatfsFn
  readonly write?: WriteFn
  /** How often the host watch looks at debug and the standard streams (default 10 s). */
  readonly watchMs?: number
  /** How often the debug session control file is checked (default 2 s). */
  readonly debugPollMs?: number
}

/** How long a synchronous flush may wait on a pipe that says EAGAIN. */
const ERROR_FLUSH_WAIT_MS = 100
/**
 * Error records are on disk before the call returns, except in a burst: after
 * one is written synchronously, later ones logged by the same run of code (a
 * loop, one callback: until the microtask queue next runs) ride the next
 * write, and every BURST_MAX-th is written synchronously again (with all that
 * waits). So a hard crash (SIGKILL, a native abort, OOM) right after a burst
 * loses at most BURST_MAX - 1 of its errors, never the first; natural exit,
 * process.exit() and an uncaught exception lose none (the exit hook writes
 * them). Critical records never wait: they are what precedes an abort.
 */
export const BURST_MAX = 64
const EXIT_FLUSH_WAIT_MS = 1000

/** The OTLP header values the environment gives (OTEL_EXPORTER_OTLP_*HEADERS) when shipping is on: secrets like log_ship_headers'. */
function otlpEnvSecrets (settings: LogSettings): string[] {
  if (settings.log_ship.length === 0) return []
  const out: string[] = []
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_LOGS_HEADERS']) {
    const v = process.env[name]
    if (v !== undefined) {
      for (const value of headerValues(v)) {
        out.push(value)
        try {
          out.push(decodeURIComponent(value))
        } catch {
          // Not percent-encoded.
        }
      }
    }
  }
  return out
}

export class Output {
  readonly format: LineFormat
  readonly ctx: FormatContext
  readonly destination: Destination
  readonly written: Record<LevelName, number>
  closed = false
  /** Calls made after close(). */
  droppedAfterClose = 0
  private readonly cancelExit: () => void
  /** Causes already told on stderr directly: once each. */
  private readonly told = new Set<string>()
  /** Errors queued since the last synchronous write in this burst; -1 when no burst is open. */
  private burst = -1
  private readonly endBurst = (): void => { this.burst = -1 }

  readonly rotation: RotationSettings
  /** Keeps below-level records for dumps before errors; undefined when log_flight_recorder = 0. */
  readonly recorder: FlightRecorder | undefined

  constructor (readonly settings: LogSettings, hooks: OutputHooks, sinkHooks: SinkHooks = {}) {
    this.format = settings.log_format === 'json' ? jsonFormat : textFormat
    this.ctx = {
      // Every secret the config was given, not only the license key in use (an empty ONEAPM_LICENSE_KEY= overrides the file's).
      redactor: new Redactor({ licenseKey: settings.license_key, extraNames: settings.log_redact, secrets: [...knownSecrets(settings), ...otlpEnvSecrets(settings)] }),
      maxString: settings.log_max_line,
      maxLine: settings.log_max_line
    }
    const { periodMs, ...timing } = sinkHooks.rotation ?? {}
    this.rotation = {
      maxSize: settings.log_max_size,
      period: periodMs ?? settings.log_rotate,
      maxFiles: settings.log_max_files,
      compress: settings.log_compress
    }
    this.destination = openDestination(settings.log_file, {
      maxBuffer: settings.log_buffer_max,
      onRecovered: hooks.onRecovered,
      onFileEvent: (e) => {
        this.tellStderr(e)
        hooks.onFileEvent(e)
      },
      // Counted by level only once the bytes are out: a record dropped or lost later never counts as written.
      // A debug session's lines sharing this writer (the same stream) carry a tag that is no level: not counted here.
      onWritten: (level, n) => { const name = NAME_OF[level]; if (name !== undefined) this.written[name] += n },
      onGone: hooks.onGone,
      rotation: this.rotation,
      timing: { ...DEFAULT_TIMING, ...timing },
      ...(sinkHooks.statfs === undefined ? {} : { statfs: sinkHooks.statfs }),
      ...(sinkHooks.write === undefined ? {} : { write: sinkHooks.write })
    })
    this.recorder = settings.log_flight_recorder > 0 ? new FlightRecorder(settings.log_flight_recorder, settings.log_flight_recorder_window, hooks.recorder) : undefined
    this.written = Object.fromEntries(LEVEL_NAMES.map((n) => [n, 0])) as Record<LevelName, number>
    const writer = this.destination.writer
    this.cancelExit = flushAtExit(() => { writer.flushSync(EXIT_FLUSH_WAIT_MS) })
  }

  get writer (): FdWriter {
    return this.destination.writer
  }

  /** Queues a formatted line; error and critical lines leave before this returns, errors but in a burst (BURST_MAX). */
  write (line: string, level: LevelValue): void {
    const writer = this.destination.writer
    writer.write(line, level)
    if (level < 50) return
    if (this.burst === -1 || level >= 60) {
      // The first error of this run of code: synchronous, and a burst opens
      // until it ends. A microtask, not setImmediate: a timer or I/O callback
      // that runs before the next check phase is a new run, and its first
      // error must not wait.
      writer.flushSync(ERROR_FLUSH_WAIT_MS)
      if (this.burst === -1) queueMicrotask(this.endBurst)
      this.burst = 0
    } else if (++this.burst === BURST_MAX) {
      writer.flushSync(ERROR_FLUSH_WAIT_MS)
      this.burst = 0
    }
  }

  /**
   * A problem with the log file is also said on stderr, straight to fd 2,
   * once per cause: the operator watching the app's output learns of it even
   * if nobody reads the log. (When the log falls back to stderr, the record
   * saying so is already there.)
   */
  private tellStderr (e: FileEvent): void {
    const notice = directNotice(e)
    if (notice === undefined || this.told.has(notice.cause)) return
    this.told.add(notice.cause)
    try {
      fs.writeSync(2, `oneapm-agent-log: ${notice.text}\n`)
    } catch {
      // stderr closed or full: the record in the log still says it.
    }
  }

  flush (): void {
    this.destination.writer.flushSync(ERROR_FLUSH_WAIT_MS)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.cancelExit()
    this.recorder?.stop()
    this.destination.writer.close(EXIT_FLUSH_WAIT_MS)
  }
}
