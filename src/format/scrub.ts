// The free-text half of redaction: one left-to-right pass over a string that
// masks credentials by shape, without regular expressions. Log text can be
// hostile, so every step moves forward: a character is looked at a bounded
// number of times, and the pass is linear in the string's length.
//
// Shapes, each masked as `****`:
//   scheme://user:****@host      the password up to the LAST @ of the authority
//   //user:****@host             the same in a scheme-relative URL
//   <secret name> = value        also `: value`, `=> value`, quoted, JSON-escaped
//                                quoted (\"), percent-encoded (%3D ... %26); an
//                                unquoted value runs to a blank, `& ; ,` or a quote
//   <secret name> = Bearer ****  a value that starts with an auth scheme: through
//                                the credential after it
//   <secret name>****</          an XML element: its text
//   Cookie: ****                 cookie and authorization headers: the whole line
//   Bearer ****                  Basic, Token, Digest too, in free text
//   eyJ...(JWT)                  the whole token
//   -----BEGIN ... PRIVATE KEY-----****-----END
//
// With `cut` (the string is a window cut from a longer one) a shape that
// starts inside and is unterminated at the end is masked to the end.

import { isHeaderName, normalizeName } from './secret-names'

export const MASK = '****'

const BACKSLASH = 92
const PERCENT = 37
/** HTTP auth schemes (IANA's list, with the common vendor ones), lower-case. */
const SCHEMES = new Set([
  'bearer', 'basic', 'token', 'digest', 'negotiate', 'ntlm', 'oauth', 'dpop', 'gnap', 'hoba', 'mutual',
  'privatetoken', 'concealed', 'vapid', 'scram-sha-1', 'scram-sha-256', 'aws4-hmac-sha256', 'apikey'
])
/** The longest word in SCHEMES. */
const MAX_SCHEME = 16
/**
 * First letter (lower-cased) and length of each scheme, as `letter * 32 +
 * length`: most words of a message are ruled out here, before a slice and a
 * lower-casing allocate anything.
 */
const SCHEME_SHAPES = new Uint8Array(128 * 32)
for (const scheme of SCHEMES) SCHEME_SHAPES[scheme.charCodeAt(0) * 32 + scheme.length] = 1

/** Whether the word from `start` to `end` of `s` could be a scheme, by its first letter and length. */
function schemeShape (s: string, start: number, end: number): boolean {
  const first = s.charCodeAt(start) | 32
  return end - start <= MAX_SCHEME && first < 128 && SCHEME_SHAPES[first * 32 + end - start] === 1
}

/** Whether `name` (as written, maybe percent-encoded) marks what follows as secret. */
export type SecretTest = (name: string) => boolean

/** Characters of a name: letters, digits, `_ - . % [ ] $`. */
export function isNameChar (c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 95 || c === 45 || c === 46 || c === 37 || c === 91 || c === 93 || c === 36
}

/** Characters of a bearer token or base64 credential, percent-encoded ones too. */
function isTokenChar (c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 45 || c === 46 || c === 95 || c === 126 || c === 43 || c === 47 || c === 61 || c === 37
}

/** Letters, digits and `-`: the characters of an auth scheme's name. */
function isSchemeChar (c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45
}

function isBlank (c: number): boolean {
  return c === 32 || c === 9
}

/** Ends an unquoted value: whitespace, `& ; , " ' } ] ) < > #`. */
function endsValue (c: number): boolean {
  return c <= 32 || c === 38 || c === 59 || c === 44 || c === 34 || c === 39 || c === 125 || c === 93 || c === 41 ||
    c === 60 || c === 62 || c === 35 || c === 0x85 || c === 0x2028 || c === 0x2029
}

/** Ends a URL authority: whitespace, `/ ? # " ' < > \ \``. */
function endsAuthority (c: number): boolean {
  return c <= 32 || c === 47 || c === 63 || c === 35 || c === 34 || c === 39 || c === 60 || c === 62 || c === BACKSLASH || c === 96
}

/**
 * Ends the unquoted value of a secret name: whitespace, `& ; ,`, quotes, and
 * `} ]` (JSON) and `#` (a URL's fragment). `( ) < >` do not: `password=p)ss`
 * is masked whole.
 */
function endsSecret (c: number): boolean {
  return c <= 32 || c === 38 || c === 59 || c === 44 || c === 34 || c === 39 || c === 125 || c === 93 || c === 35 ||
    c === 0x85 || c === 0x2028 || c === 0x2029
}

