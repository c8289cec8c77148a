// Outcomes shared by the syslog transports: a batch to retry, a send that
// never rejects, and an error's reason and code.

import type { SendOutcome } from '../transport'

/** Every record of the batch to send again (nothing reached the receiver, as far as we can tell). */
export function retryAll (n: number, reason: string, retryAfterMs?: number): SendOutcome {
  return retryAfterMs === undefined || retryAfterMs <= 0
    ? { sent: 0, rejected: 0, retry: n, truncated: 0, reason }
    : { sent: 0, rejected: 0, retry: n, truncated: 0, reason, retryAfterMs }
}

/** `send` as the transport contract wants it: never rejects; anything it throws retries the whole batch. */
export function neverRejects<T> (send: (records: readonly T[]) => Promise<SendOutcome>): (records: readonly T[]) => Promise<SendOutcome> {
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
