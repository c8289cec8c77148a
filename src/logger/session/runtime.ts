// One tree's debug sessions. Every configured tree polls the control file in
// the debug directory with one lstat every POLL_MS on an unref'd timer, and
// reads it only when its inode, size or times changed; a valid, unexpired,
// active session there is joined, a removed or stopped one is left. A
// session started through the API is process-local and needs no file. At
// most one session runs per tree: a new one replaces the old.
//
// While a session runs, its sink is one more extra sink of the tree: the
// main destination keeps its levels, and loggers outside the session's
// components keep their thresholds, so they cost what they cost before.
// With no session there is no extra sink at all: nothing on the hot path.

import path from 'node:path'
import type { AgentConfig } from '../../config/load'
import { DEBUG_CONTROL_FILE, debugDirOf } from '../../config/debug-dir'
import { flushAtExit } from '../../internal/exit'
import { guard } from '../reentry'
import type { Tree } from '../tree'
import type { Output } from '../output'
import { describeOnly, parseControl, type EndReason, type SessionSpec } from './control'
import { readBounded, signatureOf, statQuiet, writeState, type ProcessState } from './files'
import { openSessionTarget, SessionSink } from './sink'

/** How often each process looks at the control file. */
export const POLL_MS = 2000

export interface SessionSummary {
  readonly id: string
  readonly end_reason: EndReason
  readonly records: number
  readonly bytes: number
  readonly dropped: number
  /** Where this process wrote the session: a path, `stderr` or `stdout`. */
  readonly file: string
}

export interface Active {
  readonly spec: SessionSpec
  readonly sink: SessionSink
  readonly remove: () => void
  readonly expiry: NodeJS.Timeout
  readonly since: number
  readonly ended: Promise<SessionSummary>
  readonly resolve: (s: SessionSummary) => void
  stateWritten: number
}

export class SessionRuntime {
  readonly dir: string
  readonly control: string
  private current: Active | undefined
  private timer: NodeJS.Timeout | undefined
  private seen = ''
  /** The control file's signature a warning was given for: one warning per change. */
  private warned = ''
  private stateProblem = false
  private stopped = false
  private readonly cancelExit: () => void

  constructor (readonly tree: Tree, private readonly output: Output, config: AgentConfig, readonly pollMs = POLL_MS) {
    this.dir = path.resolve(debugDirOf(config))
    this.control = path.join(this.dir, DEBUG_CONTROL_FILE)
    this.cancelExit = flushAtExit(() => { this.atExit() })
    this.poll()
    this.timer = setInterval(() => { this.poll() }, pollMs).unref()
  }

  /** The running session's spec and counts, or undefined. */
  get session (): (SessionSpec & { readonly records: number, readonly bytes: number, readonly file: string, readonly ended: Promise<SessionSummary> }) | undefined {
    const c = this.current
    return c === undefined ? undefined : { ...c.spec, records: c.sink.records, bytes: c.sink.bytes, file: c.sink.where.target, ended: c.ended }
  }

  /** One look at the control file (and the running session's expiry and state file). Never throws. */
  poll (): void {
    try {
      if (this.stopped) return
      if (this.output.closed || this.tree.output !== this.output) return this.stop()
      const c = this.current
      if (c !== undefined && Date.now() >= c.spec.expires) this.end(c, 'expired')
      const st = statQuiet(this.control)
      const sig = signatureOf(st)
      if (sig !== this.seen) {
        this.seen = sig
        this.apply(sig)
      }
      const now = this.current
      if (now !== undefined && Date.now() - now.stateWritten >= this.pollMs - 50) this.saveState(now, 'active')
    } catch (err) {
      this.warn('poll', `the debug session control file could not be checked: ${String(err)}`)
    }
  }

  private apply (sig: string): void {
    const r = readBounded(this.control)
    const c = this.current
    if ('missing' in r) {
      if (c?.spec.source === 'cli') this.end(c, 'stopped')
      return
    }
    if ('problem' in r) return this.warn(sig, `${this.control} is ${r.problem}`)
    const now = Date.now()
    const parsed = parseControl(r.text, now)
    if (!parsed.ok) return this.warn(sig, `${this.control} ignored: ${parsed.problem}`)
    const spec = parsed.value
    const same = c !== undefined && c.spec.id === spec.id
    if (spec.state === 'stopped' || now >= spec.expires) {
      if (same) this.end(c, spec.state === 'stopped' ? 'stopped' : 'expired')
      return
    }
    if (same) return
    this.start(spec)
  }

  /** Starts `spec` in this tree, ending any session already running (replaced). */
  start (spec: SessionSpec): Active | undefined {
    const c = this.current
    if (c !== undefined) this.end(c, 'replaced')
    if (this.stopped || this.output.closed) return undefined
    const settings = this.output.settings
    const { writer, where } = openSessionTarget(settings.log_file, this.dir)
    if (where.problem !== undefined) {
      this.problem(`debug session output: ${where.problem}; the session writes to stderr instead. Fix: make log_debug_dir (${this.dir}) a writable directory`,
        { code: 'CONFIG_INVALID_VALUE', key: 'log_debug_dir', value: this.dir, accepted: 'a writable directory', used: 'stderr for the session output' })
    }
    let resolve: (s: SessionSummary) => void = () => {}
    const ended = new Promise<SessionSummary>((res) => { resolve = res })
    let active: Active | undefined
    const sink = new SessionSink(spec, this.output.format, this.output.ctx, writer, where, (reason) => {
      if (active !== undefined) this.endSoon(active, reason)
    })
    const remove = this.tree.addSink(sink)
    const expiry = setTimeout(() => { if (active !== undefined) this.end(active, 'expired') }, Math.max(0, spec.expires - Date.now())).unref()
    active = { spec, sink, remove, expiry, since: Date.now(), ended, resolve, stateWritten: 0 }
    this.current = active
    const recorder = this.output.recorder
    sink.preamble(recorder === undefined ? [] : recorder.recent(Date.now()), recorder?.windowMs ?? 0)
    this.info(`debug session ${spec.id} started (${spec.source}): ${spec.level} records of ${describeOnly(spec.only)} go to ${where.target} until ${new Date(spec.expires).toISOString()}${spec.reason === '' ? '' : `; reason: ${spec.reason}`}`,
      { event: 'debug_session_started', ...this.fieldsOf(active) })
    this.saveState(active, 'active')
    return active
  }