function isLineEnd (c: number): boolean {
  return c === 10 || c === 13 || c === 0x85 || c === 0x2028 || c === 0x2029
}

/** `%3D` or `%3A` (an encoded `=` or `:`) at `i`. */
function encodedSeparator (s: string, i: number): boolean {
  if (s.charCodeAt(i) !== PERCENT || s.charCodeAt(i + 1) !== 51) return false
  const c = s.charCodeAt(i + 2) | 32
  return c === 100 || c === 97
}

/** `%26 %20 %22 %27 %2C %3B %23` (an encoded value end) at `i`. */
function encodedEnd (s: string, i: number): boolean {
  if (s.charCodeAt(i) !== PERCENT) return false
  const a = s.charCodeAt(i + 1)
  const b = s.charCodeAt(i + 2) | 32
  return (a === 50 && (b === 54 || b === 48 || b === 50 || b === 55 || b === 99 || b === 51)) || (a === 51 && b === 98)
}

/** Whether a token after Bearer/Basic/Token is a credential rather than a word of prose. */
function looksLikeCredential (s: string, from: number, to: number): boolean {
  if (to - from >= 16) return true
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 97 || c > 122) return true
  }
  return false
}

class Scrubber {
  private out = ''
  private last = 0

  constructor (private readonly s: string, private readonly cut: boolean, private readonly isSecret: SecretTest) {}

  run (): string {
    const s = this.s
    const n = s.length
    let i = 0
    while (i < n) {
      const c = s.charCodeAt(i)
      if (c === 58 && s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47) {
        i = this.authority(i + 3)
      } else if (c === 47 && s.charCodeAt(i + 1) === 47) {
        // A scheme-relative URL (`//user:password@host`), as an INI line split at its
        // first ':' leaves a proxy URL (`proxy http://...` read as `proxy http` = `//...`).
        i = this.authority(i + 2)
      } else if (c === PERCENT && (encodedSeparator(s, i) || encodedEnd(s, i))) {
        // An encoded `= : & ; ,` or blank is between names, not part of one.
        i += 3
      } else if (isNameChar(c)) {
        let j = i + 1
        while (j < n && isNameChar(s.charCodeAt(j)) && !encodedSeparator(s, j) && !encodedEnd(s, j)) j++
        i = this.afterWord(i, j)
      } else {
        i++
      }
    }
    return this.last === 0 ? s : this.out + s.slice(this.last)
  }

  private mask (from: number, to: number): void {
    if (to <= from) return
    this.out += this.s.slice(this.last, from) + MASK
    this.last = to
  }

  /** After `://`: masks the password of `user:password@`, up to the authority's last `@`. */
  private authority (from: number): number {
    const s = this.s
    let colon = -1
    let at = -1
    let p = from
    for (; p < s.length; p++) {
      const c = s.charCodeAt(p)
      if (endsAuthority(c)) break
      if (c === 64) at = p
      else if (c === 58 && colon === -1) colon = p
    }
    if (at !== -1) {
      if (colon !== -1 && colon < at) this.mask(colon + 1, at)
    } else if (this.cut && p === s.length && colon !== -1) {
      // The @ may lie past the cut: what follows the colon may be a password.
      this.mask(colon + 1, p)
      return p
    }
    // The rest of the authority is read as text: parameters glued to a host
    // (JDBC's `;password=`, `,token=`) are secrets like any other. Linear: the
    // span holds no '/', so no other authority starts in it.
    return at !== -1 ? at + 1 : from
  }

  /** A name ran from `start` to `end`: a secret `name=value`, a scheme and its credential, a JWT. */
  private afterWord (start: number, end: number): number {
    const s = this.s
    if (s.charCodeAt(start) === 101 && s.startsWith('eyJ', start)) {
      let dots = 0
      for (let k = start; k < end; k++) if (s.charCodeAt(k) === 46) dots++
      if (dots >= 2 || (dots === 1 && this.cut && end === s.length)) {
        this.mask(start, end)
        return end
      }
    }
    const next = s.charCodeAt(end)
    if ((next === 62 || isBlank(next)) && this.opensTag(start)) {
      return this.isSecret(s.slice(start, end)) ? this.element(end) : end
    }
    const sep = this.separator(end)
    if (sep !== -1) {
      if (!this.isSecret(s.slice(start, end))) return end
      const last = s.charCodeAt(sep - 1) | 32
      const colon = last === 58 || (last === 97 && encodedSeparator(s, sep - 3))
      return this.value(sep, colon, normalizeName(s.slice(start, end), true))
    }
    if (this.isScheme(start, end)) return this.credential(end)
    return end
  }

