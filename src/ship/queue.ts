// One shipping destination's queue: the records it takes, bounded in bytes
// (log_ship_queue), sent in batches by its transport.
//
// - push() is O(1) and never waits: past the bound a record is dropped and
//   counted. An outage is told in the local log once when it starts (and at
//   most once a minute while it lasts, by the collector's coalescing), and
//   once when the destination takes records again, with the count dropped.
// - Each record is held as its JSON line (what the exit spool takes) and, for
//   a FrameTransport (syslog, OTLP), as the frame the sink built when it took
//   the record: a batch is those frames joined, no formatting at send time.
// - A batch leaves when the transport's batchMax records wait, else its
//   batchMs after the first one (syslog: 0, it leaves as soon as no send is
//   in flight, so records written while one drains go together in the next
//   write; OTLP: 512 records or 1 s). A transport may have more than one send
//   in flight (OTLP: 2); outcomes are taken in the order the sends left.
// - The transport answers per record: sent, rejected for good (never
//   retried: an OTLP 400), or to retry (a network error, 429/503): those stay
//   at the head and go again after a backoff (exponential with jitter, capped;
//   the receiver's Retry-After when it gave one). With sends in flight behind
//   a retried one, the later records may arrive before the retried ones.
// - Notices are told from a microtask, never from inside push(): push runs
//   inside a log call, and a notice is a log call (shipped too, so it may find
//   the queue full: that only counts).
// - At exit, what is still queued (the batches in flight too: their outcome
//   will never come) is handed to the spool (ship/spool.ts) synchronously.

import { Coalescer, type Verdict } from '../collector/coalesce'
import type { ShipDestinationStats } from '../diagnostics/stats'
import { shippedRecord, type FieldSelection } from './shipped-record'
import { isFrameTransport, type Frame, type FrameTransport, type SendOutcome, type ShipTransport } from './transport'

export const BATCH_MAX = 512
export const BATCH_MS = 1000
const BACKOFF_FIRST_MS = 500
const BACKOFF_MAX_MS = 30_000
const RETRY_AFTER_MAX_MS = 5 * 60_000
/** At most one health line a minute, and only while the counters change. */
export const HEALTH_MS = 60_000
/** Per-line overhead charged against the bound: the array slot and string header. */
const LINE_OVERHEAD = 32
/** Any character past Latin-1: V8 then holds the whole string at two bytes a character. */
const TWO_BYTE = /[^\u0000-\u00ff]/

/** The least a queued line costs: a JSON record's own keys alone take about this much. */
const MIN_LINE_COST = 128

/** What a queued line costs in memory, as V8 holds it. */
function costOf (line: string): number {
  return (TWO_BYTE.test(line) ? line.length * 2 : line.length) + LINE_OVERHEAD
}

export type ShipStats = ShipDestinationStats

export interface QueueOptions {
  readonly maxBytes: number
  readonly fields: FieldSelection
  /** Tells the local log (oneapm.ship): outage start, still failing, recovered, rejected records, health. */
  readonly notice: (level: 30 | 40, msg: string, fields: Readonly<Record<string, unknown>>) => void
  readonly batchMs?: number
  readonly now?: () => number
}

interface Flight { readonly n: number, outcome: SendOutcome | undefined }

