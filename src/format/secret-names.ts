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

/** Names checked in full; a longer one is judged by its start (no secret name is this long). */
const MAX_NAME = 256

/** Lower-case letters and digits of `name`, percent escapes decoded when `decode` is set. */
export function normalizeName (name: string, decode = false): string {
  const n = Math.min(name.length, MAX_NAME)
  let out = ''
  for (let i = 0; i < n; i++) {
    let c = name.charCodeAt(i)
    if (decode && c === 37 && i + 2 < name.length) {
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
  for (const p of PARTS) if (n.includes(p)) return true
  return false
}

/** A normalized name whose value is a whole header line (cookies, authorization), not one token. */
export function isHeaderName (n: string): boolean {
  return n.includes('cookie') || n.includes('authoriz') || n.includes('authoris')
}

/** A normalized name whose value is the license key (masked to its first 4 characters). */
export function isLicenseName (n: string): boolean {
  return n.includes('licensekey') || n.includes('licencekey')
}