  /** An auth scheme word from `start` to `end`, followed by a blank. */
  private isScheme (start: number, end: number): boolean {
    return isBlank(this.s.charCodeAt(end)) && schemeShape(this.s, start, end) && SCHEMES.has(this.s.slice(start, end).toLowerCase())
  }

  /**
   * Where the credential starts when a value at `k` is an auth scheme word
   * and a blank (also `+` or `%20`, as in forms); else -1.
   */
  private schemeValue (k: number): number {
    const s = this.s
    let w = k
    while (w - k <= MAX_SCHEME && isSchemeChar(s.charCodeAt(w))) w++
    if (w === k || !schemeShape(s, k, w) || !SCHEMES.has(s.slice(k, w).toLowerCase())) return -1
    const c = s.charCodeAt(w)
    if (isBlank(c) || c === 43) return w + 1
    if (c === PERCENT && s.charCodeAt(w + 1) === 50 && s.charCodeAt(w + 2) === 48) return w + 3
    return -1
  }

  /** Whether the name at `start` is an XML element's: after `<`, or after `<prefix:`. */
  private opensTag (start: number): boolean {
    const s = this.s
    let k = start - 1
    if (s.charCodeAt(k) === 58) {
      const stop = Math.max(k - MAX_SCHEME * 4, 0)
      k--
      while (k > stop && isNameChar(s.charCodeAt(k))) k--
    }
    return s.charCodeAt(k) === 60
  }

  /**
   * A secret XML element whose name ends at `from`: past its attributes to
   * `>`, then its text is masked up to the next `<` (fail closed: to the end).
   */
  private element (from: number): number {
    const s = this.s
    let p = from
    while (p < s.length && s.charCodeAt(p) !== 62 && s.charCodeAt(p) !== 60) p++
    if (s.charCodeAt(p) !== 62) return from
    const text = ++p
    while (p < s.length && s.charCodeAt(p) !== 60) p++
    this.mask(text, p)
    return p
  }

  /** Where the value starts when `name` ends at `i` and is followed by `=`, `:`, `=>` or `%3D`; else -1. */
  private separator (i: number): number {
    const s = this.s
    if (encodedSeparator(s, i)) return i + 3
    let k = i
    // The closing quote of a quoted (or JSON-escaped quoted) name.
    while (s.charCodeAt(k) === BACKSLASH) k++
    const q = s.charCodeAt(k)
    if (q === 34 || q === 39) k++
    else if (k !== i) return -1
    while (isBlank(s.charCodeAt(k))) k++
    const c = s.charCodeAt(k)
    if (c === 61) return s.charCodeAt(k + 1) === 62 ? k + 2 : k + 1
    if (c === 58 && !(s.charCodeAt(k + 1) === 47 && s.charCodeAt(k + 2) === 47)) return k + 1
    return -1
  }

  /** Masks the value starting at `from`; returns where scanning resumes. */
  private value (from: number, colon: boolean, name: string): number {
    const s = this.s
    const n = s.length
    let k = from
    while (isBlank(s.charCodeAt(k))) k++
    let b = 0
    while (s.charCodeAt(k + b) === BACKSLASH) b++
    const q = s.charCodeAt(k + b)
    if (q === 34 || q === 39) return this.quoted(k + b + 1, q, b)
    const header = isHeaderName(name)
    const encoded = s.charCodeAt(from - 3) === PERCENT
    if (!(header && colon)) {
      // `token: Bearer <t>`: the credential after the scheme word is the secret.
      const after = this.schemeValue(k)
      if (after !== -1) return this.credential(after, k, encoded)
    }
    let p = k
    if (header && colon) {
      // `Cookie: a=1; b=2`, `Authorization: Digest a="b", c="d"`: the rest of the line.
      while (p < n && !isLineEnd(s.charCodeAt(p))) p++
    } else {
      for (; p < n; p++) {
        const c = s.charCodeAt(p)
        if (encoded && encodedEnd(s, p)) break
        if (header ? (c === 38 || c === 34 || c === 39 || isLineEnd(c)) : endsSecret(c)) break
        // A backslash before a quote ends a value inside escaped JSON.
        if (c === BACKSLASH && (s.charCodeAt(p + 1) === 34 || s.charCodeAt(p + 1) === 39)) break
      }
    }
    this.mask(k, p)
    return p
  }

