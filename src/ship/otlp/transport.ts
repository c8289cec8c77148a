// The OTLP/HTTP JSON transport: one POST per batch (gzip, application/json)
// through our own undici Agent, never the host's global dispatcher, with
// sockets that never hold the host open. Outcomes follow the OTLP spec:
// 2xx is sent (a partial success's rejected count is rejected, never
// retried); only 429/502/503/504 and network errors or timeouts are retried,
// with the receiver's Retry-After; every other status is rejected. A 413
// splits the batch in halves, sent in order, so one oversized record does
// not cost its neighbours (bounded: MAX_REQUESTS per send).
//
// Header values are secrets: they go on the wire and nowhere else. Reasons
// are built from status codes, errno codes and the receiver's own message
// with every header value masked before it is cut.

import type { Dispatcher } from 'undici'
import type { Socket } from 'node:net'
import { promisify } from 'node:util'
import type * as Zlib from 'node:zlib'
import { lazy } from '../../internal/lazy'
import { undici } from '../../collector/undici'
import { headerSecretForms } from '../../config/header-secrets'
import { MASK } from '../../format/redact'
import type { Frame, FrameTransport, RecordParts, SendOutcome, ShippedRecord, ShipResource } from '../transport'
import { fragmentFromParts, fragmentFromRecord, requestFromFrames } from './encode'
import type { OtlpEndpoint } from './endpoint'

export interface OtlpTransportOptions {
  /** Per request, connect to last body byte (ms). Default: the endpoint's OTEL_* timeout, else 10 s (the OTel exporters' default). */
  readonly timeoutMs?: number
  /** CA certificate(s) (PEM) for an https endpoint, as the collector connection takes them; default: Node's bundled roots. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>
  /** Gzip request bodies (default true). */
  readonly gzip?: boolean
  /** The clock, for the observed timestamp and HTTP-date Retry-After values. */
  readonly now?: () => number
}

export const DEFAULT_TIMEOUT_MS = 10_000
/** A Retry-After longer than this is taken as this: a receiver cannot park our queue for hours. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000
/** Requests one send may make when 413s split its batch: a lone huge record in 512 needs 19. */
export const MAX_REQUESTS = 32
/** Bytes of a response read (the partial-success body is small; anything bigger is not read). */
const MAX_RESPONSE = 64 * 1024
/** Characters of a receiver's message kept in a reason. */
const MAX_REASON = 200
/** Header values shorter than this are not searched for in reasons (masking every `1` would garble them). */
const MIN_SECRET = 4

// Loaded with the first OTLP batch, as rotation loads it for the first compression.
const gzip = lazy(() => promisify((require('node:zlib') as typeof Zlib).gzip))

type Result =
  | { readonly kind: 'sent', readonly rejected: number, readonly reason: string | undefined }
  | { readonly kind: 'retry', readonly retryAfterMs: number | undefined, readonly reason: string }
  | { readonly kind: 'rejected', readonly reason: string }
  | { readonly kind: 'too-large', readonly reason: string }

/** `120` (seconds) or an HTTP-date, as ms from `now`; capped; undefined when unreadable. */
export function parseRetryAfter (value: string | string[] | undefined, now: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim()
  if (v === undefined || v === '' || v.length > 64) return undefined
  let digits = true
  for (let i = 0; digits && i < v.length; i++) digits = v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39
  if (digits) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS)
  // An HTTP-date starts with its day name; Date.parse would take `-5` for a year.
  const first = v.charCodeAt(0) | 0x20
  if (first < 0x61 || first > 0x7a) return undefined
  const at = Date.parse(v)
  if (!Number.isFinite(at)) return undefined
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS)
}

/** Controls out, header values masked, then cut: the order that cannot leave part of a secret. */
function cleanText (text: string, secrets: readonly string[]): string {
  let t = text
  for (const s of secrets) if (t.includes(s)) t = t.split(s).join(MASK)
  let out = ''
  for (let i = 0; i < t.length && out.length < MAX_REASON; i++) {
    const c = t.charCodeAt(i)
    out += c < 0x20 || c === 0x7f ? ' ' : t[i]
  }
  return t.length > MAX_REASON ? out + '…' : out
}

/** The `message` of a JSON google.rpc.Status body (what a Collector answers an error with), if any. */
function statusMessage (body: string | undefined): string | undefined {
  if (body === undefined || body === '') return undefined
  try {
    const parsed: unknown = JSON.parse(body)
    const message = (parsed as { message?: unknown } | null)?.message
    return typeof message === 'string' && message !== '' ? message : undefined
  } catch {
    return undefined
  }
}

/** `partialSuccess` of an ExportLogsServiceResponse: rejected count (clamped to the batch) and message. */
function partialSuccess (body: string | undefined, batch: number): { rejected: number, message: string } | undefined {
  if (body === undefined || body === '') return undefined
  try {
    const parsed = JSON.parse(body) as { partialSuccess?: { rejectedLogRecords?: unknown, errorMessage?: unknown } } | null
    const p = parsed?.partialSuccess
    if (p === undefined || p === null || typeof p !== 'object') return undefined
    const n = Number(p.rejectedLogRecords ?? 0)
    const rejected = Number.isFinite(n) ? Math.min(Math.max(0, Math.floor(n)), batch) : 0
    const message = typeof p.errorMessage === 'string' ? p.errorMessage : ''
    return rejected === 0 && message === '' ? undefined : { rejected, message }
  } catch {
    return undefined
  }
}

