// Keeps secrets out of what the config layer shows: problems, doctor's
// report. One redaction: the Redactor's rules (URL passwords, secret
// parameters, auth headers), a URL password with '@' in it, and every secret
// value the config was given, found in any letter case. Long text is cut
// only after that, and never inside a word, so no part of a secret that
// straddles the cut is shown.

import { MASK, Redactor } from '../format/redact'

// Name fragments (lower-case, letters and digits only) that make a key's
// value secret. Wider than the Redactor's list on purpose: these are names
// an operator typed, near misses included (licence_key, api_tokn).
const FRAGMENTS = ['licen', 'key', 'pass', 'pwd', 'secret', 'token', 'tokn', 'auth', 'cred', 'cookie', 'session', 'sign', 'private', 'bearer', 'jwt']
const EXACT = new Set(['sid', 'pw'])

/** The shortest value of a key that merely looks secret (licence_key, db_pass) that is masked wherever it appears. */
export const GUESSED_MIN = 8

/** Whether a config key's value should be treated as a secret. */
export function looksSecret (key: string): boolean {
  // Key names longer than this are not names anyone chose; treat them as secret rather than scan them.
  if (key.length > 256) return true
  const n = key.toLowerCase().replace(/[^a-z0-9]/g, '')
  return EXACT.has(n) || FRAGMENTS.some((f) => n.includes(f))
}

/** The password in `[scheme://]user:password@host...`, if any. */
export function userinfoPassword (value: string): string | undefined {
  const scheme = value.indexOf('://')
  const start = scheme === -1 ? 0 : scheme + 3
  const end = authorityEnd(value, start)
  const at = value.lastIndexOf('@', end - 1)
  if (at < start) return undefined
  const colon = value.indexOf(':', start)
  if (colon === -1 || colon > at) return undefined
  const pw = value.slice(colon + 1, at)
  return pw === '' ? undefined : pw
}

/** `[scheme://]user:****@host...`: the password masked, whatever characters it holds. */
export function maskUserinfo (value: string): string {
  const pw = userinfoPassword(value)
  if (pw === undefined) return value
  const scheme = value.indexOf('://')
  const start = scheme === -1 ? 0 : scheme + 3
  const colon = value.indexOf(':', start)
  return value.slice(0, colon + 1) + MASK + value.slice(colon + 1 + pw.length)
}

/** Masks the password of every `scheme://user:password@` in free text. */
export function maskUrlPasswords (s: string): string {
  if (!s.includes('://')) return s
  let out = ''
  let from = 0
  let i = s.indexOf('://')
  while (i !== -1) {
    const start = i + 3
    const end = authorityEnd(s, start)
    const at = s.lastIndexOf('@', end - 1)
    const colon = s.indexOf(':', start)
    if (at >= start && colon !== -1 && colon < at) {
      out += s.slice(from, colon + 1) + MASK
      from = at
    }
    i = s.indexOf('://', end)
  }
  return out + s.slice(from)
}

function authorityEnd (s: string, start: number): number {
  for (let i = start; i < s.length; i++) {
    const c = s[i]
    if (c === '/' || c === '?' || c === '#' || c === '"' || c === "'" || c === '<' || c === '>' || c === ' ' || c === '\t' || c === '\n' || c === '\r') return i
  }
  return s.length
}

const TOKEN_CHAR = /[A-Za-z0-9_\-+/=.%~]/

/**
 * Cuts to at most `max` characters, backing off to the start of a word the
 * cut would split (a secret the redaction could not recognise whole must
 * not be shown in part). Adds '…' when anything was cut.
 */
export function cutWhole (s: string, max: number): string {
  if (s.length <= max) return s
  let end = max
  if (TOKEN_CHAR.test(s[end] ?? '') && TOKEN_CHAR.test(s[end - 1] ?? '')) {
    while (end > 0 && TOKEN_CHAR.test(s[end - 1] ?? '')) end--
  }
  return s.slice(0, end) + '…'
}

/** Lower-cases `s` character by character, so positions match the original. */
function fold (s: string): string {
  const lower = s.toLowerCase()
  if (lower.length === s.length) return lower
  let out = ''
  for (const c of s) {
    const l = c.toLowerCase()
    out += l.length === c.length ? l : c
  }
  return out
}

/** Collects the secrets a config holds and removes them from text. */
export class SecretScrubber {
  private readonly known = new Set<string>()
  private redactor: Redactor

  constructor (licenseKey?: string) {
    this.redactor = new Redactor(licenseKey === undefined ? {} : { licenseKey })
    if (licenseKey !== undefined) this.add(licenseKey)
  }

  /** A secret value, in all the forms it may be shown in (as given, URL-decoded, JSON-escaped). */
  add (value: string, min = 4): void {
    const v = value.trim()
    if (v.length < min) return
    const forms = [v, JSON.stringify(v).slice(1, -1)]
    try {
      forms.push(decodeURIComponent(v))
    } catch {
      // Not URL-encoded.
    }
    for (const f of forms) if (f.length >= min) this.known.add(fold(f))
  }

  /** The password of a URL-like value (a proxy), if it has one. */
  addUrl (value: string): void {
    const pw = userinfoPassword(value)
    if (pw !== undefined) this.add(pw)
  }

  /** The license key in use, which the Redactor also masks (as its first 4 characters, when long). */
  useLicenseKey (key: string | undefined): void {
    if (key === undefined) return
    this.redactor = new Redactor({ licenseKey: key })
    this.add(key)
  }

  /** The full redaction: the Redactor's rules, URL passwords, then the known secrets. */
  text (s: string): string {
    return this.final(maskUrlPasswords(this.redactor.text(s)))
  }

  /** The known secrets alone, in any letter case: the last, fail-closed pass over finished output. */
  final (s: string): string {
    if (this.known.size === 0 || s === '') return s
    let folded = fold(s)
    for (const secret of this.known) {
      if (!folded.includes(secret)) continue
      let out = ''
      let from = 0
      for (let i = folded.indexOf(secret); i !== -1; i = folded.indexOf(secret, i + secret.length)) {
        out += s.slice(from, i) + MASK
        from = i + secret.length
      }
      s = out + s.slice(from)
      folded = fold(s)
    }
    return s
  }

  /**
   * A config line as shown in a problem: redacted, then cut. A line whose
   * first word names a secret (`license_key ABCD...`, no `=`) shows the word alone.
   */
  line (raw: string, max = 200): string {
    const trimmed = raw.trim()
    const word = firstWord(trimmed)
    if (word !== trimmed && looksSecret(word.replace(/^\[/, ''))) return `${cutWhole(this.text(word), 60)} ${MASK}`
    return cutWhole(this.text(trimmed), max)
  }

  /** The secret part of a line whose first word names a secret, for adding to the known secrets. */
  static secretOfLine (raw: string): string | undefined {
    const trimmed = raw.trim()
    const word = firstWord(trimmed)
    if (word === trimmed || !looksSecret(word.replace(/^\[/, ''))) return undefined
    return trimmed.slice(word.length).replace(/^[\s=:]+/, '').replace(/[\s\]]+$/, '')
  }
}

function firstWord (s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === ' ' || c === '\t' || c === '=' || c === ':') return s.slice(0, i)
  }
  return s
}
