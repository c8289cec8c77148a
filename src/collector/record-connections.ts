// What the agent's collector traffic did, in the agent log. Only the agent's
// own traffic: events come from the dispatcher the agent passes in (undici's
// Agent/Pool/Client emit connect, disconnect, connectionError), and requests
// are seen by an interceptor on the dispatcher returned here, which only the
// agent uses. Nothing subscribes to undici's process-wide diagnostics
// channels, where the host's fetch() and undici traffic also pass.

import type { Dispatcher } from 'undici'
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
      'collector recovered after %d failures over %d s', v.failures, v.seconds)
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

  let active = true
  const intercept: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    if (!active) return dispatch(opts, handler)
    return dispatch(opts, new RecordingHandler(handler as unknown as Handler, opts, log, outcomes, excerptBytes))
  }
  return {
    dispatcher: dispatcher.compose(intercept),
    outcomes,
    stop () {
      active = false
      dispatcher.off('connect', onConnect)
      dispatcher.off('disconnect', onDisconnect)
      dispatcher.off('connectionError', onConnectionError)
    }
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

/** Passes every call on to undici's handler, unchanged, after noting what it needs. Never throws. */
class RecordingHandler implements Handler {
  private readonly started = performance.now()
  private status = 0
  private bytes = 0
  private excerpt: Buffer[] = []
  private excerptLength = 0

  constructor (
    private readonly inner: Handler,
    private readonly opts: Dispatcher.DispatchOptions,
    private readonly log: ConnectionLog,
    private readonly outcomes: Outcomes,
    private readonly excerptBytes: number
  ) {}

  onRequestStart (controller: unknown, context: unknown): void {
    this.inner.onRequestStart?.(controller, context)
  }

  onRequestUpgrade (...args: unknown[]): void {
    this.inner.onRequestUpgrade?.(...args)
  }

  onResponseStart (controller: unknown, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void {
    this.status = statusCode
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage)
  }

  onResponseData (controller: unknown, chunk: Buffer): void {
    this.bytes += chunk.length
    if (this.status >= 400 && this.excerptLength < this.excerptBytes) {
      this.excerpt.push(chunk.subarray(0, this.excerptBytes - this.excerptLength))
      this.excerptLength += Math.min(chunk.length, this.excerptBytes - this.excerptLength)
    }
    this.inner.onResponseData?.(controller, chunk)
  }

  onResponseEnd (controller: unknown, trailers: Record<string, string | string[]>): void {
    this.safely(() => { this.finished() })
    this.inner.onResponseEnd?.(controller, trailers)
  }

  onResponseError (controller: unknown, err: Error): void {
    this.safely(() => { this.errored(err) })
    this.inner.onResponseError?.(controller, err)
  }

  private request (): { method: string, url: string, ms: number } {
    const origin = this.opts.origin === undefined ? '' : String(this.opts.origin).replace(/\/$/, '')
    return { method: this.opts.method, url: origin + this.opts.path, ms: Math.round(performance.now() - this.started) }
  }

  private finished (): void {
    const { method, url, ms } = this.request()
    this.log.count('collector.requests')
    const fields = { event: 'collector_request', method, url, status: this.status, ms, bytes: this.bytes }
    if (this.status >= 400) {
      const body = Buffer.concat(this.excerpt).toString('utf8')
      this.outcomes.failed(`HTTP ${this.status}`, { method, url, status: this.status, ms, bytes: this.bytes, body },
        `collector answered ${this.status} to ${method} ${url} in ${ms} ms: ${body === '' ? '(empty body)' : body}${this.bytes > this.excerptLength ? '…' : ''}`)
      return
    }
    this.log.debug(fields, '%s %s %d in %d ms, %d bytes', method, url, this.status, ms, this.bytes)
    this.outcomes.succeeded()
  }

  private errored (err: Error): void {
    const { method, url, ms } = this.request()
    this.log.count('collector.requests')
    const e = err as Error & { code?: string, certificate?: unknown }
    this.outcomes.failed(causeOf(err), { method, url, ms, code: e.code, err },
      `collector request ${method} ${url} failed after ${ms} ms: ${e.code !== undefined ? `${e.code} ` : ''}${err.message}`)
  }

  private safely (fn: () => void): void {
    try {
      fn()
    } catch {
      // Recording must never break the agent's request.
    }
  }
}
