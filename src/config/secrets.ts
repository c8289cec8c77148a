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
    // The last '@' and first ':' within this authority only: a search past its ends
    // (lastIndexOf back to the start of `s`) made a run of '://' quadratic.
    let at = -1
    let colon = -1
    for (let k = start; k < end; k++) {
      const c = s.charCodeAt(k)
      if (c === 64) at = k
      else if (c === 58 && colon === -1) colon = k
    }
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

/**
 * A proxy (or host) value for display, failing closed. Operators type
 * passwords unencoded (`http://bob:p#ss/w?rd@proxy:3128`), so the authority
 * cannot be found by URL rules: everything between `://` and the value's
 * LAST '@' is userinfo. The user before the first ':' stays (it tells
 * accounts apart), the rest is masked; with no ':' the whole userinfo is
 * masked (a token used as user name). A value with an '@' but no `://`
 * before it cannot be read at all: it is masked whole.
 */
export function maskProxy (value: string): string {
  const at = value.lastIndexOf('@')
  if (at === -1) return value
  const info = proxyUserinfo(value, at)
  if (info === undefined) return MASK
  const colon = value.indexOf(':', info.start)
  const keep = colon !== -1 && colon < at ? colon + 1 : info.start
  return value.slice(0, keep) + MASK + value.slice(at)
}

/** What maskProxy hides in a proxy value: the password (or the whole userinfo), for the known secrets. */
export function proxySecrets (value: string): string[] {
  const at = value.lastIndexOf('@')
  if (at === -1) return []
  const info = proxyUserinfo(value, at)
  if (info === undefined) return [value.slice(0, at)]
  const colon = value.indexOf(':', info.start)
  const out = [value.slice(colon !== -1 && colon < at ? colon + 1 : info.start, at)]
  const pw = userinfoPassword(value)
  if (pw !== undefined) out.push(pw)
  return out.filter((v) => v !== '')
}

function proxyUserinfo (value: string, at: number): { start: number } | undefined {
  const scheme = value.indexOf('://')
  if (scheme === -1 || scheme + 3 > at) return undefined
  return { start: scheme + 3 }
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

  /** The password (or whole userinfo) of a proxy value, found the way maskProxy finds it. */
  addProxy (value: string): void {
    for (const secret of proxySecrets(value)) this.add(secret)
    this.addUrl(value)
  }

  /** Every known secret, lower-cased, in each form it may be shown in: for a Redactor's `secrets`. */
  secrets (): string[] {
    return [...this.known]
  }

  /**
   * A config line that failed to parse, as shown in a problem. Nothing in it
   * is known to be a value, so it is shown failing closed: a continuation
   * line of a secret key not at all; else only up to the first word that
   * names a secret (`- license_key ABCD`, `set license_key ABCD`,
   * `license_key<NBSP>ABCD`: the name, then a mask); then redacted, every run
   * of token characters that may be a key masked (LONG_TOKEN or more, or
   * MIXED_TOKEN or more mixing letters and digits: a key in a broken
   * `[header`), and cut to `max` characters.
   */
  line (raw: string, max = LINE_SHOWN, continues?: string): string {
    if (continues !== undefined && looksSecret(continues)) return MASK
    const trimmed = raw.trim()
    const name = secretName(trimmed)
    if (name === undefined) return cutWhole(maskLongTokens(this.text(trimmed)), max)
    const word = trimmed.slice(name.start, name.end)
    // The name itself is shown when it reads as one (licence_key), never when it could be a value (apiKey9f3a...).
    const shownName = /^[A-Za-z_.-]{1,40}$/.test(word) ? word : MASK
    const before = maskLongTokens(this.text(trimmed.slice(0, name.start)))
    return `${cutWhole(before + shownName, max)} ${MASK}`
  }

  /**
   * What a line that failed to parse may hold as a secret, for the known
   * secrets: all of a continuation line of a secret key, else what follows
   * the first word that names a secret.
   */
  static secretOfLine (raw: string, continues?: string): string | undefined {
    const trimmed = raw.trim()
    if (continues !== undefined && looksSecret(continues)) return trimmed
    const name = secretName(trimmed)
    if (name === undefined) return undefined
    const rest = trimmed.slice(name.end).replace(/^[\s=:\-]+/, '').replace(/[\s\]]+$/, '')
    return rest === '' ? undefined : rest
  }
}

/** How much of a line that failed to parse a problem shows. */
export const LINE_SHOWN = 32
/** A run of token characters this long in a line that failed to parse may be a key: it is masked. */
const LONG_TOKEN = 12

/** A shorter run is masked too when it mixes letters and digits, as keys do (a key split by spaces). */
const MIXED_TOKEN = 8

function mixed (s: string, start: number, end: number): boolean {
  let digit = false
  let letter = false
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) digit = true
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letter = true
  }
  return digit && letter
}

/** Characters a name is made of; anything else (spaces, NBSP, '=', '[', quotes) separates words. */
function isNameChar (c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 45 /* - */ || c === 46 /* . */
}

/** The first word of the line that names a secret, as its end position. */
function secretName (s: string): { start: number, end: number } | undefined {
  let i = 0
  while (i < s.length) {
    while (i < s.length && !isNameChar(s.charCodeAt(i))) i++
    const start = i
    while (i < s.length && isNameChar(s.charCodeAt(i))) i++
    if (i > start && looksSecret(s.slice(start, i))) return { start, end: i }
  }
  return undefined
}

/** A key-like run in a value given to the wrong setting: long and mixing letters and digits, or very long. */
const KEYLIKE_MIXED = 16
const KEYLIKE_ANY = 24

function isKeyChar (c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45
}

/**
 * Masks the runs of a rejected value that look like a key or token (a license
 * key pasted into log_level, say). Narrower than a failed line's rule: '/'
 * and '.' split runs, so a path or a host name stays readable.
 */
export function maskKeyLike (s: string): string {
  let out = ''
  let from = 0
  let i = 0
  while (i < s.length) {
    if (!isKeyChar(s.charCodeAt(i))) {
      i++
      continue
    }
    const start = i
    while (i < s.length && isKeyChar(s.charCodeAt(i))) i++
    if (i - start >= KEYLIKE_ANY || (i - start >= KEYLIKE_MIXED && mixed(s, start, i))) {
      out += s.slice(from, start) + MASK
      from = i
    }
  }
  return from === 0 ? s : out + s.slice(from)
}

/** Masks every run of LONG_TOKEN or more characters that a key or password can be made of. */
function maskLongTokens (s: string): string {
  let out = ''
  let from = 0
  let i = 0
  while (i < s.length) {
    if (!TOKEN_CHAR.test(s[i] as string)) {
      i++
      continue
    }
    const start = i
    while (i < s.length && TOKEN_CHAR.test(s[i] as string)) i++
    if (i - start >= LONG_TOKEN || (i - start >= MIXED_TOKEN && mixed(s, start, i))) {
      out += s.slice(from, start) + MASK
      from = i
    }
  }
  return out + s.slice(from)
}