  /**
   * A quoted value opened by `b` backslashes and quote `q` (b = 0 plain,
   * 1 JSON inside a JSON string, 3 one level deeper). Its closing quote has
   * a run of r backslashes with r mod 2(b+1) = b; a missing one masks to the end.
   */
  private quoted (from: number, q: number, b: number): number {
    const s = this.s
    const m = 2 * (b + 1)
    let run = 0
    let p = from
    for (; p < s.length; p++) {
      const c = s.charCodeAt(p)
      if (c === q && run % m === b) break
      run = c === BACKSLASH ? run + 1 : 0
    }
    const end = p < s.length ? p - b : p
    this.mask(from, end)
    return p
  }

  /**
   * After Bearer/Basic/Token/Digest and a blank: masks the credential. With
   * `scheme` (where the scheme word starts, when it is the value of a secret
   * name) the mask covers the scheme word too and is never skipped;
   * `encoded` says the value is in a percent-encoded form (ends at `%26`).
   */
  private credential (from: number, scheme = -1, encoded = false): number {
    const s = this.s
    let k = from
    while (isBlank(s.charCodeAt(k))) k++
    let p = k
    while (p < s.length && isTokenChar(s.charCodeAt(p)) && !(encoded && encodedEnd(s, p))) p++
    if (p === k) {
      // A scheme word alone as a secret name's value is still masked.
      if (scheme === -1) return k
      let w = scheme
      while (isSchemeChar(s.charCodeAt(w))) w++
      this.mask(scheme, w)
      return w
    }
    const maskFrom = scheme !== -1 ? scheme : k
    let eq = k
    while (eq < p && s.charCodeAt(eq) !== 61) eq++
    if (eq < p && (eq + 1 < p ? s.charCodeAt(eq + 1) !== 61 : s.charCodeAt(p) === 34)) {
      // name=value parameters (Digest), not base64 padding: the rest of the line.
      while (p < s.length && !isLineEnd(s.charCodeAt(p))) p++
      this.mask(maskFrom, p)
      return p
    }
    if (scheme === -1 && !looksLikeCredential(s, k, p)) return k
    // Fail closed: a credential goes on to the end of the value, whatever it
    // holds (a percent-encoded '+', '/' or '@', a ':' of a mangled token).
    const ends = scheme !== -1 ? endsSecret : endsValue
    while (p < s.length && !ends(s.charCodeAt(p)) && !(encoded && encodedEnd(s, p))) p++
    this.mask(maskFrom, p)
    return p
  }

}

/** Masks credentials found by shape in free text. Linear in `s.length`. */
/** Whether a token after Bearer/Basic/Token is a credential rather than a word of prose. */
export function credentialLike (s: string): boolean {
  return looksLikeCredential(s, 0, s.length)
}

export function scrub (s: string, cut: boolean, isSecret: SecretTest): string {
  return new Scrubber(s, cut, isSecret).run()
}

const PEM_BEGIN = '-----BEGIN '
const PEM_DASHES = '-----'
const PEM_END = '-----END'

/** Masks the body of PEM private keys; an unterminated one to the end. */
export function scrubPem (s: string): string {
  if (!s.includes('PRIVATE KEY')) return s
  let out = ''
  let last = 0
  let from = 0
  for (;;) {
    const begin = s.indexOf(PEM_BEGIN, from)
    if (begin === -1) break
    const labelEnd = s.indexOf(PEM_DASHES, begin + PEM_BEGIN.length)
    if (labelEnd === -1) break
    const bodyStart = labelEnd + PEM_DASHES.length
    if (!s.slice(begin, labelEnd).includes('PRIVATE KEY')) {
      from = bodyStart
      continue
    }
    const end = s.indexOf(PEM_END, bodyStart)
    out += s.slice(last, bodyStart) + MASK
    last = end === -1 ? s.length : end
    if (end === -1) break
    from = end + PEM_END.length
  }
  return last === 0 ? s : out + s.slice(last)
}
