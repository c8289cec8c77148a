// `bundle`'s flags: --since and --max-size, read strictly. A value outside
// its range is a usage error (exit 2) that says what is accepted.

import { UsageError } from '../args'

const UNITS_TIME: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const UNITS_SIZE: Readonly<Record<string, number>> = { b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 }

/** The smallest --max-size: room for the fixed members and a little of each log. */
export const MIN_MAX_SIZE = 256 * 1024
/** The largest: a log's tail is held in memory while it is cut. */
export const MAX_MAX_SIZE = 1024 ** 3
export const MAX_SINCE = 365 * 86_400_000

/** `<digits>[.<digits>]<unit>`, split by hand (no regex on the operator's text). */
function split (text: string): { n: number, unit: string } | undefined {
  const t = text.trim()
  let i = 0
  while (i < t.length && ((t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) || t[i] === '.')) i++
  if (i === 0 || i > 20) return undefined
  const n = Number(t.slice(0, i))
  if (!Number.isFinite(n)) return undefined
  return { n, unit: t.slice(i).trim().toLowerCase() }
}

/** `24h`, `30m`, `7d`, `90s`: a window ending now. */
export function parseSince (text: string): number {
  const p = split(text)
  const unit = p === undefined ? undefined : UNITS_TIME[p.unit]
  if (p === undefined || unit === undefined) throw new UsageError(`--since ${JSON.stringify(text)}: expected a duration such as 30m, 24h or 7d`)
  const ms = Math.round(p.n * unit)
  if (ms <= 0 || ms > MAX_SINCE) throw new UsageError(`--since ${JSON.stringify(text)}: must be more than 0 and at most 365d`)
  return ms
}

/** `32MB`, `512KB`, `1GB`, or bytes. */
export function parseSize (text: string): number {
  const p = split(text)
  const unit = p === undefined ? undefined : UNITS_SIZE[p.unit === '' ? 'b' : p.unit]
  if (p === undefined || unit === undefined) throw new UsageError(`--max-size ${JSON.stringify(text)}: expected a size such as 32MB, 512KB or 1GB`)
  const bytes = Math.floor(p.n * unit)
  if (bytes < MIN_MAX_SIZE || bytes > MAX_MAX_SIZE) throw new UsageError(`--max-size ${JSON.stringify(text)}: must be between 256KB and 1GB`)
  return bytes
}
