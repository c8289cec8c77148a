// Which names mark a value as secret: field names, header names, and the
// words before `=` or `:` in free text. Names are compared normalized:
// lower-case ASCII letters and digits only, so `X-Auth-Token`, `x_auth_token`
// and `xAuthToken` are one name.

/** Fragments that mark a name as secret wherever they occur, misspellings included. */
const PARTS = [
  'passw', 'pasw', 'passphrase', 'pwd', 'secret', 'token', 'apikey', 'licensekey', 'licencekey', 'accesskey',
  'privatekey', 'privkey', 'authoriz', 'authoris', 'proxyauth', 'xauth', 'authkey', 'cookie', 'credential',
  'sessionid', 'sessid', 'signature', 'bearer', 'jwt'
]
/** Names that are secret only on their own (`pass`, but not `passed`). */
const EXACT = new Set(['pass', 'pw', 'auth', 'sid'])

/** Names checked in full; a longer one is judged by its start and its end. */
const MAX_NAME = 256
/** How much of a long name's end is read, and how many of its normalized characters are kept. */
const TAIL_RAW = 1024
const TAIL = 64

/**
 * Lower-case letters and digits of `name`, percent escapes decoded when
 * `decode` is set. A name longer than MAX_NAME is judged by its first
 * MAX_NAME characters and the last TAIL normalized characters of its end,
 * joined by `|` so that no fragment matches across the gap: secret words
 * are short, and a long generated prefix must not hide one at the end.
 * Bounded work whatever the name's length.
 */
export function normalizeName (name: string, decode = false): string {
  if (name.length <= MAX_NAME) return normalizeRange(name, 0, name.length, decode)
  const head = normalizeRange(name, 0, MAX_NAME, decode)
  const tail = normalizeRange(name, Math.max(MAX_NAME, name.length - TAIL_RAW), name.length, decode)
  return head + '|' + tail.slice(-TAIL)
}

function normalizeRange (name: string, from: number, to: number, decode: boolean): string {
  let out = ''
  for (let i = from; i < to; i++) {
    let c = name.charCodeAt(i)
    if (decode && c === 37 && i + 2 < to) {
      const v = hex(name.charCodeAt(i + 1)) * 16 + hex(name.charCodeAt(i + 2))
      if (v >= 0) {
        c = v
        i += 2
      }
    }
    if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32)
    else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += String.fromCharCode(c)
  }
  return out
}

function hex (c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 65 && c <= 70) return c - 55
  if (c >= 97 && c <= 102) return c - 87
  return -1024
}

/** Whether a normalized name is secret by the built-in rules. */
export function isSecretName (n: string): boolean {
  if (EXACT.has(n)) return true
  // `proxy_pw`, `user_pass`: the short forms only as a suffix (`pwd` is a
  // fragment; `passed`, `passenger`, `compass` and `bypass` are not secret).
  if (n.endsWith('pw')) return true
  if (n.endsWith('pass') && !n.endsWith('compass') && !n.endsWith('bypass')) return true
  for (const p of PARTS) if (n.includes(p)) return true
  return isLicenseName(n)
}

/** A normalized name whose value is a whole header line (cookies, authorization), not one token. */
export function isHeaderName (n: string): boolean {
  return n.includes('cookie') || n.includes('authoriz') || n.includes('authoris')
}

/** A normalized name whose value is the license key (masked to its first 4 characters). */
export function isLicenseName (n: string): boolean {
  return n.includes('licensekey') || n.includes('licencekey') || LICENSE_MISSPELT.test(n)
}

// licence, lisence, lisense, lycense... followed by key (or kye): the ways
// operators misspell the one key that matters most. Linear: literals between
// single-character classes, names are bounded.
const LICENSE_MISSPELT = /l[iy][cs]{1,2}[ea]n[cs]e?(?:key|kye)/
