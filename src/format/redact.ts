// Keeps secrets out of every sink. Two checks: a field whose *name* looks
// secret has its value masked (secret-names.ts), and any *string* is scrubbed
// of the configured license key (any letter case, URL-encoded, every byte
// percent-encoded, JSON-escaped, \u-escaped, hex, base64) and of credentials
// recognised by shape (scrub.ts). Logger names have their own, milder pass
// (name()): they are sanitized already, and must stay readable.
// Both are cheap when there is nothing to mask: a cached Map lookup per key,
// and for strings a few indexOf calls before the one linear scan.

import { flatCopy } from '../internal/flat-copy'
import { isLicenseName, isSecretName, normalizeName } from './secret-names'
import { MASK, credentialLike, isNameChar, scrub, scrubPem } from './scrub'

export { MASK }

/** Shows a short prefix of a long secret (to tell keys apart), nothing of a short one. */
export function maskSecret (value: string): string {
  return value.length >= 16 ? value.slice(0, 4) + MASK : MASK
}

export interface RedactorOptions {
  readonly licenseKey?: string | undefined
  readonly extraNames?: readonly string[]
  /** Further literal secrets (a config's passwords and keys), masked whole in any letter case. */
  readonly secrets?: readonly string[]
}

/** A partial license key at the end of a cut window is masked from this many characters (the mask shows 4). */
const MIN_PARTIAL = 5
/** A word this short and alone can be a shape keyword: Bearer, Basic, Token, Digest, a JWT, a PEM key. */
/** Longest name the pre-filter reads back from a separator; a longer run goes to the scan. */
const MAX_NAME_SCAN = 256

/**
 * The words that send a text to the scan: bearer, basic, token, digest, negotiate, ntlm, oauth,
 * dpop, gnap, hoba, mutual, concealed, vapid, scram, aws4, apikey, eyj, private key. Words that
 * share a first letter are grouped, so the engine tries fewer alternatives at each position
 * (about 40% faster on ordinary messages); the words matched are the same.
 */
export const SHAPE_HINT = /b(?:earer|asic)|token|d(?:igest|pop)|n(?:egotiate|tlm)|oauth|gnap|hoba|mutual|concealed|vapid|scram|a(?:ws4|pikey)|eyj|private key/i
/** Logger names are redacted once each; the cache is dropped when this full (names built from data). */
const MAX_NAMES = 4096
/** A name segment this long that starts with `eyJ` is a JWT part (a name's dots split the token). */
const MIN_JWT_SEGMENT = 10

/** Texts at least this long are remembered once scrubbed (stacks, mostly). */
const LONG_TEXT = 256
/** Longer ones are not: the cache holds at most 32 × 16K characters twice. */
const LONGEST_KEPT = 16 * 1024
const LONG_TEXTS = 32
/** A cached text that needed no change: the caller's own string is the answer. */
const OWN = '\u0000own'


export class Redactor {
  private readonly licenseKey: string | undefined
  private readonly licenseMask: string
  /** The key and its encodings, lower-case, for the cut-window check. */
  private readonly licenseForms: readonly string[]
  /** Any of the forms, case-insensitive: a literal alternation, linear. */
  private readonly licensePattern: RegExp | undefined
  private readonly extra: ReadonlySet<string>
  private readonly keyCache = new Map<string, boolean>()
  private readonly keyTexts = new Map<string, string>()
  private readonly longTexts = new Map<string, string>()
  /** The license key's forms as a sanitized logger name spells them (`%` and `\\` become `_`). */
  private readonly namePattern: RegExp | undefined
  private readonly nameCache = new Map<string, string>()
  private readonly textName = (name: string): boolean => this.isSecretKey(name)

  constructor (options: RedactorOptions = {}) {
    const key = options.licenseKey
    this.licenseKey = typeof key === 'string' && key.length >= 4 ? key : undefined
    this.licenseMask = this.licenseKey === undefined ? MASK : maskSecret(this.licenseKey)
    this.licenseForms = this.licenseKey === undefined ? [] : licenseForms(this.licenseKey)
    // Longest first: a secret that starts another must not leave the other's tail in clear.
    const literals = [...new Set([...this.licenseForms, ...literalSecrets(options.secrets)])].sort((a, b) => b.length - a.length)
    this.licensePattern = literalPattern(literals)
    const nameForms = [...new Set([...literals, ...literals.map(sanitizedForm)])].sort((a, b) => b.length - a.length)
    this.namePattern = literalPattern(nameForms)
    this.extra = new Set((options.extraNames ?? []).map((n) => normalizeName(String(n))))
  }

