// A batch of records as syslog messages, one per record, in order. A record
// the formatter cannot encode (it never should) is left out and rejected,
// never thrown into the queue.

import type { SendOutcome, ShippedRecord } from '../transport'
import type { SyslogFormatter } from './format'

export interface EncodedBatch {
  /** One message per record; undefined where the record could not be encoded. */
  readonly messages: ReadonlyArray<Buffer | undefined>
  readonly truncated: readonly boolean[]
}

export function encodeBatch (records: readonly ShippedRecord[], format: SyslogFormatter): EncodedBatch {
  const messages: Array<Buffer | undefined> = []
  const truncated: boolean[] = []
  for (const rec of records) {
    try {
      const m = format(rec)
      messages.push(m.message)
      truncated.push(m.truncated)
    } catch {
      messages.push(undefined)
      truncated.push(false)
    }
  }
  return { messages, truncated }
}

/** Every record of the batch to send again (nothing reached the receiver, as far as we can tell). */
export function retryAll (n: number, reason: string, retryAfterMs?: number): SendOutcome {
  return retryAfterMs === undefined || retryAfterMs <= 0
    ? { sent: 0, rejected: 0, retry: n, truncated: 0, reason }
    : { sent: 0, rejected: 0, retry: n, truncated: 0, reason, retryAfterMs }
}

/** `send` as the transport contract wants it: never rejects; anything it throws retries the whole batch. */
export function neverRejects (send: (records: readonly ShippedRecord[]) => Promise<SendOutcome>): (records: readonly ShippedRecord[]) => Promise<SendOutcome> {
  return async (records) => {
    try {
      return await send(records)
    } catch (err) {
      return retryAll(Array.isArray(records) ? records.length : 0, errorReason(err))
    }
  }
}

export function errorReason (err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown, message?: unknown }
    const code = typeof e.code === 'string' ? e.code : undefined
    const message = typeof e.message === 'string' ? e.message : undefined
    if (code !== undefined && message !== undefined) return message.includes(code) ? message : `${code}: ${message}`
    if (code !== undefined) return code
    if (message !== undefined) return message
  }
  return String(err)
}

export function errorCode (err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : undefined
}