  /** Ends the session if it is still the running one (API stop()). */
  stopSession (id: string): void {
    const c = this.current
    if (c !== undefined && c.spec.id === id) this.end(c, 'stopped')
  }

  /** Ends `a` from inside a log call (its sink hit a limit): after the call, when logging is allowed again. */
  private endSoon (a: Active, reason: EndReason): void {
    if (reason === 'closed' || !guard.busy) return this.end(a, reason)
    queueMicrotask(() => { this.end(a, reason) })
  }

  private end (a: Active, reason: EndReason): void {
    if (this.current !== a) return
    this.current = undefined
    clearTimeout(a.expiry)
    a.remove()
    if (reason !== 'expired' && reason !== 'closed') {
      a.sink.note(Date.now(), 30, `debug session ${a.spec.id} ended: ${reason}`, { event: 'debug_session_ended', end_reason: reason }, true)
    }
    a.sink.finish()
    const summary: SessionSummary = { id: a.spec.id, end_reason: reason, records: a.sink.records, bytes: a.sink.bytes, dropped: a.sink.dropped, file: a.sink.where.target }
    this.info(`debug session ${a.spec.id} ended (${reason}): ${summary.records} records, ${summary.bytes} bytes written to ${summary.file}${summary.dropped > 0 ? `, ${summary.dropped} dropped` : ''}`,
      { event: 'debug_session_ended', ...this.fieldsOf(a), end_reason: reason, records: summary.records, bytes: summary.bytes, dropped: summary.dropped })
    this.saveState(a, 'ended', reason)
    a.resolve(summary)
  }

  private fieldsOf (a: Active): Record<string, unknown> {
    const s = a.spec
    return { debug_session: s.id, reason: s.reason, source: s.source, session_level: s.level, components: describeOnly(s.only), expires: new Date(s.expires).toISOString(), max_size: s.maxSize, file: a.sink.where.target }
  }

  private saveState (a: Active, state: ProcessState['state'], reason?: EndReason): void {
    a.stateWritten = Date.now()
    const problem = writeState(this.dir, {
      pid: process.pid,
      session: a.spec.id,
      since: new Date(a.since).toISOString(),
      records: a.sink.records,
      bytes: a.sink.bytes,
      dropped: a.sink.dropped,
      file: a.sink.where.target,
      state,
      ...(reason === undefined ? {} : { end_reason: reason }),
      updated: new Date().toISOString()
    })
    // Said once: the directory the output could not use either was said already.
    if (problem !== undefined && !this.stateProblem && a.sink.where.problem === undefined) {
      this.stateProblem = true
      this.problem(`the debug session state file could not be written in ${this.dir} (${problem}); \`debug status\` will not list this process`,
        { code: 'CONFIG_INVALID_VALUE', key: 'log_debug_dir', value: this.dir, accepted: 'a writable directory', used: 'no state file' })
    }
  }

  private atExit (): void {
    const c = this.current
    if (c === undefined) return
    c.sink.flushSync()
    this.saveState(c, 'exited')
  }

  /** Stops watching; a running session ends (closed). */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    clearInterval(this.timer)
    this.cancelExit()
    const c = this.current
    if (c !== undefined) this.end(c, 'closed')
  }

  private info (msg: string, fields: object): void {
    this.tree.always(this.tree.node('oneapm.debug_session'), 30, msg, fields)
  }

  private problem (msg: string, fields: Record<string, unknown>): void {
    this.tree.always(this.tree.node('oneapm.config'), 40, msg, { event: 'config_problem', ...fields, source: 'debug session' })
  }

  /** One warning per change of the control file. */
  private warn (sig: string, msg: string): void {
    if (sig === this.warned) return
    this.warned = sig
    this.problem(`${msg}; no debug session joined from it. Fix: run oneapm-agent-log debug start again, or remove the file`,
      { code: 'CONFIG_INVALID_VALUE', key: DEBUG_CONTROL_FILE, value: this.control, accepted: 'a control file written by oneapm-agent-log debug start', used: 'no session' })
  }
}

const runtimes = new WeakMap<Tree, SessionRuntime>()
let processRuntime: SessionRuntime | undefined

/**
 * Starts (or restarts, after a reconfiguration) the watch of `tree`. The
 * process-wide tree's watch is the one the API starts sessions in.
 */
export function watchSessions (tree: Tree, output: Output, config: AgentConfig, global: boolean, pollMs?: number): SessionRuntime {
  runtimes.get(tree)?.stop()
  const r = new SessionRuntime(tree, output, config, pollMs)
  runtimes.set(tree, r)
  if (global) processRuntime = r
  return r
}

export function processSessions (): SessionRuntime | undefined {
  return processRuntime
}