  /**
   * A field name as written: scrubbed like any text (a name can hold a
   * secret too). Cached like isSecretKey: field names come from code and
   * repeat on every record, so the scan runs once per name.
   */
  keyText (key: string): string {
    let out = this.keyTexts.get(key)
    if (out === undefined) {
      out = this.text(key)
      // Flat copies: a key can be a slice that pins a much larger string.
      if (this.keyTexts.size < 4096 && key.length <= 256) {
        const own = flatCopy(key)
        this.keyTexts.set(own, out === key ? own : flatCopy(out))
      }
    }
    return out
  }

  /** Whether a field of this name holds a secret. */
  isSecretKey (key: string): boolean {
    let hit = this.keyCache.get(key)
    if (hit === undefined) {
      const n = normalizeName(key)
      hit = this.extra.has(n) || isSecretName(n)
      // Form field names arrive percent-encoded, so they are read decoded too. Either reading
      // can hide the name (`%acredentials` decodes to 0xAC + `redentials`): secret if either is.
      if (!hit && key.includes('%')) {
        const d = normalizeName(key, true)
        hit = this.extra.has(d) || isSecretName(d)
      }
      // Field names come from code, so the set is small; the cap guards against
      // names built from data (a map keyed by user ids, say).
      // names built from data (a map keyed by user ids, say). A flat copy: the
      // pre-filter and the scan ask about slices of the text they read, and a
      // slice pins that text (and whatever it was cut from).
      if (this.keyCache.size < 4096 && key.length <= 256) this.keyCache.set(flatCopy(key), hit)
    }
    return hit
  }

  /**
   * A logger name (already sanitized: dotted segments of `[A-Za-z0-9_-]`) as
   * headers and the host-logger bridge show it: the license key in any case
   * or encoding masked, a segment `<secret name>_<value>` (from `token=X`)
   * shown as `<secret name>_****`, a JWT part masked. Cached per name.
   */
  name (name: string): string {
    let out = this.nameCache.get(name)
    if (out === undefined) {
      out = this.redactName(name)
      if (this.nameCache.size >= MAX_NAMES) this.nameCache.clear()
      const own = flatCopy(name)
      this.nameCache.set(own, out === name ? own : flatCopy(out))
    }
    return out
  }

  private redactName (name: string): string {
    if (typeof name !== 'string') return name
    let s = name
    const pattern = this.namePattern
    if (pattern !== undefined) {
      pattern.lastIndex = 0
      if (pattern.test(s)) s = s.replace(pattern, (m) => m.toLowerCase() === this.licenseForms[0] ? this.licenseMask : MASK)
    }
    const segments = s.split('.')
    let afterSecret = false
    for (let i = 0; i < segments.length; i++) {
      let seg = segments[i] as string
      // Segments are cut (a key may end one) and so is the whole name.
      if (this.licenseKey !== undefined) seg = this.partialKeyAtEnd(seg)
      // `password:X` is split at the colon: a credential-like segment after a secret name is its value.
      const value = afterSecret && credentialLike(seg)
      const n = normalizeName(seg)
      afterSecret = n !== '' && (this.extra.has(n) || isSecretName(n))
      segments[i] = value ? MASK : this.nameSegment(seg)
    }
    return segments.join('.')
  }