async function readCapped (body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const b = chunk as Buffer
    size += b.length
    if (size > MAX_RESPONSE) {
      body.destroy()
      return undefined
    }
    chunks.push(b)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** An error's errno or undici code: never its message, which could quote a URL. */
function errorCode (err: unknown): string {
  const e = err as { code?: unknown, name?: unknown, cause?: { code?: unknown } } | null
  const code = e?.code ?? e?.cause?.code
  if (typeof code === 'string' && code !== '') return code.slice(0, 64)
  return typeof e?.name === 'string' ? e.name.slice(0, 64) : 'network error'
}

/** Our socket, unref'd for good: undici refs a socket while a request runs, which would hold the host open until the timeout. */
function neverRef (socket: unknown): void {
  const s = socket as Socket | null
  if (s === null || typeof s !== 'object' || typeof s.unref !== 'function') return
  s.unref()
  Object.defineProperty(s, 'ref', { value: () => s, configurable: true, writable: true })
}

/**
 * Requests in flight at once: one. A second request's body to a receiver
 * that stops reading would stay a pending write, and a pending write keeps
 * the host alive whatever unref() says, up to the timeout (measured: the
 * attack test in test/attack/ship-exit.test.ts). The queue can pipeline
 * (a transport with a larger maxInFlight), with records possibly out of
 * order after a retry.
 */
export const MAX_IN_FLIGHT = 1
/** Records per request, as the SDK's BatchLogRecordProcessor sends them. */
export const OTLP_BATCH_MAX = 512
/** A smaller batch waits this long for more. */
export const OTLP_BATCH_MS = 1000

class OtlpTransport implements FrameTransport {
  readonly target: string
  readonly maxInFlight = MAX_IN_FLIGHT
  readonly batchMax = OTLP_BATCH_MAX
  readonly batchMs = OTLP_BATCH_MS
  private readonly url: string
  private readonly headers: Record<string, string>
  private readonly secrets: readonly string[]
  private readonly timeoutMs: number
  private readonly gzip: boolean
  private readonly now: () => number
  private readonly ca: OtlpTransportOptions['ca']
  private agent: Dispatcher | undefined
  private readonly inFlight = new Set<AbortController>()
  private closed = false

  constructor (endpoint: OtlpEndpoint, private readonly resource: ShipResource, options: OtlpTransportOptions) {
    this.target = endpoint.target
    this.url = endpoint.url
    this.gzip = options.gzip ?? true
    this.headers = { ...endpoint.headers, 'content-type': 'application/json' }
    if (this.gzip) this.headers['content-encoding'] = 'gzip'
    // Each value and its credential parts: a receiver may quote the token without its scheme.
    this.secrets = [...new Set(Object.values(endpoint.headers).flatMap(headerSecretForms))].filter((v) => v.length >= MIN_SECRET).sort((a, b) => b.length - a.length)
    const t = options.timeoutMs ?? endpoint.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.timeoutMs = Number.isFinite(t) && t > 0 ? t : DEFAULT_TIMEOUT_MS
    this.now = options.now ?? Date.now
    this.ca = options.ca
  }

  async send (records: readonly ShippedRecord[]): Promise<SendOutcome> {
    const now = this.now()
    return await this.sendFrames(records.map((r) => fragmentFromRecord(r, now)))
  }

  encodeParts (p: RecordParts): Frame | undefined {
    return fragmentFromParts(p, this.resource.pid)
  }

  encodeRecord (r: ShippedRecord): Frame | undefined {
    try {
      return fragmentFromRecord(r, this.now())
    } catch {
      return undefined
    }
  }

  async sendFrames (records: readonly Frame[]): Promise<SendOutcome> {
    try {
      if (records.length === 0) return { sent: 0, rejected: 0, retry: 0, truncated: 0 }
      if (this.closed) return { sent: 0, rejected: 0, retry: records.length, truncated: 0, reason: 'transport closed' }
      return await this.deliver(records, { left: MAX_REQUESTS })
    } catch (err) {
      // Nothing above should throw; if it does, the batch stays in the queue.
      return { sent: 0, rejected: 0, retry: records.length, truncated: 0, reason: `internal error ${errorCode(err)}` }
    }
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    for (const c of this.inFlight) c.abort()
    this.inFlight.clear()
    const agent = this.agent
    this.agent = undefined
    agent?.destroy().catch(() => {})
  }

  private async deliver (records: readonly Frame[], budget: { left: number }): Promise<SendOutcome> {
    budget.left--
    const n = records.length
    const r = await this.post(records)
    switch (r.kind) {
      case 'sent':
        return r.rejected > 0 || r.reason !== undefined
          ? { sent: n - r.rejected, rejected: r.rejected, retry: 0, truncated: 0, reason: r.reason as string }
          : { sent: n, rejected: 0, retry: 0, truncated: 0 }
      case 'retry':
        return r.retryAfterMs === undefined
          ? { sent: 0, rejected: 0, retry: n, truncated: 0, reason: r.reason }
          : { sent: 0, rejected: 0, retry: n, truncated: 0, reason: r.reason, retryAfterMs: r.retryAfterMs }
      case 'rejected':
        return { sent: 0, rejected: n, retry: 0, truncated: 0, reason: r.reason }
      case 'too-large': {
        if (n === 1 || budget.left < 2) return { sent: 0, rejected: n, retry: 0, truncated: 0, reason: r.reason }
        const half = Math.ceil(n / 2)
        const a = await this.deliver(records.slice(0, half), budget)
        // A retry must be the batch's tail: the second half is not tried after the first must be retried.
        if (a.retry > 0) return { ...a, retry: a.retry + (n - half) }
        const b = await this.deliver(records.slice(half), budget)
        const reason = a.reason === undefined || a.reason === b.reason ? b.reason : b.reason === undefined ? a.reason : `${a.reason}; ${b.reason}`
        const out = { sent: a.sent + b.sent, rejected: a.rejected + b.rejected, retry: b.retry, truncated: 0 }
        const withReason = reason === undefined ? out : { ...out, reason }
        return b.retryAfterMs === undefined ? withReason : { ...withReason, retryAfterMs: b.retryAfterMs }
      }
    }
  }

  private dispatcher (): Dispatcher {
    if (this.agent !== undefined) return this.agent
    const u = undici()
    const connectOptions = this.ca === undefined ? { timeout: this.timeoutMs } : { timeout: this.timeoutMs, ca: this.ca as string | Buffer | Array<string | Buffer> }
    const base = u.buildConnector(connectOptions) as unknown as (opts: unknown, cb: (err: Error | null, socket: unknown) => void) => unknown
    const connect = (opts: unknown, cb: (err: Error | null, socket: unknown) => void): void => {
      // Unref'd from the start (the connect phase too) and again once connected, whichever socket undici keeps.
      neverRef(base(opts, (err, socket) => { if (socket !== null) neverRef(socket); cb(err, socket) }))
    }
    this.agent = new u.Agent({
      connect: connect as unknown as Exclude<NonNullable<ConstructorParameters<typeof u.Agent>[0]>['connect'], undefined>,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 4_000,
      connections: MAX_IN_FLIGHT
    })
    return this.agent
  }

  private async post (records: readonly Frame[]): Promise<Result> {
    const json = requestFromFrames(records, this.resource)
    const body = this.gzip ? await gzip()(json) : Buffer.from(json)
    if (this.closed) return { kind: 'retry', retryAfterMs: undefined, reason: 'transport closed' }
    const controller = new AbortController()
    this.inFlight.add(controller)
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; controller.abort() }, this.timeoutMs)
    timer.unref()
    try {
      const res = await undici().request(this.url, {
        method: 'POST',
        headers: this.headers,
        body,
        dispatcher: this.dispatcher(),
        signal: controller.signal
      })
      const status = res.statusCode
      const text = await readCapped(res.body)
      if (status >= 200 && status < 300) {
        const partial = partialSuccess(text, records.length)
        if (partial === undefined) return { kind: 'sent', rejected: 0, reason: undefined }
        const message = partial.message === '' ? '' : `: ${cleanText(partial.message, this.secrets)}`
        const reason = partial.rejected > 0 ? `partial success, ${partial.rejected} rejected${message}` : `receiver warning${message}`
        return { kind: 'sent', rejected: partial.rejected, reason }
      }
      const said = statusMessage(text)
      const reason = `HTTP ${status}${said === undefined ? '' : `: ${cleanText(said, this.secrets)}`}`
      if (status === 429 || status === 502 || status === 503 || status === 504) {
        return { kind: 'retry', retryAfterMs: parseRetryAfter(res.headers['retry-after'], this.now()), reason }
      }
      if (status === 413) return { kind: 'too-large', reason }
      if (status >= 300 && status < 400) return { kind: 'rejected', reason: `${reason} (redirects are not followed: set the final URL)` }
      return { kind: 'rejected', reason }
    } catch (err) {
      if (timedOut) return { kind: 'retry', retryAfterMs: undefined, reason: `timeout after ${this.timeoutMs} ms` }
      if (this.closed) return { kind: 'retry', retryAfterMs: undefined, reason: 'transport closed' }
      return { kind: 'retry', retryAfterMs: undefined, reason: errorCode(err) }
    } finally {
      clearTimeout(timer)
      this.inFlight.delete(controller)
    }
  }
}

/**
 * A transport to `endpoint` (see resolveOtlpEndpoint). Creating it loads
 * nothing and opens nothing; the first send loads undici and connects.
 */
export function createOtlpTransport (endpoint: OtlpEndpoint, resource: ShipResource, options: OtlpTransportOptions = {}): FrameTransport {
  return new OtlpTransport(endpoint, resource, options)
}
