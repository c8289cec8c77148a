// Parsers for config values. Each takes what a file, an env var or code gave
// (strings from the first two, anything from code) and either accepts it or
// says what it accepts, so the loader can report a problem and use the default.

import { ACCEPTED_LEVELS, parseLevel, type LevelSetting } from '../record/levels'

/** Accepted (with a `note` when the value was adjusted to be usable), or what is accepted instead. */
export type Parsed<T> = { readonly ok: true, readonly value: T, readonly note?: string } | { readonly ok: false, readonly accepted: string }

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const no = (accepted: string): Parsed<never> => ({ ok: false, accepted })

export function parseLevelValue (input: unknown): Parsed<LevelSetting> {
  const level = parseLevel(input)
  return level === undefined ? no(ACCEPTED_LEVELS) : ok(level)
}

export type LogFormat = 'text' | 'json'

export function parseFormat (input: unknown): Parsed<LogFormat> {
  const v = typeof input === 'string' ? input.trim().toLowerCase() : input
  return v === 'text' || v === 'json' ? ok(v) : no('text, json')
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmg]?)(i?b?)$/i
const UNIT: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }

/** `16384`, `16KB`, `10MB`, `1.5GiB`: units are binary (1 KB = 1024 bytes). */
export function parseSize (input: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): Parsed<number> {
  const accepted = `a size in bytes from ${min} to ${max}, such as 16384, 16KB or 10MB (1 KB = 1024 bytes)`
  if (typeof input === 'number') return Number.isInteger(input) && input >= min && input <= max ? ok(input) : no(accepted)
  if (typeof input !== 'string') return no(accepted)
  const m = SIZE.exec(input.trim())
  if (m === null) return no(accepted)
  const bytes = Math.floor(Number(m[1]) * (UNIT[(m[2] ?? '').toLowerCase()] ?? 1))
  return bytes >= min && bytes <= max ? ok(bytes) : no(accepted)
}