  /** `token_X` → `token_****`: a secret name, `_` (a sanitized `=` or `:`), a value. */
  private nameSegment (seg: string): string {
    if (seg.length >= MIN_JWT_SEGMENT && seg.startsWith('eyJ')) return MASK
    let n = ''
    for (let i = 0; i < seg.length - 1; i++) {
      const c = seg.charCodeAt(i)
      if (c === 95 && n !== '' && (this.extra.has(n) || isSecretName(n))) return seg.slice(0, i + 1) + MASK
      if (c >= 65 && c <= 90) n += String.fromCharCode(c + 32)
      else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) n += String.fromCharCode(c)
    }
    return seg
  }

  /** The masked form of a secret field's value. */
  maskValue (key: string, value: unknown): string {
    if (typeof value === 'string' && isLicenseName(normalizeName(key))) return maskSecret(value)
    return MASK
  }

  /**
   * Removes secrets from free text: messages, string values, stacks, URLs.
   * `cut` says `s` is a window cut from a longer string: a secret that runs
   * into its end is masked to the end (see cut.ts).
   */
  text (s: string, cut = false): string {
    if (typeof s !== 'string' || s.length === 0) return s
    if (s.length < LONG_TEXT || s.length > LONGEST_KEPT || cut) return this.scrubText(s, cut)
    // Long texts that repeat (an error's stack, logged once per failure of the
    // same call site) are scrubbed once: the lookup hashes the string, far
    // cheaper than the scan. Bounded: a full cache starts over, and it keeps
    // its own flat copies, never the caller's string (which could be a slice
    // that pins a much larger one).
    let out = this.longTexts.get(s)
    if (out === undefined) {
      out = this.scrubText(s, false)
      if (this.longTexts.size >= LONG_TEXTS) this.longTexts.clear()
      this.longTexts.set(flatCopy(s), out === s ? OWN : flatCopy(out))
      return out
    }
    return out === OWN ? s : out
  }

  private scrubText (s: string, cut: boolean): string {
    const pattern = this.licensePattern
    if (pattern !== undefined) {
      pattern.lastIndex = 0
      if (pattern.test(s)) {
        s = s.replace(pattern, (m) => m.toLowerCase() === this.licenseForms[0] ? this.licenseMask : MASK)
      }
      if (cut) s = this.partialKeyAtEnd(s)
    }
    if (!this.mayHoldShape(s, cut)) return s
    return scrub(scrubPem(s), cut, this.textName)
  }

  /**
   * Whether the scanner (scrub.ts) could mask anything in `s`, decided with
   * native searches: most messages hold `=` or `:` only after ordinary words
   * (`status=200`, `GET http://host:80/`), and then the per-character scan
   * is skipped. Conservative: anything it cannot rule out goes to the scan.
   *  - an encoded character (`%`) or an XML tag (`<`): the scan;
   *  - a URL with userinfo (`//` and `@`, with a scheme or without): the scan;
   *  - an auth scheme, a JWT or a PEM key (SHAPE_HINT): the scan;
   *  - each `=` and `:`: the word before it (past blanks, one quote and any
   *    backslashes, as the scanner's separator rule allows) is tested as the
   *    scanner would test it; a secret name sends the text to the scan.
   * In a window cut from a longer text (`cut`), a URL's `@` may lie past the
   * cut, where the scan masks to the end: any `//` goes to the scan.
   */
  private mayHoldShape (s: string, cut: boolean): boolean {
    if (s.indexOf('%') !== -1 || s.indexOf('<') !== -1) return true
    if ((cut || s.indexOf('@') !== -1) && s.indexOf('//') !== -1) return true
    const eq = s.indexOf('=')
    const colon = s.indexOf(':')
    if (eq === -1 && colon === -1) return SHAPE_HINT.test(s)
    if (SHAPE_HINT.test(s)) return true
    for (let at = eq; at !== -1; at = s.indexOf('=', at + 1)) if (this.secretBefore(s, at)) return true
    for (let at = colon; at !== -1; at = s.indexOf(':', at + 1)) if (this.secretBefore(s, at)) return true
    return false
  }

  /** Whether the name that ends just before the separator at `at` is a secret one. */
  private secretBefore (s: string, at: number): boolean {
    let k = at - 1
    while (k >= 0 && (s.charCodeAt(k) === 32 || s.charCodeAt(k) === 9)) k--
    const q = s.charCodeAt(k)
    if (q === 34 || q === 39) {
      k--
      while (k >= 0 && s.charCodeAt(k) === 92) k--
    }
    const end = k + 1
    // Bounded: a name longer than the cap is tested by its tail, which the secret-name rules look at anyway.
    const stop = Math.max(0, end - MAX_NAME_SCAN)
    while (k >= stop && isNameChar(s.charCodeAt(k))) k--
    if (k + 1 === end) return false
    if (k + 1 === stop && stop > 0) return true
    return this.isSecretKey(s.slice(k + 1, end))
  }

  /** The start of the license key (or an encoding of it) cut off by the window's end. */
  private partialKeyAtEnd (s: string): string {
    const keyLength = (this.licenseKey as string).length
    for (const form of this.licenseForms) {
      // At least MIN_PARTIAL characters of the key: more of an encoding that spends several per character.
      const min = Math.max(MIN_PARTIAL, Math.ceil(MIN_PARTIAL * form.length / keyLength))
      for (let len = Math.min(form.length - 1, s.length); len >= min; len--) {
        if (endsWithStart(s, form, len)) return s.slice(0, s.length - len) + MASK
      }
    }
    return s
  }
}

