// What the agent's collector traffic did, in the agent log. Only the agent's
// own traffic: events come from the dispatcher the agent passes in (undici's
// Agent/Pool/Client emit connect, disconnect, connectionError), and requests
// are seen on that same dispatcher: recordConnections() wraps the dispatch()
// of that one object (an own property, removed again by stop()), so "attach
// it to my agent and keep using the agent" records every request. Nothing
// subscribes to undici's process-wide diagnostics channels, where the host's
// fetch() and undici traffic also pass, and nothing of undici's is patched.
//
// The wrapping is a plain function around the handler rather than
// dispatcher.compose(interceptor): compose() converts every handler to
// undici's new handler API and back (about 5 µs a request on loopback),
// while wrapping the handler in the style it came in costs next to nothing.

import type { Dispatcher } from 'undici'
import { Redactor } from '../format/redact'
import { cutWhole, maskUrlPasswords } from '../config/secrets'
import { Coalescer, type Verdict } from './coalesce'
import { optionOf } from '../internal/describe'
import { lazy } from '../internal/lazy'
import { undici } from './undici'

type LogFn = (fields: object, msg: string, ...args: unknown[]) => void

/** The part of a Logger this module uses. */
export interface ConnectionLog {
  readonly name: string
  child (name: string): ConnectionLog
  readonly debug: LogFn
  readonly info: LogFn
  readonly warning: LogFn
  count (counter: 'collector.requests' | 'collector.failures' | 'collector.recoveries'): void
  /** Whether a debug call would do anything (written or kept); lets routine request lines cost nothing when not. */
  keeps? (level: 'debug'): boolean
}

export interface RecordOptions {
  /** Repeats of one failure are summarized at most this often (default 60 s). */
  readonly stillFailingIntervalMs?: number
  /** Bytes of a 4xx/5xx answer quoted in the warning (default 512). */
  readonly excerptBytes?: number
  /** Set when the dispatcher's connector already logs connected (createCollectorDispatcher does). */
  readonly connectorLogsConnected?: boolean
}

export interface Recording {
  /**
   * The dispatcher to send the agent's collector requests through: the one
   * given, which now records its requests (or, for one whose dispatch()
   * cannot be wrapped, a recording wrapper around it, with a warning).
   */
  readonly dispatcher: Dispatcher
  /** Detaches from the dispatcher's events and requests; nothing more is recorded. */
  stop (): void
  /** @internal The coalescer, shared with the connector for connect failures. */
  readonly outcomes: Outcomes
}

/** Failure and recovery lines for collector outcomes, coalesced. */
export class Outcomes {
  private readonly coalescer: Coalescer

  constructor (private readonly log: ConnectionLog, intervalMs: number) {
    this.coalescer = new Coalescer(intervalMs)
  }

  failed (cause: string, fields: Record<string, unknown>, detail: string): void {
    this.log.count('collector.failures')
    this.report(this.coalescer.failure(cause), fields, detail)
  }

  succeeded (): void {
    const v = this.coalescer.success()
    if (v.kind !== 'recovered') return
    this.log.count('collector.recoveries')
    this.log.info({ event: 'collector_recovered', failures: v.failures, seconds: v.seconds, causes: v.causes },
      'collector recovered after %d failure%s over %d s', v.failures, v.failures === 1 ? '' : 's', v.seconds)
  }

  private report (v: Verdict, fields: Record<string, unknown>, detail: string): void {
    if (v.kind === 'first_failure') {
      this.log.warning({ event: 'collector_error', cause: v.cause, ...fields }, '%s', detail)
    } else if (v.kind === 'still_failing') {
      this.log.warning({ event: 'collector_still_failing', cause: v.cause, count: v.count, seconds: v.seconds },
        'still failing: %s, %d times in the last %d s', v.cause, v.count, v.seconds)
    }
  }
}

/**
 * The `oneapm.collector` logger under the one given, with every call
 * guarded: recording runs inside undici's callbacks and event listeners,
 * where a throw would break the agent's request. A value that is not a
 * logger gives a logger that drops everything.
 */