/** The inverse of parseSize for display: `16KB`, `8MB`, or plain bytes. */
export function formatSize (bytes: number): string {
  for (const [unit, size] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`
  }
  return String(bytes)
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i
const DURATION_UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * `500ms`, `30s`, `2m`, `1h`; a bare number in text is seconds. A number
 * from code is milliseconds, the unit of the setting, so that settings read
 * by loadConfig() can be handed back unchanged.
 */
export function parseDuration (input: unknown, minMs: number, maxMs: number): Parsed<number> {
  const accepted = `a duration from ${minMs} ms to ${maxMs / 1000} s, such as 30s, 500ms or 2m (a bare number is seconds; a number from code is milliseconds)`
  let ms: number
  if (typeof input === 'number') {
    ms = input
  } else if (typeof input === 'string') {
    const m = DURATION.exec(input.trim())
    if (m === null) return no(accepted)
    ms = Number(m[1]) * (DURATION_UNIT[(m[2] ?? 's').toLowerCase()] ?? 1000)
  } else {
    return no(accepted)
  }
  return Number.isFinite(ms) && ms >= minMs && ms <= maxMs ? ok(Math.round(ms)) : no(accepted)
}

/** Comma- or space-separated names, e.g. `x-session, db_password`. */
export function parseNameList (input: unknown): Parsed<readonly string[]> {
  const accepted = 'a comma-separated list of field names, such as x-session, db_password'
  const items = Array.isArray(input) ? input : typeof input === 'string' ? input.split(/[\s,]+/) : undefined
  if (items === undefined || !items.every((i) => typeof i === 'string')) return no(accepted)
  return ok((items as string[]).map((s) => s.trim()).filter((s) => s !== ''))
}

const NAMESPACE = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/i

/**
 * Per-namespace levels, `collector:debug,instrumentation.http:trace`, relative
 * to `oneapm` (a leading `oneapm.` is accepted too). Code may pass an object.
 */
export function parseNamespaceLevels (input: unknown): Parsed<Readonly<Record<string, LevelSetting>>> {
  const accepted = `namespace:level pairs separated by commas, such as collector:debug,instrumentation.http:trace; levels: ${ACCEPTED_LEVELS}`
  let pairs: Array<[string, unknown]>
  if (typeof input === 'string') {
    pairs = []
    for (const item of input.split(/[\s,]+/)) {
      if (item === '') continue
      const at = item.lastIndexOf(':')
      if (at <= 0) return no(accepted)
      pairs.push([item.slice(0, at), item.slice(at + 1)])
    }
  } else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    pairs = Object.entries(input)
  } else {
    return no(accepted)
  }
  const out: Record<string, LevelSetting> = Object.create(null)
  for (const [rawName, rawLevel] of pairs) {
    // '' is the root, as parsed settings spell it.
    const name = typeof input === 'object' && rawName.trim() === '' ? '' : relativeNamespace(rawName)
    const level = parseLevel(rawLevel)
    if (name === undefined || level === undefined) return no(accepted)
    out[name] = level
  }
  return ok(out)
}

/** `oneapm.collector` or `collector` → `collector`; `oneapm` → `` (the root). */
export function relativeNamespace (name: string): string | undefined {
  const n = name.trim().replace(/:/g, '.').toLowerCase()
  if (n === 'oneapm') return ''
  const rel = n.startsWith('oneapm.') ? n.slice(7) : n
  return NAMESPACE.test(rel) ? rel : undefined
}

export function parseString (input: unknown): Parsed<string | undefined> {
  if (input === undefined || input === null) return ok(undefined)
  if (typeof input !== 'string' && typeof input !== 'number') return no('a string')
  const s = String(input).trim()
  return ok(s === '' ? undefined : s)
}

export type RotatePeriod = 'none' | 'hourly' | 'daily'

export function parseRotate (input: unknown): Parsed<RotatePeriod> {
  const v = typeof input === 'string' ? input.trim().toLowerCase() : input
  return v === 'none' || v === 'hourly' || v === 'daily' ? ok(v) : no('none, hourly, daily')
}

/** A whole number from min to max. */
export function parseCount (input: unknown, min: number, max: number): Parsed<number> {
  const n = typeof input === 'number' ? input : typeof input === 'string' && /^\s*\d+\s*$/.test(input) ? Number(input) : NaN
  return Number.isInteger(n) && n >= min && n <= max ? ok(n) : no(`a whole number from ${min} to ${max}`)
}

export function parseBoolean (input: unknown): Parsed<boolean> {
  if (typeof input === 'boolean') return ok(input)
  const v = typeof input === 'string' ? input.trim().toLowerCase() : ''
  if (['true', 'yes', 'on', '1'].includes(v)) return ok(true)
  if (['false', 'no', 'off', '0'].includes(v)) return ok(false)
  return no('true or false (also yes/no, on/off, 1/0)')
}

/**
 * Optimal string alignment distance, for "did you mean" on misspelt keys.
 * Three rows of the shorter string's length: memory is O(min(a, b)).
 */
export function editDistance (a: string, b: string): number {
  if (a.length < b.length) [a, b] = [b, a]
  const n = b.length
  let before = new Array<number>(n + 1).fill(0)
  let prev = Array.from({ length: n + 1 }, (_, j) => j)
  let row = new Array<number>(n + 1).fill(0)
  for (let i = 1; i <= a.length; i++) {
    row[0] = i
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (before[j - 2] as number) + 1)
      row[j] = v
    }
    [before, prev, row] = [prev, row, before]
  }
  return prev[n] as number
}

const SCHEME = /^[a-z][a-z0-9+.-]{0,30}:\/\//i

/**
 * The collector host: a host name or IP address with an optional port. A
 * scheme (https://collector.oneapm.com) is removed, with a note: the
 * protocol is the agent's choice, not part of the host.
 */
export function parseHost (input: unknown): Parsed<string | undefined> {
  const accepted = 'a host name or IP address with an optional port, such as collector.oneapm.com or 10.0.0.5:8443 (no user, path or query)'
  if (input === undefined || input === null) return ok(undefined)
  if (typeof input !== 'string') return no(accepted)
  let v = input.trim()
  if (v === '') return ok(undefined)
  const scheme = SCHEME.exec(v)
  if (scheme !== null) {
    v = v.slice(scheme[0].length)
    if (v.endsWith('/')) v = v.slice(0, -1)
  }
  if (!isHostPort(v)) return no(accepted)
  return scheme === null ? ok(v) : { ok: true, value: v, note: `host takes no scheme: ${scheme[0]} was removed` }
}

/** `name`, `name:port`, `1.2.3.4:port`, `[v6]:port`. */
export function isHostPort (v: string): boolean {
  let host = v
  let port: string | undefined
  if (v.startsWith('[')) {
    const close = v.indexOf(']')
    if (close === -1) return false
    const inner = v.slice(1, close)
    if (inner === '' || !/^[0-9a-f:.]+$/i.test(inner)) return false
    const rest = v.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) return false
    if (rest !== '') port = rest.slice(1)
    host = ''
  } else {
    const colon = v.indexOf(':')
    if (colon !== -1) {
      host = v.slice(0, colon)
      port = v.slice(colon + 1)
    }
    if (host.length === 0 || host.length > 253) return false
    for (const label of host.split('.')) {
      if (label === '' || label.length > 63 || !/^[a-z0-9_-]+$/i.test(label)) return false
    }
  }
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return false
  return true
}

/** A proxy for collector traffic: an http:// or https:// URL with a host. */
export function parseProxy (input: unknown): Parsed<string | undefined> {
  const accepted = 'an http:// or https:// proxy URL, such as http://proxy.example.com:3128 (user:password@ may come before the host)'
  if (input === undefined || input === null) return ok(undefined)
  if (typeof input !== 'string') return no(accepted)
  const v = input.trim()
  if (v === '') return ok(undefined)
  if (!/^https?:\/\/[^\s]+$/i.test(v)) return no(accepted)
  try {
    const url = new URL(v)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? ok(v) : no(accepted)
  } catch {
    return no(accepted)
  }
}

/** The schemes log_ship accepts; each is checked in full (host, port, path, query) when the destination is built. */
export const SHIP_SCHEMES = ['syslog+udp://', 'syslog+tcp://', 'syslog+tls://', 'syslog+unix://', 'otlp+http://', 'otlp+https://'] as const

/** Each destination holds a queue of up to log_ship_queue bytes: the count bounds memory. */
export const MAX_SHIP_DESTINATIONS = 16

/**
 * log_ship: destinations separated by commas (or spaces). A destination with
 * an unknown scheme is left out with a note; all of them bad is a problem.
 */
export function parseShipList (input: unknown): Parsed<readonly string[]> {
  const accepted = 'a comma-separated list of syslog+udp://host:514, syslog+tcp://host:601, syslog+tls://host:6514, syslog+unix:///dev/log, otlp+http://host:4318, otlp+https://host:4318, or otlp; empty for none'
  const items = Array.isArray(input) ? input : typeof input === 'string' ? input.split(/[\s,]+/) : input === undefined || input === null ? [] : undefined
  if (items === undefined || !items.every((i) => typeof i === 'string')) return no(accepted)
  const given = (items as string[]).map((s) => s.trim()).filter((s) => s !== '')
  const good = [...new Set(given.filter(isShipDestination))]
  const bad = given.filter((d) => !isShipDestination(d))
  if (bad.length > 0 && good.length === 0) return no(accepted)
  const unique = good.slice(0, MAX_SHIP_DESTINATIONS)
  const notes: string[] = []
  if (bad.length > 0) notes.push(`${bad.length} destination(s) with an unknown scheme left out; accepted: ${accepted}`)
  if (good.length > unique.length) notes.push(`at most ${MAX_SHIP_DESTINATIONS} destinations are used; the last ${good.length - unique.length} were left out`)
  return notes.length === 0 ? ok(unique) : { ok: true, value: unique, note: notes.join('; ') }
}

function isShipDestination (d: string): boolean {
  const lower = d.toLowerCase()
  return lower === 'otlp' || SHIP_SCHEMES.some((s) => lower.startsWith(s) && d.length > s.length)
}

/** log_ship_fields: `all`, or field names. */
export function parseShipFields (input: unknown): Parsed<'all' | readonly string[]> {
  if (typeof input === 'string' && (input.trim().toLowerCase() === 'all' || input.trim() === '')) return ok('all')
  const names = parseNameList(input)
  if (!names.ok) return no('all, or a comma-separated list of field names, such as event,cause,status')
  if (names.value.length === 0) return ok('all')
  // `all,event` means all: read as two field names, it would ship almost nothing.
  if (names.value.some((n) => n.toLowerCase() === 'all')) {
    return names.value.length === 1 ? ok('all') : { ok: true, value: 'all', note: '"all" was listed with field names: all fields travel (list names without "all" to choose)' }
  }
  return ok(names.value)
}
