// Keeps secrets out of every sink. Two checks: a field whose *name* looks
// secret has its value masked (secret-names.ts), and any *string* is scrubbed
// of the configured license key (any letter case, URL-encoded, JSON-escaped,
// base64) and of credentials recognised by shape (scrub.ts).
// Both are cheap when there is nothing to mask: a cached Map lookup per key,
// and for strings a few indexOf calls before the one linear scan.

import { isLicenseName, isSecretName, normalizeName } from './secret-names'
import { MASK, scrub, scrubPem } from './scrub'

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
const SHAPE_HINT = /bearer|basic|token|digest|eyj|private key/i

export class Redactor {
  private readonly licenseKey: string | undefined
  private readonly licenseMask: string
  /** The key and its encodings, lower-case, for the cut-window check. */
  private readonly licenseForms: readonly string[]
  /** Any of the forms, case-insensitive: a literal alternation, linear. */
  private readonly licensePattern: RegExp | undefined
  private readonly extra: ReadonlySet<string>
  private readonly keyCache = new Map<string, boolean>()
  private readonly textName = (name: string): boolean => this.isSecretKey(name)

  constructor (options: RedactorOptions = {}) {
    const key = options.licenseKey
    this.licenseKey = typeof key === 'string' && key.length >= 4 ? key : undefined
    this.licenseMask = this.licenseKey === undefined ? MASK : maskSecret(this.licenseKey)
    this.licenseForms = this.licenseKey === undefined ? [] : licenseForms(this.licenseKey)
    // Longest first: a secret that starts another must not leave the other's tail in clear.
    const literals = [...new Set([...this.licenseForms, ...literalSecrets(options.secrets)])].sort((a, b) => b.length - a.length)
    this.licensePattern = literals.length === 0
      ? undefined
      : new RegExp(literals.map(escapeRegExp).join('|'), 'gi')
    this.extra = new Set((options.extraNames ?? []).map((n) => normalizeName(String(n))))
  }

  /** Whether a field of this name holds a secret. */
  isSecretKey (key: string): boolean {
    let hit = this.keyCache.get(key)
    if (hit === undefined) {
      // Percent escapes are decoded: form field names arrive encoded.
      const n = normalizeName(key, key.includes('%'))
      hit = this.extra.has(n) || isSecretName(n)
      // Field names come from code, so the set is small; the cap guards against
      // names built from data (a map keyed by user ids, say).
      if (this.keyCache.size < 4096 && key.length <= 256) this.keyCache.set(key, hit)
    }
    return hit
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
    const pattern = this.licensePattern
    if (pattern !== undefined) {
      pattern.lastIndex = 0
      if (pattern.test(s)) {
        s = s.replace(pattern, (m) => m.toLowerCase() === this.licenseForms[0] ? this.licenseMask : MASK)
      }
      if (cut) s = this.partialKeyAtEnd(s)
    }
    // Every shape needs one of these; most messages have none.
    if (s.indexOf(':') === -1 && s.indexOf('=') === -1 && s.indexOf('%3') === -1 && !SHAPE_HINT.test(s)) return s
    return scrub(scrubPem(s), cut, this.textName)
  }

  /** The start of the license key (or an encoding of it) cut off by the window's end. */
  private partialKeyAtEnd (s: string): string {
    for (const form of this.licenseForms) {
      for (let len = Math.min(form.length - 1, s.length); len >= MIN_PARTIAL; len--) {
        if (s.slice(s.length - len).toLowerCase() === form.slice(0, len)) return s.slice(0, s.length - len) + MASK
      }
    }
    return s
  }
}

/** The key as written, URL-encoded, JSON-escaped and base64 at each alignment: lower-case, distinct. */
function licenseForms (key: string): string[] {
  const forms = [key, encodeURIComponent(key), JSON.stringify(key).slice(1, -1)]
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

function escapeRegExp (s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