/** Whether `s` ends with the first `len` characters of `form` (lower-case), ASCII letters compared in any case. */
function endsWithStart (s: string, form: string, len: number): boolean {
  const at = s.length - len
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(at + i)
    if (c >= 65 && c <= 90) c += 32
    if (c !== form.charCodeAt(i)) return false
  }
  return true
}

/**
 * One case-blind pattern for these literals. A config can hand us a key so long that its
 * encodings overflow V8's regexp size limit (which throws): then the key as written and the
 * forms up to 1 KB (any real key's); never a throw out of the constructor.
 */
function literalPattern (forms: readonly string[]): RegExp | undefined {
  // The shortest form is the key as written: it stays in the second try whatever its length.
  const shortest = forms.reduce<string | undefined>((a, f) => a === undefined || f.length < a.length ? f : a, undefined)
  const short = forms.filter((f) => f.length <= 1024 || f === shortest)
  for (const kept of [forms, short, short.filter((f) => f.length <= 1024)]) {
    if (kept.length === 0) return undefined
    try {
      const re = new RegExp(kept.map(escapeRegExp).join('|'), 'gi')
      // V8 compiles on first use, and only then says "too large": compile it here.
      re.test('')
      re.lastIndex = 0
      return re
    } catch {
      // Too large: try the shorter forms.
    }
  }
  return undefined
}

/** encodeURIComponent, which throws on a lone surrogate: then the key as written (the % form covers its bytes). */
function uriEncoded (s: string): string {
  try {
    return encodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * The key as written, URL-encoded, every byte percent-encoded, JSON-escaped,
 * every character \u-escaped, hex, and base64 at each alignment: lower-case,
 * distinct (the pattern ignores case, so `%4A`, `\u004A` and upper hex match too).
 */
function licenseForms (key: string): string[] {
  const bytes = Buffer.from(key)
  let percent = ''
  for (const b of bytes) percent += '%' + b.toString(16).padStart(2, '0')
  let unicode = ''
  for (let i = 0; i < key.length; i++) unicode += '\\u' + key.charCodeAt(i).toString(16).padStart(4, '0')
  const forms = [key, uriEncoded(key), JSON.stringify(key).slice(1, -1), percent, unicode, bytes.toString('hex')]
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.from('\0'.repeat(offset) + key).toString('base64')
    // Only whole 4-character groups made of key bytes alone appear whatever surrounds the key.
    const first = offset === 0 ? 0 : 1
    const last = Math.floor((offset + Buffer.byteLength(key)) / 3)
    const stable = b64.slice(first * 4, last * 4)
    if (stable.length >= 8) forms.push(stable, stable.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return [...new Set(forms.map((f) => f.toLowerCase()))]
}

function literalSecrets (list: readonly string[] | undefined): string[] {
  if (!Array.isArray(list)) return []
  return list.filter((v): v is string => typeof v === 'string' && v.length >= 4).map((v) => v.toLowerCase())
}

/** A form as sanitizeName leaves it in a logger name: `:` splits segments, other punctuation is `_`. */
function sanitizedForm (form: string): string {
  return form.replace(/:/g, '.').replace(/[^a-z0-9_.-]/g, '_')
}

function escapeRegExp (s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
