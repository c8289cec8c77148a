// Where one logger tree's records go: the layout, the redaction rules, the
// destination, and the counts of what was written. Built from settings once
// the config is known; until then the tree keeps records in its early queue.

import type { LogSettings } from '../config/keys'
import { jsonFormat } from '../format/json'
import type { FormatContext, LineFormat } from '../format/line-format'
import { Redactor } from '../format/redact'
import { textFormat } from '../format/text'
import { flushAtExit } from '../internal/exit'
import { openDestination, type Destination } from '../sinks/destination'
import type { DropReason, FdWriter } from '../sinks/fd-writer'
import { LEVEL_NAMES, NAME_OF, type LevelName, type LevelValue } from '../record/levels'

export interface OutputHooks {
  readonly onRecovered: (dropped: number, reason: DropReason) => void
}

/** How long a synchronous flush may wait on a pipe that says EAGAIN. */
const ERROR_FLUSH_WAIT_MS = 100
const EXIT_FLUSH_WAIT_MS = 1000

export class Output {
  readonly format: LineFormat
  readonly ctx: FormatContext
  readonly destination: Destination
  readonly written: Record<LevelName, number>
  closed = false
  /** Calls made after close(). */
  droppedAfterClose = 0
  private readonly cancelExit: () => void

  constructor (readonly settings: LogSettings, hooks: OutputHooks) {
    this.format = settings.log_format === 'json' ? jsonFormat : textFormat
    this.ctx = {
      redactor: new Redactor({ licenseKey: settings.license_key, extraNames: settings.log_redact }),
      maxString: settings.log_max_line,
      maxLine: settings.log_max_line
    }
    this.destination = openDestination(settings.log_file, { maxBuffer: settings.log_buffer_max, onRecovered: hooks.onRecovered })
    this.written = Object.fromEntries(LEVEL_NAMES.map((n) => [n, 0])) as Record<LevelName, number>
    const writer = this.destination.writer
    this.cancelExit = flushAtExit(() => { writer.flushSync(EXIT_FLUSH_WAIT_MS) })
  }

  get writer (): FdWriter {
    return this.destination.writer
  }

  /** Queues a formatted line; error and critical lines leave before this returns. */
  write (line: string, level: LevelValue): void {
    if (this.destination.writer.write(line)) this.written[NAME_OF[level] as LevelName]++
    if (level >= 50) this.destination.writer.flushSync(ERROR_FLUSH_WAIT_MS)
  }

  flush (): void {
    this.destination.writer.flushSync(ERROR_FLUSH_WAIT_MS)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.cancelExit()
    this.destination.writer.close(EXIT_FLUSH_WAIT_MS)
  }
}
