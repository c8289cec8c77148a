// The contract between a shipping queue (ship/queue.ts: one per destination
// in log_ship, fed by the record path) and the transport that delivers its
// records (syslog over UDP, TCP, TLS or a unix socket; OTLP/HTTP JSON).
//
// The queue holds records as the JSON layout's lines: already redacted and
// capped, exactly what the log file would hold in JSON, so a shipped record
// can never hold more than the local log does. When it sends, it parses a
// batch back into ShippedRecords (fields selected by log_ship_fields) and
// hands them to the transport. A transport encodes and delivers; it never
// buffers beyond the batch it was given, so the queue alone bounds memory
// and counts what is dropped.

import type { LevelValue } from '../record/levels'

/** An error as the JSON layout wrote it: `err.type`, `err.message`, `err.stack`. */
export interface ShippedError {
  readonly type: string
  readonly message: string
  readonly stack: string | undefined
}

/** One record, parsed back from its JSON line. Every string was redacted and capped when the line was made. */
export interface ShippedRecord {
  /** Milliseconds since the epoch. */
  readonly time: number
  readonly level: LevelValue
  /** The logger name: `oneapm.collector`. */
  readonly logger: string
  readonly pid: number
  readonly thread: string
  readonly msg: string
  /** The record's fields (bound and per call) as JSON values, filtered by log_ship_fields. */
  readonly fields: Readonly<Record<string, unknown>>
  readonly err: ShippedError | undefined
  /** Written as flight-recorder context before an error (not at the time it was logged). */
  readonly recorded: boolean
  /** The JSON line itself, no newline (a transport that ships JSON may send it as is when no field is left out). */
  readonly json: string
}

/** Process-wide facts a transport puts in every message or batch (syslog HOSTNAME, OTLP resource). */
export interface ShipResource {
  readonly hostName: string
  readonly pid: number
  /** app_name, or undefined. */
  readonly serviceName: string | undefined
  /** One id per process lifetime (OTLP service.instance.id). */
  readonly instanceId: string
  readonly runtimeName: string
  readonly runtimeVersion: string
  /** This package's version (OTLP scope version). */
  readonly version: string
}

/** What became of one batch. The counts add up to the batch's length. */
export interface SendOutcome {
  /** Accepted by the receiver (OTLP 2xx), or handed whole to the kernel (syslog). */
  readonly sent: number
  /** Refused for good, never retried (OTLP 400, partial success's rejected count, a message too big even for a UDP datagram). */
  readonly rejected: number
  /** Records to send again, the last `retry` of the batch (a network error, 429/502/503/504, a TCP connection lost mid-batch). */
  readonly retry: number
  /** Of `sent`, how many were cut to the transport's message cap (with the visible marker). */
  readonly truncated: number
  /** The receiver's Retry-After, in ms, when it gave one. */
  readonly retryAfterMs?: number
  /** For the local log: why records were rejected or must be retried (an HTTP status, an errno, a partial-success message); never a secret. */
  readonly reason?: string
}

/**
 * A record as one destination sends it, built once when the record is taken
 * (ship-sink.ts), from its redacted and cut parts: a syslog message with its
 * octet count (or a bare datagram), an OTLP logRecord's JSON. The queue holds
 * these ready to write; a transport only joins them.
 */
export interface Frame {
  readonly text: string
  /** UTF-8 bytes of text. */
  readonly bytes: number
  /** Cut to the destination's message cap (with the visible marker). */
  readonly truncated: boolean
  /** OTLP: the resource and scope the record belongs to (`<pid> <logger>`); '' for syslog. */
  readonly group: string
}

/** What a frame is built from on the fast path: the JSON layout's parts of one record (format/json.ts jsonParts). */
export interface RecordParts {
  readonly time: number
  /** `2026-11-21T05:18:00.123Z` */
  readonly iso: string
  readonly level: LevelValue
  readonly logger: string
  /** JSON string literals: the message (redacted, capped) and the thread name. */
  readonly msg: string
  readonly thread: string
  /** `,"k":v` members: bound and call fields (no `err`), or '' for none. */
  readonly fields: string
}

/** A transport that takes frames: the queue encodes each record once, at push, and sends ready text. */
export interface FrameTransport extends ShipTransport {
  /** The frame of a record from its parts; undefined when only encodeRecord can make it (a cut, an odd character). */
  encodeParts (p: RecordParts): Frame | undefined
  /** The frame of a parsed-back record (spool replay, records with errors or left-out fields). */
  encodeRecord (r: ShippedRecord): Frame | undefined
  /** Delivers frames, oldest first; same contract as send(). */
  sendFrames (frames: readonly Frame[]): Promise<SendOutcome>
  /** Sends that may be in flight at once (1: wait for each outcome). */
  readonly maxInFlight: number
  /** Records a batch may hold. */
  readonly batchMax: number
  /** Bytes a batch may hold (its first frame always goes); undefined: no limit but batchMax. */
  readonly batchBytes?: number
  /** How long a batch smaller than batchMax waits for more (0: leaves as soon as nothing is in flight). */
  readonly batchMs: number
}

export function isFrameTransport (t: ShipTransport): t is FrameTransport {
  return typeof (t as Partial<FrameTransport>).sendFrames === 'function'
}

export interface ShipTransport {
  /** What the destination is, for the local log and doctor, with any credential masked: `syslog+tcp://relay:601`. */
  readonly target: string
  /**
   * Delivers `records`, oldest first. Never rejects; never throws. Only one
   * send is in flight at a time (the queue waits for the outcome), unless
   * the transport is a FrameTransport and says otherwise. Sockets
   * and timers are unref'd: a transport never keeps the host alive.
   */
  send (records: readonly ShippedRecord[]): Promise<SendOutcome>
  /** Ends sockets and timers now; a send in flight resolves (as retry). Idempotent. */
  close (): void
}