export function collectorLog (logger: ConnectionLog): ConnectionLog {
  try {
    const name = logger.name
    if (typeof name !== 'string') return NO_LOG
    return guarded(name === 'oneapm.collector' || name.startsWith('oneapm.collector.') ? logger : logger.child('collector'))
  } catch {
    return NO_LOG
  }
}

function guarded (log: ConnectionLog): ConnectionLog {
  if (typeof log !== 'object' || log === null) return NO_LOG
  const call = (method: unknown, args: unknown[]): void => {
    try {
      if (typeof method === 'function') Reflect.apply(method, log, args)
    } catch {
      // A log call never breaks a request.
    }
  }
  let name = 'oneapm.collector'
  try {
    if (typeof log.name === 'string') name = log.name
  } catch {
    // Keep the default name.
  }
  return {
    name,
    child: (child: string) => {
      try {
        return guarded(log.child(child))
      } catch {
        return NO_LOG
      }
    },
    debug: (...args) => { call(log.debug, args) },
    info: (...args) => { call(log.info, args) },
    warning: (...args) => { call(log.warning, args) },
    count: (counter) => { call(log.count, [counter]) },
    keeps: (level) => {
      try {
        return typeof log.keeps === 'function' ? log.keeps(level) !== false : true
      } catch {
        return true
      }
    }
  }
}

const noop = (): void => {}
const NO_LOG: ConnectionLog = Object.freeze({
  name: 'oneapm.collector',
  child: () => NO_LOG,
  debug: noop,
  info: noop,
  warning: noop,
  count: noop,
  keeps: () => false
})

/** A short, stable name for a failure, used to coalesce repeats: "ECONNREFUSED connect 127.0.0.1:9". */
export function causeOf (err: unknown): string {
  try {
    return describeCause(err)
  } catch {
    // An error object whose properties throw.
    return 'Error'
  }
}

function describeCause (err: unknown): string {
  const e = (err ?? {}) as { code?: unknown, syscall?: unknown, address?: unknown, port?: unknown, message?: unknown, name?: unknown }
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error'
  const where = typeof e.address === 'string' ? ` ${e.address}${typeof e.port === 'number' || typeof e.port === 'string' ? `:${e.port}` : ''}` : ''
  const syscall = typeof e.syscall === 'string' ? ` ${e.syscall}` : ''
  return `${code}${syscall}${where}`
}

const ROUTINE_CLOSE = new Set(['UND_ERR_INFO', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED'])

/** Bytes of an error answer kept past the excerpt, so a secret straddling the cut is redacted whole. */
const EXCERPT_MARGIN = 1024
/** The rules that need no config (URL passwords, tokens, auth headers); the logger adds the license key. */
const EXCERPT_REDACTOR = new Redactor()

/** Dispatchers being recorded, so a second recordConnections() on one does not record each request twice. */
const attached = new WeakMap<object, Recording>()

export function recordConnections (dispatcher: Dispatcher, logger: ConnectionLog, options: RecordOptions = {}): Recording {
  const log = collectorLog(logger)
  const opts = readRecordOptions(options)
  const outcomes = new Outcomes(log, opts.stillFailingIntervalMs)
  if (!isDispatcher(dispatcher)) {
    log.warning({ event: 'collector_not_recorded' }, 'recordConnections() was given something that is not an undici Dispatcher; nothing is recorded')
    return { dispatcher, outcomes, stop: noop }
  }
  const already = attached.get(dispatcher)
  if (already !== undefined) return { dispatcher: already.dispatcher, outcomes: already.outcomes, stop: noop }

  const onConnect = (origin: URL | string): void => {
    if (opts.connectorLogsConnected !== true) log.info({ event: 'collector_connected', origin: String(origin) }, 'connected to collector %s', String(origin))
  }
  const onDisconnect = (origin: URL | string, _targets: unknown, err: Error & { code?: string }): void => {
    const routine = err?.code !== undefined && ROUTINE_CLOSE.has(err.code)
    const fields = { event: 'collector_disconnected', origin: String(origin), code: err?.code, reason: err?.message }
    if (routine) log.debug(fields, 'disconnected from collector %s: %s', String(origin), err?.message ?? 'closed')
    else log.warning(fields, 'connection to collector %s lost: %s', String(origin), err?.message ?? 'unknown reason')
  }
  const onConnectionError = (origin: URL | string, _targets: unknown, err: Error): void => {
    // The request that needed the connection fails too and is coalesced there; this adds the detail at debug.
    log.debug({ event: 'collector_connect_failed', origin: String(origin), err }, 'could not connect to collector %s', String(origin))
  }
  const listeners = { connect: safe(onConnect), disconnect: safe(onDisconnect), connectionError: safe(onConnectionError) }
  const recorder = new Recorder(log, outcomes, opts.excerptBytes)
  const detach = wrapDispatch(dispatcher, recorder)
  let through: Dispatcher = dispatcher
  if (detach === undefined) {
    through = new (recordingDispatcher())(dispatcher, recorder)
    log.warning({ event: 'collector_not_recorded' },
      'requests sent through this dispatcher directly cannot be recorded (its dispatch() cannot be wrapped); send them through the dispatcher recordConnections() returns')
  }
  try {
    for (const [event, fn] of Object.entries(listeners)) dispatcher.on(event as 'connect', fn as never)
  } catch {
    // A dispatcher without events: requests are still recorded.
  }
  let stopped = false
  const recording: Recording = {
    dispatcher: through,
    outcomes,
    stop () {
      if (stopped) return
      stopped = true
      recorder.active = false
      detach?.()
      attached.delete(dispatcher)
      try {
        for (const [event, fn] of Object.entries(listeners)) dispatcher.off(event as 'connect', fn as never)
      } catch {
        // Nothing more to detach.
      }
    }
  }
  attached.set(dispatcher, recording)
  return recording
}

function safe<A extends unknown[]> (fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args)
    } catch {
      // An event listener never throws into undici.
    }
  }
}

