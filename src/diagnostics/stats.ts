// Supportability counters: what the logger wrote, dropped and hit. Each one
// is explained in docs/ and by `doctor`, so support can read a dump of them.

import type { LevelName } from '../record/levels'
import type { DropReason } from '../sinks/fd-writer'

export interface LoggerStats {
  /** `stderr`, `stdout`, or the file path; '' before the logger is configured. */
  destination: string
  /** Records accepted for writing, by level. */
  records: Record<LevelName, number>
  /** Bytes that reached the destination. */
  bytes: number
  /** write(2) calls made (one per batch of lines). */
  writes: number
  /** Records lost, by reason. */
  dropped: Record<DropReason, number>
  /** Records lost because the early queue (before configuration) was full. */
  droppedEarly: number
  /** The same, by level: the oldest of the lowest level go first, errors last. */
  droppedEarlyByLevel: Record<LevelName, number>
  /** Log calls made while a record was being formatted (from a toJSON, a getter, the host's logger): not written. */
  reentrant: number
  /** Named loggers, and names folded into an ancestor once there were too many. */
  loggers: { named: number, folded: number }
  /** Write errors by code (ENOSPC, EPIPE, ...); EAGAIN retries are not errors. */
  sinkErrors: Record<string, number>
  /** Failures inside the logger itself, caught and reported on stderr. */
  internalErrors: number
  /** Host interference detected, by cause (stderr_write_replaced, fd2_closed, debug_disabled, ...). */
  interference: Record<string, number>
  /** Collector traffic recorded by recordConnections(). */
  collector: { requests: number, failures: number, recoveries: number }
  /**
   * The flight recorder: records held now and the bytes their copies take,
   * records that left (pushed out by newer ones or older than the window),
   * calls not kept because their logger was over its rate budget, dumps written before errors.
   */
  flightRecorder: { held: number, bytes: number, evicted: number, skipped: number, dumps: number }
  /** One entry per log_ship destination. */
  ship: ShipDestinationStats[]
}

/** A shipping destination's counters (log_ship). */
export interface ShipDestinationStats {
  /** The destination, credentials masked: `syslog+tcp://relay:601`. */
  readonly target: string
  /** Records the receiver took (OTLP 2xx) or the kernel took whole (syslog). */
  sent: number
  /** Records not sent: the queue was full (log_ship_queue), the receiver rejected them for good, or shipping had stopped. */
  dropped: { queue_full: number, rejected: number, closed: number }
  /** Records sent again after a failed attempt. */
  retried: number
  /** Records cut to the destination's message cap, with a marker. */
  truncated: number
  /** Records waiting now, and the bytes they take (bounded by log_ship_queue). */
  queued: number
  queueBytes: number
  /** Batches that failed (network errors, retryable statuses). */
  failures: number
  /** Syslog destinations: connections made, connects that failed, and what was written again on a new connection after the receiver ended one. */
  syslog?: { connects: number, connectFailures: number, resentBatches: number, resentRecords: number }
}

/** Counters other parts of the agent add to (interference probes, collector recording). */
export interface SupportCounters {
  readonly interference: Record<string, number>
  readonly collector: { requests: number, failures: number, recoveries: number }
}

export function newSupportCounters (): SupportCounters {
  return { interference: {}, collector: { requests: 0, failures: 0, recoveries: 0 } }
}

export function emptyStats (): LoggerStats {
  return {
    destination: '',
    records: { critical: 0, error: 0, warning: 0, info: 0, debug: 0, trace: 0 },
    bytes: 0,
    writes: 0,
    dropped: { buffer_full: 0, write_error: 0, destination_gone: 0, closed: 0 },
    droppedEarly: 0,
    droppedEarlyByLevel: { critical: 0, error: 0, warning: 0, info: 0, debug: 0, trace: 0 },
    reentrant: 0,
    loggers: { named: 0, folded: 0 },
    sinkErrors: {},
    internalErrors: 0,
    interference: {},
    collector: { requests: 0, failures: 0, recoveries: 0 },
    flightRecorder: { held: 0, bytes: 0, evicted: 0, skipped: 0, dumps: 0 },
    ship: []
  }
}

/** One line per counter, for doctor and docs. */
export const STAT_DOCS: Readonly<Record<string, string>> = {
  records: 'records accepted for writing, by level',
  bytes: 'bytes that reached the destination',
  writes: 'write calls made; records logged in one event-loop turn share one write',
  'dropped.buffer_full': 'records dropped because the destination was slower than the agent and the buffer (log_buffer_max) was full',
  'dropped.write_error': 'records dropped while writes were failing (disk full, I/O error) and the buffer was full',
  'dropped.destination_gone': 'records dropped after the destination went away for good (reader of the pipe exited, fd closed)',
  'dropped.closed': 'records logged after close()',
  droppedEarly: 'records logged before the logger was configured that did not fit the early queue',
  droppedEarlyByLevel: 'the same, by level: the oldest records of the lowest level are dropped first, an error or critical never for a lower record',
  reentrant: 'log calls made while a record was being formatted or handed to the host logger (from a toJSON, a getter, or the host logger logging back): not written, to keep the logger from recursing',
  'loggers.named': 'named loggers in the tree (at most 1,000)',
  'loggers.folded': 'times a new logger name was folded into an existing logger (with a logger field) because there were already 1,000',
  sinkErrors: 'write errors by code (ENOSPC, EIO, EPIPE...); EAGAIN retries are not counted',
  internalErrors: 'failures inside the logger itself, caught and reported on stderr',
  interference: 'host interference detected, by cause: a replaced process.stdout/stderr.write or console method, a closed or redirected fd 1/2, a reader that went away (EPIPE), debug namespaces turned off, a silenced host logger',
  'collector.requests': 'requests the agent made to its collector (through recordConnections)',
  'collector.failures': 'collector requests or connections that failed (refused, DNS, TLS, timeouts, HTTP 4xx/5xx)',
  'collector.recoveries': 'times the collector worked again after failures',
  'flightRecorder.held': 'below-level records the flight recorder holds now',
  'flightRecorder.bytes': 'memory the flight recorder\'s copies of those records take (at most log_flight_recorder)',
  'flightRecorder.evicted': 'records the flight recorder dropped to make room for newer ones or because they were older than log_flight_recorder_window',
  'flightRecorder.skipped': 'below-level calls the flight recorder did not keep because their logger was over its budget (100 a second, bursts of 300; paused for 100 ms at a time, the calls only counted)',
  'flightRecorder.dumps': 'times recorded context was written before an error',
  'ship[].sent': 'per log_ship destination: records the receiver took (OTLP) or the kernel took whole (syslog)',
  'ship[].dropped.queue_full': 'records dropped because the destination was slow or down and its queue (log_ship_queue) was full',
  'ship[].dropped.rejected': 'records the receiver refused for good (an OTLP 400, a partial success\'s rejected count, a message too big for UDP): never retried',
  'ship[].dropped.closed': 'records logged after shipping stopped (close(), or at exit once the spool was written)',
  'ship[].retried': 'records sent again after a failed attempt (network errors, 429/502/503/504)',
  'ship[].truncated': 'records cut to the destination\'s message cap, with a visible marker',
  'ship[].queued': 'records waiting for the destination now; queueBytes is the memory they take',
  'ship[].failures': 'batches that failed and were retried with backoff'
}
