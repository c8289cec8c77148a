// What the agent's collector traffic did, in the agent log. Only the agent's
// own traffic: events come from the dispatcher the agent passes in (undici's
// Agent/Pool/Client emit connect, disconnect, connectionError), and requests
// are seen by an interceptor on the dispatcher returned here, which only the
// agent uses. Nothing subscribes to undici's process-wide diagnostics
// channels, where the host's fetch() and undici traffic also pass.
//
// The returned dispatcher is a thin Dispatcher subclass rather than
// dispatcher.compose(interceptor): compose() converts every handler to
// undici's new handler API and back (about 5 µs a request on loopback),
// while wrapping the handler in the style it came in costs next to nothing.

import { Dispatcher } from 'undici'
import { Coalescer, type Verdict } from './coalesce'

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
  /** The dispatcher to send the agent's collector requests through. */
  readonly dispatcher: Dispatcher
  /** Detaches from the dispatcher's events; requests through `dispatcher` are no longer recorded. */
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

export function collectorLog (logger: ConnectionLog): ConnectionLog {
  return logger.name === 'oneapm.collector' || logger.name.startsWith('oneapm.collector.') ? logger : logger.child('collector')
}

/** A short, stable name for a failure, used to coalesce repeats: "ECONNREFUSED connect 127.0.0.1:9". */
export function causeOf (err: unknown): string {
  const e = (err ?? {}) as { code?: unknown, syscall?: unknown, address?: unknown, port?: unknown, message?: unknown, name?: unknown }
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error'
  const where = typeof e.address === 'string' ? ` ${e.address}${e.port !== undefined ? `:${String(e.port)}` : ''}` : ''
  const syscall = typeof e.syscall === 'string' ? ` ${e.syscall}` : ''
  return `${code}${syscall}${where}`
}

const ROUTINE_CLOSE = new Set(['UND_ERR_INFO', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED'])

export function recordConnections (dispatcher: Dispatcher, logger: ConnectionLog, options: RecordOptions = {}): Recording {
  const log = collectorLog(logger)
  const outcomes = new Outcomes(log, options.stillFailingIntervalMs ?? 60_000)
  const excerptBytes = options.excerptBytes ?? 512

  const onConnect = (origin: URL | string): void => {
    if (options.connectorLogsConnected !== true) log.info({ event: 'collector_connected', origin: String(origin) }, 'connected to collector %s', String(origin))
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
  dispatcher.on('connect', onConnect)
  dispatcher.on('disconnect', onDisconnect)
  dispatcher.on('connectionError', onConnectionError)

  const recording = new RecordingDispatcher(dispatcher, log, outcomes, excerptBytes)
  return {
    dispatcher: recording,
    outcomes,
    stop () {
      recording.active = false
      dispatcher.off('connect', onConnect)
      dispatcher.off('disconnect', onDisconnect)
      dispatcher.off('connectionError', onConnectionError)
    }
  }
}

/** Dispatches through the agent's dispatcher, noting each request on the way. */
class RecordingDispatcher extends Dispatcher {
  active = true

  constructor (
    private readonly base: Dispatcher,
    private readonly log: ConnectionLog,
    private readonly outcomes: Outcomes,
    private readonly excerptBytes: number
  ) {
    super()
  }

  override dispatch (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (!this.active) return this.base.dispatch(opts, handler)
    const tracker = new Tracker(opts, this.log, this.outcomes, this.excerptBytes)
    const wrapped = typeof (handler as Handler).onRequestStart === 'function'
      ? new NewStyleHandler(handler as Handler, tracker)
      : new LegacyHandler(handler as unknown as LegacyInner, tracker)
    return this.base.dispatch(opts, wrapped as unknown as Dispatcher.DispatchHandler)
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
}

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
    if (this.status >= 400 && this.excerptLength < this.excerptBytes) {
      (this.excerpt ??= []).push(chunk.subarray(0, this.excerptBytes - this.excerptLength))
      this.excerptLength += Math.min(chunk.length, this.excerptBytes - this.excerptLength)
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
        const body = this.excerpt === undefined ? '' : Buffer.concat(this.excerpt).toString('utf8')
        this.outcomes.failed(`HTTP ${this.status}`, { method, url, status: this.status, ms, bytes: this.bytes, body },
          `collector answered ${this.status} to ${method} ${url} in ${ms} ms: ${body === '' ? '(empty body)' : body}${this.bytes > this.excerptLength ? '…' : ''}`)
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

  private request (): { method: string, url: string, ms: number } {
    const o = this.opts.origin
    const origin = o === undefined ? '' : typeof o === 'string' ? (o.endsWith('/') ? o.slice(0, -1) : o) : o.origin
    return { method: this.opts.method, url: origin + this.opts.path, ms: Math.round(performance.now() - this.started) }
  }
}
