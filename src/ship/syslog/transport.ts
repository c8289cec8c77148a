// createSyslogTransport: a ShipTransport for one syslog destination of
// log_ship (see url.ts for the URL forms, format.ts for the message, udp.ts
// and stream.ts for delivery, framing and what happens when the receiver
// restarts).
//
// Beyond the ShipTransport contract, a syslog transport exposes `counters`
// (connects, failed connects, batches resent after a receiver restart), for
// stats().ship and the periodic health line.

import type { FrameTransport, ShipResource } from '../transport'
import type { BackoffOptions } from './backoff'
import { createSyslogFramer } from './format'
import { createStreamTransport } from './stream'
import { createUdpTransport } from './udp'
import type { SyslogTarget } from './url'

export interface SyslogTransportOptions {
  /** Connect (and DNS lookup for UDP) timeout; default 5000 ms. */
  readonly connectTimeoutMs?: number
  /** TCP/TLS/unix: a batch not drained into the kernel by then ends the connection and is retried; default 10000 ms. */
  readonly writeTimeoutMs?: number
  /** TCP/TLS/unix: batches written this long before the peer ended the connection are written again on the next one; default 1000 ms (0: never). */
  readonly resendWindowMs?: number
  /** TCP/TLS/unix: at most this many bytes are kept for that; default 256 KiB. */
  readonly resendMaxBytes?: number
  /** Reconnect delays; default 100 ms doubling to 30 s, ±20 %. */
  readonly backoff?: BackoffOptions
}

export interface SyslogCounters {
  connects: number
  connectFailures: number
  /** Resends on a new connection of what was written just before the old one ended (duplicates possible). */
  resentBatches: number
  resentRecords: number
}

export interface SyslogTransport extends FrameTransport {
  /** A snapshot of the counters. */
  readonly counters: Readonly<SyslogCounters>
}

export function createSyslogTransport (target: SyslogTarget, resource: ShipResource, options: SyslogTransportOptions = {}): SyslogTransport {
  const framer = createSyslogFramer(resource, { facility: target.facility, maxBytes: target.maxBytes }, target.protocol !== 'udp')
  return target.protocol === 'udp' ? createUdpTransport(target, framer, options) : createStreamTransport(target, framer, options)
}
