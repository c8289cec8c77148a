// One tree's debug sessions. Every configured tree polls the control file in
// the debug directory with one lstat every POLL_MS on an unref'd timer, and
// reads it only when its inode, size or times changed; a valid, unexpired,
// active session there, in our own regular file, is joined; a removed or
// stopped one is left. A session started through the API is process-local
// and needs no file. At most one session runs per process and debug
// directory: the trees of one process (a second createLogger() is an
// independent tree) share its output, byte budget and state file
// (SessionOutput), each adding its own sink; a new session replaces the old
// in every tree.
//
// While a session runs, its sink is one more extra sink of the tree: the
// main destination keeps its levels, and loggers outside the session's
// components keep their thresholds, so they cost what they cost before.
// With no session there is no extra sink at all: nothing on the hot path.

import path from 'node:path'
import type { AgentConfig } from '../../config/load'
import { DEBUG_CONTROL_FILE, debugDirIsFallback, debugDirOf } from '../../config/debug-dir'
import { flushAtExit } from '../../internal/exit'
import { guard } from '../reentry'
import type { Tree } from '../tree'
import type { Output } from '../output'
import { MAX_FOR_MS, describeOnly, parseControl, redactReason, type EndReason, type SessionSpec } from './control'
import { readBounded, signatureOf, statQuiet, writeState, type ProcessState } from './files'
import { openSessionTarget, SessionOutput, SessionSink } from './sink'

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
  /**
   * The debug directory is only the current directory's fallback (log_file a
   * stream, no log_debug_dir, no config file): a session from the API then
   * writes no state file there, so a process never litters its cwd.
   */
  private readonly fallbackDir: boolean

  constructor (readonly tree: Tree, private readonly output: Output, config: AgentConfig, readonly pollMs = POLL_MS) {
    this.dir = path.resolve(debugDirOf(config))
    this.fallbackDir = debugDirIsFallback(config)
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
    const r = readBounded(this.control, undefined, true)
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
  start (requested: SessionSpec): Active | undefined {
    const c = this.current
    if (c !== undefined) this.end(c, 'replaced')
    if (this.stopped || this.output.closed) return undefined
    // Redacted as the main log would (an API caller's text, a control file not written by our CLI): currentDebugSession() shows it too.
    const redactor = this.output.ctx.redactor
    const shared = acquireOutput(this.dir, { ...requested, reason: redactReason(requested.reason, (s) => redactor.text(s)) }, this.output.settings.log_file)
    // This process already ran it to its end (budget, expiry, stop) in another tree.
    if (shared === undefined) return undefined
    const spec = shared.spec
    const where = shared.where
    if (where.problem !== undefined) {
      this.problem(`debug session output: ${where.problem}; the session writes to stderr instead. Fix: make log_debug_dir (${this.dir}) a writable directory`,
        { code: 'CONFIG_INVALID_VALUE', key: 'log_debug_dir', value: this.dir, accepted: 'a writable directory', used: 'stderr for the session output' })
    }
    let resolve: (s: SessionSummary) => void = () => {}
    const ended = new Promise<SessionSummary>((res) => { resolve = res })
    let active: Active | undefined
    const sink = new SessionSink(shared, this.output.format, this.output.ctx, this.output.destination, (reason) => {
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
    // Ends it in every tree of this process that joined it; closing one tree ends it in that tree only.
    if (reason !== 'closed') a.sink.shared.limit(reason)
    const last = a.sink.leave(reason !== 'expired' && reason !== 'closed'
      ? { msg: `debug session ${a.spec.id} ended: ${reason}`, fields: { event: 'debug_session_ended', end_reason: reason } }
      : undefined)
    const summary: SessionSummary = { id: a.spec.id, end_reason: reason, records: a.sink.records, bytes: a.sink.bytes, dropped: a.sink.dropped, file: a.sink.where.target }
    this.info(`debug session ${a.spec.id} ended (${reason}): ${summary.records} records, ${summary.bytes} bytes written to ${summary.file}${summary.dropped > 0 ? `, ${summary.dropped} dropped` : ''}`,
      { event: 'debug_session_ended', ...this.fieldsOf(a), end_reason: reason, records: summary.records, bytes: summary.bytes, dropped: summary.dropped })
    // Another tree still in it keeps the state file active.
    if (last) this.saveState(a, 'ended', reason)
    a.resolve(summary)
  }

  private fieldsOf (a: Active): Record<string, unknown> {
    const s = a.spec
    return { debug_session: s.id, reason: s.reason, source: s.source, session_level: s.level, components: describeOnly(s.only), expires: new Date(s.expires).toISOString(), max_size: s.maxSize, file: a.sink.where.target }
  }

  private saveState (a: Active, state: ProcessState['state'], reason?: EndReason): void {
    a.stateWritten = Date.now()
    if (this.fallbackDir && a.spec.source !== 'cli') return
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

/** The session output of this process, per debug directory: the trees that join a session share it. */
const outputs = new Map<string, SessionOutput>()

/**
 * The process's output for `spec` in `dir`: the one another tree opened, or
 * a new one (ending the one of an earlier session: replaced). Undefined when
 * this process already ran `spec` to its end. The expiry is never later
 * than 24 h from now, whatever the start time claims (clock slack).
 */
function acquireOutput (dir: string, spec: SessionSpec, logFile: string): SessionOutput | undefined {
  const cur = outputs.get(dir)
  if (cur !== undefined && cur.spec.id === spec.id) return cur.done ? undefined : cur
  if (cur !== undefined && !cur.done) cur.limit('replaced')
  const capped: SessionSpec = { ...spec, expires: Math.min(spec.expires, Date.now() + MAX_FOR_MS) }
  const { writer, where } = openSessionTarget(logFile, dir)
  const out = new SessionOutput(capped, where, writer, logFile, dir)
  outputs.set(dir, out)
  return out
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