export class ShipQueue {
  readonly stats: ShipStats
  /** The JSON lines (what the spool takes at exit), their frames (a FrameTransport's), and what each costs. */
  private lines: string[] = []
  private frames: Array<Frame | undefined> = []
  private costs: number[] = []
  private head = 0
  private bytes = 0
  /** Room under which the queue counts as full (MIN_LINE_COST, or the cost of the last record it had no room for). */
  private fullMargin = MIN_LINE_COST
  /** Sends in flight, oldest first: their records follow the `keep` ones at the head, in order. */
  private flights: Flight[] = []
  /** Records at the head kept for a retry while later sends are still in flight. */
  private keep = 0
  private timer: NodeJS.Timeout | undefined
  /** What the timer is for: a send due now, a partial batch waiting batchMs, a backoff. */
  private timerKind: 'now' | 'batch' | 'backoff' | undefined
  private backoffMs = 0
  private closed = false
  private readonly frameTransport: FrameTransport | undefined
  private readonly batchMax: number
  private readonly batchMs: number
  private readonly maxInFlight: number
  private readonly coalescer: Coalescer
  /** Drops not yet told in the local log, and whether a microtask will tell them. */
  private untoldDrops = 0
  /** When drops without a failure (a destination slower than the records) were last told. */
  private dropsToldAt = -Infinity
  private dropTimer: NodeJS.Timeout | undefined
  private telling = false
  private pendingVerdicts: Array<{ verdict: Verdict, outcome?: SendOutcome }> = []
  private readonly health: NodeJS.Timeout
  private lastHealth = ''
  private lastHealthSent = 0
  /** Rejected records not yet told, and when the last rejection notice was. */
  private untoldRejected = 0
  private rejectedToldAt = -Infinity

  constructor (readonly transport: ShipTransport, private readonly options: QueueOptions) {
    this.stats = { target: transport.target, sent: 0, dropped: { queue_full: 0, rejected: 0, closed: 0 }, retried: 0, truncated: 0, queued: 0, queueBytes: 0, failures: 0 }
    this.frameTransport = isFrameTransport(transport) ? transport : undefined
    const ft = this.frameTransport
    this.batchMax = Math.max(1, ft?.batchMax ?? BATCH_MAX)
    this.batchMs = ft !== undefined && ft.batchMs === 0 ? 0 : options.batchMs ?? ft?.batchMs ?? BATCH_MS
    this.maxInFlight = Math.max(1, ft?.maxInFlight ?? 1)
    this.coalescer = new Coalescer(60_000, options.now ?? Date.now)
    this.health = setInterval(() => { this.healthLine() }, HEALTH_MS).unref()
  }

  /** Whether the transport takes frames built at push (then the sink builds them from the record's parts). */
  get framed (): FrameTransport | undefined {
    return this.frameTransport
  }

  /**
   * Whether a record would be dropped: less room than the shortest line, or
   * than the last record dropped for want of room (until a send frees some).
   * The sink asks before formatting, so that a destination that is down
   * costs the host a count, not a JSON line and a frame per record.
   */
  get full (): boolean {
    return this.closed || this.bytes + this.fullMargin > this.options.maxBytes
  }

  /** A record dropped unformatted because the queue is full: counted like push() would. */
  dropFull (): void {
    if (this.closed) {
      this.stats.dropped.closed++
      return
    }
    this.stats.dropped.queue_full++
    this.untoldDrops++
    if (!this.telling) this.tellSoon()
  }

  /**
   * Queues one record: its JSON line (no newline) and, for a frame
   * transport, its frame (made here from the line when not given). O(1);
   * drops and counts past the bound.
   */
  push (line: string, frame?: Frame): void {
    if (this.closed) {
      this.stats.dropped.closed++
      return
    }
    const ft = this.frameTransport
    if (ft !== undefined && frame === undefined) {
      frame = ft.encodeRecord(shippedRecord(line, this.options.fields))
      if (frame === undefined) {
        this.stats.dropped.rejected++
        return
      }
    }
    // Both texts, at two bytes a character when either may hold a character past Latin-1.
    const cost = frame === undefined ? costOf(line) : (line.length + frame.text.length) * (frame.bytes > frame.text.length ? 2 : 1) + 2 * LINE_OVERHEAD
    if (this.bytes + cost > this.options.maxBytes) {
      this.fullMargin = Math.max(MIN_LINE_COST, cost)
      this.stats.dropped.queue_full++
      this.untoldDrops++
      this.tellSoon()
      return
    }
    this.lines.push(line)
    this.frames.push(frame)
    this.costs.push(cost)
    this.bytes += cost
    this.stats.queued++
    this.stats.queueBytes = this.bytes
    if (this.timerKind !== 'now' && this.timerKind !== 'backoff') this.schedule()
  }

