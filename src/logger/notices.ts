// What the tree says about its surroundings: the host changing debug's
// namespaces or the standard streams, the host's logger hiding agent
// warnings, the log file changing under us, records dropped by a slow
// destination. Each is one record, with the cause and the fix.

import type { Interference } from '../diagnostics/stdio-probe'
import type { DropReason } from '../sinks/fd-writer'
import type { FileEvent } from '../sinks/rotating-file'
import type { LevelValue } from '../record/levels'
import type { DebugChange } from './debug-bridge'
import { fileNotice } from './file-notices'
import type { HostLogger } from './host-logger'
import type { Logger } from './logger'
import type { Output } from './output'

const DROP_REASONS: Readonly<Record<DropReason, string>> = {
  buffer_full: 'the destination was too slow and the buffer was full',
  write_error: 'writes were failing',
  destination_gone: 'the destination went away',
  closed: 'the logger was closed'
}

export interface NoticeOwner {
  readonly root: Logger
  readonly output: Output | undefined
  readonly host: HostLogger | undefined
  node (fullName: string): Logger
  count (cause: string): void
  always (logger: Logger, level: LevelValue, msg: string, fields: object): void
}

export class Notices {
  private readonly lastFileError = new Map<string, number>()

  constructor (private readonly owner: NoticeOwner) {}

  debugChanged (c: DebugChange): void {
    const { root, output } = this.owner
    const target = output?.destination.target ?? 'the log destination'
    const fields = { event: 'host_interference', before: c.before, after: c.after }
    if (c.otherCopy) {
      this.owner.count('debug_env_changed')
      root.warning({ ...fields, cause: 'debug_env_changed' },
        'another copy of debug in the host changed DEBUG from %j to %j; the agent uses its own copy, where oneapm:* is %s. Agent diagnostics continue in %s',
        c.before, c.after, c.isOn ? 'still on' : 'off', target)
    } else if (c.wasOn && !c.isOn) {
      this.owner.count('debug_disabled')
      root.warning({ ...fields, cause: 'debug_disabled' },
        'the host turned off the agent\'s debug namespaces: DEBUG was %j, is now %j. Agent diagnostics continue in %s. Fix: keep oneapm:* in the host\'s debug.enable(...) call, or rely on log_file',
        c.before, c.after, target)
    } else if (!c.wasOn && c.isOn) {
      root.info({ event: 'debug_enabled', before: c.before, after: c.after },
        'debug namespaces for the agent are on (DEBUG=%j): records at debug and above also go through debug', c.after)
    }
  }

  /** Says once (per change) that the host's logger would hide agent warnings, and where records go instead. */
  reportHostLogger (): void {
    const host = this.owner.host
    if (host === undefined || host.silenced === undefined) return
    this.owner.count('host_logger_silenced')
    this.owner.always(this.owner.root, 40,
      `${host.describe()} would hide agent warnings: ${host.silenced}. Agent records go to ${this.owner.output?.destination.target ?? 'log_file'} instead until that changes. Fix: let the host logger show warnings from the agent, or set ONEAPM_LOG_IGNORE_HOST_LOGGER=true to always use log_file`,
      { event: 'host_interference', cause: 'host_logger_silenced', host_logger: host.kind, reason: host.silenced })
  }

  recheckHost (): void {
    const host = this.owner.host
    if (host === undefined) return
    const { changed, reason } = host.recheck()
    if (!changed) return
    if (reason !== undefined) this.reportHostLogger()
    else this.owner.root.info({ event: 'host_logger_restored', host_logger: host.kind }, '%s shows agent warnings again; agent records go there again', host.describe())
  }

  stdioChanged (i: Interference): void {
    this.owner.count(i.cause)
    this.owner.root.warning({ event: 'host_interference', cause: i.cause }, '%s', i.message)
  }

  /** What happened to the log file: rotations, and changes made by someone else. */
  fileEvent (e: FileEvent): void {
    const notice = fileNotice(e)
    if (notice === undefined) return
    if (e.kind === 'rotation_error') {
      // A broken directory would fail every batch: say it once a minute.
      const now = Date.now()
      if (now - (this.lastFileError.get(e.code) ?? -Infinity) < 60_000) return
      this.lastFileError.set(e.code, now)
    }
    const log = this.owner.node('oneapm.logfile')
    log[notice.level](notice.fields, notice.msg)
  }

  drops (n: number, reason: DropReason): void {
    this.owner.always(this.owner.root, 40, `dropped ${n} records because ${DROP_REASONS[reason]}; writing has resumed`,
      { event: 'records_dropped', reason, dropped: n })
  }
}