function isDispatcher (d: unknown): d is Dispatcher {
  try {
    const x = d as Record<string, unknown>
    return typeof d === 'object' && d !== null && typeof x.dispatch === 'function' && typeof x.on === 'function' && typeof x.off === 'function'
  } catch {
    return false
  }
}

function readRecordOptions (options: unknown): { stillFailingIntervalMs: number, excerptBytes: number, connectorLogsConnected: boolean } {
  const get = (name: string): unknown => optionOf(options, name)
  const interval = get('stillFailingIntervalMs')
  const excerpt = get('excerptBytes')
  return {
    stillFailingIntervalMs: typeof interval === 'number' && Number.isFinite(interval) && interval >= 0 ? interval : 60_000,
    excerptBytes: typeof excerpt === 'number' && Number.isInteger(excerpt) && excerpt >= 0 && excerpt <= 64 * 1024 ? excerpt : 512,
    connectorLogsConnected: get('connectorLogsConnected') === true
  }
}

/**
 * Makes `dispatcher.dispatch` record each request, as an own property of
 * that object only; returns what undoes it, or undefined when the object
 * will not take it (frozen, a proxy that refuses).
 */
function wrapDispatch (dispatcher: Dispatcher, recorder: Recorder): (() => void) | undefined {
  try {
    const own = Object.getOwnPropertyDescriptor(dispatcher, 'dispatch')
    const original = dispatcher.dispatch as (this: Dispatcher, opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => boolean
    const recording = function dispatch (this: Dispatcher, opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      return Reflect.apply(original, this, [opts, recorder.wrap(opts, handler)]) as boolean
    }
    Object.defineProperty(dispatcher, 'dispatch', { value: recording, writable: true, configurable: true, enumerable: false })
    if (dispatcher.dispatch !== recording) return undefined
    return () => {
      try {
        if (dispatcher.dispatch !== recording) return
        if (own === undefined) Reflect.deleteProperty(dispatcher, 'dispatch')
        else Object.defineProperty(dispatcher, 'dispatch', own)
      } catch {
        // The recorder is inactive; its wrapper passes requests through untouched.
      }
    }
  } catch {
    return undefined
  }
}

/** Wraps each request's handler so its outcome is noted; passes it through untouched once stopped. */
class Recorder {
  active = true

  constructor (
    private readonly log: ConnectionLog,
    private readonly outcomes: Outcomes,
    private readonly excerptBytes: number
  ) {}

  wrap (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): Dispatcher.DispatchHandler {
    if (!this.active || typeof handler !== 'object' || handler === null) return handler
    const tracker = new Tracker(opts, this.log, this.outcomes, this.excerptBytes)
    const wrapped = typeof (handler as Handler).onRequestStart === 'function'
      ? new NewStyleHandler(handler as Handler, tracker)
      : new LegacyHandler(handler as unknown as LegacyInner, tracker)
    return wrapped as unknown as Dispatcher.DispatchHandler
  }
}

/**
 * For a dispatcher whose dispatch() cannot be wrapped: dispatches through it,
 * noting each request on the way. A subclass of undici's Dispatcher, so it is
 * defined when first needed, once undici is loaded.
 */
const recordingDispatcher = lazy(() => class RecordingDispatcher extends undici().Dispatcher {
  constructor (private readonly base: Dispatcher, private readonly recorder: Recorder) {
    super()
  }

  override dispatch (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.base.dispatch(opts, this.recorder.wrap(opts, handler))
  }

  override close (): Promise<void>
  override close (callback: () => void): void
  override close (callback?: () => void): Promise<void> | void {
    return callback === undefined ? this.base.close() : this.base.close(callback)
  }

  override destroy (): Promise<void>
  override destroy (err: Error | null): Promise<void>
  override destroy (callback: () => void): void
  override destroy (err: Error | null, callback: () => void): void
  override destroy (...args: unknown[]): Promise<void> | void {
    return (this.base.destroy as (...a: unknown[]) => Promise<void> | void)(...args)
  }
})

interface Handler {
  onRequestStart?: (controller: unknown, context: unknown) => void
  onRequestUpgrade?: (...args: unknown[]) => void
  onResponseStart?: (controller: unknown, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string) => void
  onResponseData?: (controller: unknown, chunk: Buffer) => void
  onResponseEnd?: (controller: unknown, trailers: Record<string, string | string[]>) => void
  onResponseError?: (controller: unknown, err: Error) => void
}

/** undici's own handler API, which its request() uses. */
interface LegacyInner {
  onConnect?: (abort: unknown, context: unknown) => void
  onResponseStarted?: () => void
  onHeaders?: (statusCode: number, rawHeaders: Buffer[], resume: () => void, statusMessage?: string) => boolean
  onUpgrade?: (statusCode: number, rawHeaders: Buffer[], socket: unknown) => void
  onData?: (chunk: Buffer) => boolean
  onComplete?: (trailers: unknown) => void
  onError?: (err: Error) => void
  onBodySent?: (chunk: unknown) => void
  onRequestSent?: () => void
}

/** Passes every call on to undici's handler, unchanged, after the tracker notes it. */
class LegacyHandler implements LegacyInner {
  constructor (private readonly inner: LegacyInner, private readonly tracker: Tracker) {}

  onConnect (abort: unknown, context: unknown): void { this.inner.onConnect?.(abort, context) }
  onResponseStarted (): void { this.inner.onResponseStarted?.() }
  onUpgrade (statusCode: number, rawHeaders: Buffer[], socket: unknown): void { this.inner.onUpgrade?.(statusCode, rawHeaders, socket) }
  onBodySent (chunk: unknown): void { this.inner.onBodySent?.(chunk) }
  onRequestSent (): void { this.inner.onRequestSent?.() }

  onHeaders (statusCode: number, rawHeaders: Buffer[], resume: () => void, statusMessage?: string): boolean {
    this.tracker.status = statusCode
    return this.inner.onHeaders?.(statusCode, rawHeaders, resume, statusMessage) ?? true
  }

  onData (chunk: Buffer): boolean {
    this.tracker.data(chunk)
    return this.inner.onData?.(chunk) ?? true
  }

  onComplete (trailers: unknown): void {
    this.tracker.finished()
    this.inner.onComplete?.(trailers)
  }

  onError (err: Error): void {
    this.tracker.errored(err)
    this.inner.onError?.(err)
  }
}

/** The same for handlers in undici's newer API (a caller composing its own interceptors). */
class NewStyleHandler implements Handler {
  constructor (private readonly inner: Handler, private readonly tracker: Tracker) {}

  onRequestStart (controller: unknown, context: unknown): void { this.inner.onRequestStart?.(controller, context) }
  onRequestUpgrade (...args: unknown[]): void { this.inner.onRequestUpgrade?.(...args) }

  onResponseStart (controller: unknown, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void {
    this.tracker.status = statusCode
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage)
  }

  onResponseData (controller: unknown, chunk: Buffer): void {
    this.tracker.data(chunk)
    this.inner.onResponseData?.(controller, chunk)
  }

  onResponseEnd (controller: unknown, trailers: Record<string, string | string[]>): void {
    this.tracker.finished()
    this.inner.onResponseEnd?.(controller, trailers)
  }

  onResponseError (controller: unknown, err: Error): void {
    this.tracker.errored(err)
    this.inner.onResponseError?.(controller, err)
  }
}

/** One request's outcome: status, bytes, an excerpt of an error answer, timing. Never throws. */
class Tracker {
  private readonly started = performance.now()
  status = 0
  private bytes = 0
  private excerpt: Buffer[] | undefined
  private excerptLength = 0

  constructor (
    private readonly opts: Dispatcher.DispatchOptions,
    private readonly log: ConnectionLog,
    private readonly outcomes: Outcomes,
    private readonly excerptBytes: number
  ) {}

  data (chunk: Buffer): void {
    this.bytes += chunk.length
    // More than is quoted is kept, so that redaction sees a secret whole before the excerpt is cut.
    const keep = this.excerptBytes + EXCERPT_MARGIN
    if (this.status >= 400 && this.excerptLength < keep) {
      (this.excerpt ??= []).push(chunk.subarray(0, keep - this.excerptLength))
      this.excerptLength += Math.min(chunk.length, keep - this.excerptLength)
    }
  }

  finished (): void {
    try {
      this.log.count('collector.requests')
      if (this.status < 400 && this.log.keeps?.('debug') === false) {
        this.outcomes.succeeded()
        return
      }
      const { method, url, ms } = this.request()
      if (this.status >= 400) {
        const body = this.quote()
        this.outcomes.failed(`HTTP ${this.status}`, { method, url, status: this.status, ms, bytes: this.bytes, body },
          `collector answered ${this.status} to ${method} ${url} in ${ms} ms: ${body === '' ? '(empty body)' : body}`)
        return
      }
      this.log.debug({ event: 'collector_request', method, url, status: this.status, ms, bytes: this.bytes }, '%s %s %d in %d ms, %d bytes', method, url, this.status, ms, this.bytes)
      this.outcomes.succeeded()
    } catch {
      // Recording must never break the agent's request.
    }
  }

  errored (err: Error): void {
    try {
      const { method, url, ms } = this.request()
      this.log.count('collector.requests')
      const e = err as Error & { code?: string }
      this.outcomes.failed(causeOf(err), { method, url, ms, code: e.code, err },
        `collector request ${method} ${url} failed after ${ms} ms: ${e.code !== undefined ? `${e.code} ` : ''}${err.message}`)
    } catch {
      // Recording must never break the agent's request.
    }
  }

  /** The answer's first excerptBytes characters: redacted, then cut, never inside a word (which could be part of a secret). */
  private quote (): string {
    if (this.excerpt === undefined) return ''
    const text = maskUrlPasswords(EXCERPT_REDACTOR.text(Buffer.concat(this.excerpt).toString('utf8')))
    // More came than was kept: the kept text ends inside the answer, so it is cut there too (a word continues past it).
    return this.bytes > this.excerptLength && text.length <= this.excerptBytes ? cutWhole(text + 'x', text.length) : cutWhole(text, this.excerptBytes)
  }

  private request (): { method: string, url: string, ms: number } {
    const o = this.opts.origin
    const origin = o === undefined ? '' : typeof o === 'string' ? (o.endsWith('/') ? o.slice(0, -1) : o) : o.origin
    return { method: this.opts.method, url: origin + this.opts.path, ms: Math.round(performance.now() - this.started) }
  }
}