  /**
   * Lines queued ahead of new ones (a spool from an earlier process), until
   * the first one the queue has no room for: returns how many were taken
   * (queued, or rejected and counted as such). The rest is the caller's
   * (written back to a spool), so it is not counted as dropped here.
   */
  pushAll (lines: readonly string[]): number {
    let taken = 0
    for (const line of lines) {
      if (this.closed || this.full) break
      const before = this.stats.dropped.queue_full
      const untold = this.untoldDrops
      this.push(line)
      if (this.stats.dropped.queue_full > before) {
        // No room for this one after all: it goes back with the rest, uncounted.
        this.stats.dropped.queue_full = before
        this.untoldDrops = untold
        break
      }
      taken++
    }
    return taken
  }

  /** Records queued and not yet in a send. */
  private get waiting (): number {
    let n = this.lines.length - this.head - this.keep
    for (const f of this.flights) n -= f.n
    return n
  }

  private schedule (): void {
    if (this.closed || this.timerKind === 'now' || this.timerKind === 'backoff') return
    if (this.flights.length >= this.maxInFlight || (this.keep > 0 && this.flights.length > 0)) return
    const waiting = this.waiting
    if (waiting === 0) return
    const kind = this.backoffMs > 0 ? 'backoff' : waiting >= this.batchMax || this.batchMs === 0 ? 'now' : 'batch'
    // A partial batch already waits for batchMs: more records change nothing until there is a full batch.
    if (this.timerKind === 'batch' && kind === 'batch') return
    clearTimeout(this.timer)
    this.timerKind = kind
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerKind = undefined
      this.sendBatch()
    }, kind === 'backoff' ? this.backoffMs : kind === 'now' ? 0 : this.batchMs).unref()
  }

  private sendBatch (): void {
    if (this.closed || this.flights.length >= this.maxInFlight || (this.keep > 0 && this.flights.length > 0)) return
    const waiting = this.waiting
    if (waiting === 0) return
    const from = this.lines.length - waiting
    let n = Math.min(this.batchMax, waiting)
    const cap = this.frameTransport?.batchBytes
    if (cap !== undefined) {
      let bytes = 0
      for (let i = 0; i < n; i++) {
        bytes += (this.frames[from + i] as Frame).bytes
        if (bytes > cap && i > 0) {
          n = i
          break
        }
      }
    }
    const flight: Flight = { n, outcome: undefined }
    this.flights.push(flight)
    let sent: Promise<SendOutcome>
    try {
      const ft = this.frameTransport
      if (ft !== undefined) {
        sent = ft.sendFrames(this.frames.slice(from, from + n) as Frame[])
      } else {
        const records = []
        for (let i = 0; i < n; i++) records.push(shippedRecord(this.lines[from + i] as string, this.options.fields))
        sent = this.transport.send(records)
      }
    } catch (err) {
      // The contract says never; a transport bug must not lose the batch or stop the queue.
      sent = Promise.resolve({ sent: 0, rejected: 0, retry: n, truncated: 0, reason: err instanceof Error ? err.message : 'send threw' })
    }
    sent.then((o) => { this.settle(flight, o) }, () => { this.settle(flight, { sent: 0, rejected: 0, retry: n, truncated: 0, reason: 'send failed' }) })
    // Room for another send (a pipelining transport): the next batch is due as usual.
    this.schedule()
  }

  private settle (flight: Flight, o: SendOutcome): void {
    if (this.closed) return
    flight.outcome = o
    // Outcomes are taken in the order the sends left, whatever order they come back in.
    while (this.flights.length > 0 && this.flights[0]!.outcome !== undefined) {
      const f = this.flights.shift() as Flight
      this.account(f.n, f.outcome as SendOutcome)
    }
    if (this.flights.length === 0) this.keep = 0
    this.stats.queued = this.lines.length - this.head
    this.stats.queueBytes = this.bytes
    this.schedule()
  }

  /** One send's outcome: its first `n - retry` records are done, the rest kept at the head for a retry. */
  private account (n: number, o: SendOutcome): void {
    const retry = clamp(o.retry, 0, n)
    const done = n - retry
    const at = this.head + this.keep
    for (let i = at; i < at + done; i++) this.bytes -= this.costs[i] as number
    if (done > 0) this.fullMargin = MIN_LINE_COST
    if (this.keep === 0) {
      for (let i = at; i < at + done; i++) {
        this.lines[i] = ''
        this.frames[i] = undefined
      }
      this.head += done
    } else if (done > 0) {
      // Kept records of an earlier send stay ahead; these are done: out.
      this.lines.splice(at, done)
      this.frames.splice(at, done)
      this.costs.splice(at, done)
    }
    this.keep += retry
    this.compact()
    this.stats.sent += clamp(o.sent, 0, done)
    this.stats.truncated += clamp(o.truncated, 0, done)
    const rejected = clamp(o.rejected, 0, done)
    this.stats.dropped.rejected += rejected
    if (retry > 0) {
      this.stats.failures++
      this.stats.retried += retry
      const base = this.backoffMs === 0 ? BACKOFF_FIRST_MS : Math.min(BACKOFF_MAX_MS, this.backoffMs * 2)
      const jittered = Math.round(base * (0.75 + Math.random() * 0.5))
      this.backoffMs = o.retryAfterMs !== undefined && o.retryAfterMs > 0 ? Math.min(RETRY_AFTER_MAX_MS, Math.max(o.retryAfterMs, BACKOFF_FIRST_MS)) : jittered
      this.queueVerdict(this.coalescer.failure(causeKey(o.reason ?? 'unreachable')), o)
    } else {
      this.backoffMs = 0
      const v = this.coalescer.success()
      if (v.kind === 'recovered' || this.untoldDrops > 0) this.queueVerdict(v, o)
    }
    if (rejected > 0) {
      // Said at most once a minute, with the count since: a rejection notice is shipped too, and a
      // receiver that rejects everything would otherwise draw one line per batch, each drawing the next.
      this.untoldRejected += rejected
      const now = (this.options.now ?? Date.now)()
      if (now - this.rejectedToldAt >= HEALTH_MS) {
        this.rejectedToldAt = now
        this.queueVerdict({ kind: 'quiet' }, { ...o, rejected: this.untoldRejected })
        this.untoldRejected = 0
      }
    }
  }

  private compact (): void {
    if (this.head === this.lines.length) {
      this.lines = []
      this.frames = []
      this.costs = []
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head)
      this.frames = this.frames.slice(this.head)
      this.costs = this.costs.slice(this.head)
      this.head = 0
    }
  }

  private queueVerdict (verdict: Verdict, outcome?: SendOutcome): void {
    this.pendingVerdicts.push(outcome === undefined ? { verdict } : { verdict, outcome })
    this.tellSoon()
  }

  private tellSoon (): void {
    if (this.telling) return
    this.telling = true
    queueMicrotask(() => {
      this.telling = false
      this.tell()
    })
  }

  /** Says in the local log what happened since the last time: coalesced outage lines, rejected records, drops. */
  private tell (): void {
    const target = this.stats.target
    const verdicts = this.pendingVerdicts
    this.pendingVerdicts = []
    for (const { verdict: v, outcome: o } of verdicts) {
      const reason = o?.reason ?? 'unreachable'
      switch (v.kind) {
        case 'first_failure':
          this.options.notice(40, `shipping to ${target} failed (${reason}); records wait in memory (log_ship_queue) and are sent again with backoff${o?.retryAfterMs === undefined ? '' : ` (the receiver asked to wait ${Math.ceil(o.retryAfterMs / 1000)} s)`}`,
            { event: 'ship_error', destination: target, cause: reason, queued: this.lines.length - this.head })
          break
        case 'still_failing':
          this.options.notice(40, `shipping to ${target} still failing: ${v.cause}, ${v.count} times in the last ${v.seconds} s; ${this.stats.dropped.queue_full} records dropped so far`,
            { event: 'ship_error', destination: target, cause: v.cause, count: v.count, dropped: this.stats.dropped.queue_full, queued: this.lines.length - this.head })
          break
        case 'recovered':
          this.options.notice(30, `shipping to ${target} recovered after ${v.seconds} s (${v.failures} failed attempts: ${v.causes.join(', ')}); ${this.untoldDrops} records were dropped while the queue was full`,
            { event: 'ship_recovered', destination: target, failures: v.failures, seconds: v.seconds, dropped: this.untoldDrops })
          this.untoldDrops = 0
          break
        case 'ok': {
          // A destination slower than the records, not failing: the first drops are said at once, later
          // ones at most once a minute (a timer tells the rest if no batch comes by); never a line per batch.
          if (this.untoldDrops === 0) break
          const now = (this.options.now ?? Date.now)()
          if (now - this.dropsToldAt < HEALTH_MS) {
            this.dropTimer ??= setTimeout(() => {
              this.dropTimer = undefined
              this.queueVerdict({ kind: 'ok' })
            }, this.dropsToldAt + HEALTH_MS - now).unref()
            break
          }
          this.dropsToldAt = now
          this.options.notice(40, `shipping to ${target}: ${this.untoldDrops} records dropped because the queue (log_ship_queue) was full; ${this.lines.length === this.head ? 'the destination has caught up' : 'the destination is still slower than the records'}`,
            { event: 'records_dropped', reason: 'ship_queue_full', destination: target, dropped: this.untoldDrops, queued: this.lines.length - this.head })
          this.untoldDrops = 0
          break
        }
        case 'quiet':
          if (o !== undefined && o.rejected > 0) {
            this.options.notice(40, `shipping to ${target}: the receiver rejected ${o.rejected} records (${reason}); they are not sent again`,
              { event: 'ship_rejected', destination: target, rejected: o.rejected, cause: reason })
          }
          break
      }
    }
  }

  private healthLine (): void {
    const s = this.stats
    const key = `${s.dropped.queue_full},${s.dropped.rejected},${s.retried},${s.truncated},${s.failures}`
    // The health line is shipped too: one more record sent is its own, not a change.
    const moved = key !== this.lastHealth || s.sent - this.lastHealthSent > 1
    this.lastHealth = key
    this.lastHealthSent = s.sent
    if (!moved) return
    this.options.notice(30, `shipping to ${s.target}: ${s.sent} sent, ${s.dropped.queue_full} dropped (queue full), ${s.dropped.rejected} rejected, ${s.retried} retried, ${s.truncated} truncated, ${s.queued} waiting`,
      { event: 'ship_health', destination: s.target, sent: s.sent, dropped: s.dropped.queue_full, rejected: s.dropped.rejected, retried: s.retried, truncated: s.truncated, queued: s.queued })
  }

  /** Everything not yet sent, oldest first (at exit: for the spool). */
  unsent (): string[] {
    return this.lines.slice(this.head)
  }

  /** Stops sending; what is queued stays for unsent(). Idempotent. */
  close (): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.timer)
    clearInterval(this.health)
    clearTimeout(this.dropTimer)
    this.transport.close()
  }
}

/**
 * What failures are coalesced by: the reason without the receiver's own
 * words (after `: `) and with its numbers as `#`, so that a receiver naming
 * each answer differently (a request id, a counter) or a changing wait
 * (`reconnecting in 812 ms`) is still one cause: one warning, few causes.
 */
export function causeKey (reason: string): string {
  const colon = reason.indexOf(': ')
  const head = (colon > 0 ? reason.slice(0, colon) : reason).slice(0, 80)
  let out = ''
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i)
    const digit = c >= 0x30 && c <= 0x39
    if (!digit) out += head[i]
    else if (i === 0 || !(head.charCodeAt(i - 1) >= 0x30 && head.charCodeAt(i - 1) <= 0x39)) out += '#'
  }
  // An HTTP status stays itself: 503 and 429 are different causes.
  return head.startsWith('HTTP ') ? head.slice(0, 8) : out
}

function clamp (n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min
}
