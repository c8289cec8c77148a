// Keeps secrets out of every sink. Two checks: a field whose *name* looks
// secret has its value masked, and any *string* is scrubbed of the configured
// license key, URL passwords, secret query parameters and auth headers.
// Both are cheap when there is nothing to mask: a cached Map lookup per key,
// and for strings a few indexOf calls before any regular expression runs.

/** Name fragments (lower-case, without `-`/`_`) that mark a field as secret. */
const SECRET_NAME_PARTS = [
  'password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'licensekey', 'accesskey', 'privatekey',
  'authorization', 'cookie', 'credential', 'sessionid', 'signature'
]
const SECRET_NAMES_EXACT = new Set(['pwd', 'pass', 'auth', 'jwt', 'sid'])

// Each pattern is anchored on a literal (`://` or a keyword), so matching
// stays linear in the input: log text is attacker-controlled in the worst case.
const URL_USERINFO = /:\/\/([^\s/:@]*):([^\s/@]+)@/g
const SECRET_PARAM = /(password|passwd|secret|token|api[_-]?key|license[_-]?key|access[_-]?key|signature|session[_-]?id)([\w.-]*["']?\s*[=:]\s*["']?)([^&\s#;,"'}]+)/gi
const AUTH_HEADER = /((?:proxy-)?authorization|cookie|x-api-key|api-key|x-license-key)(\s*[:=]\s*)([^\r\n,;"]+)/gi

export const MASK = '****'

/** Shows a short prefix of a long secret (to tell keys apart), nothing of a short one. */
export function maskSecret (value: string): string {
  return value.length >= 16 ? value.slice(0, 4) + MASK : MASK
}

export interface RedactorOptions {
  readonly licenseKey?: string | undefined
  readonly extraNames?: readonly string[]
}

export class Redactor {
  private readonly licenseKey: string | undefined
  private readonly licenseMask: string
  private readonly extra: ReadonlySet<string>
  private readonly keyCache = new Map<string, boolean>()

  constructor (options: RedactorOptions = {}) {
    const key = options.licenseKey
    this.licenseKey = key !== undefined && key.length >= 4 ? key : undefined
    this.licenseMask = this.licenseKey === undefined ? MASK : maskSecret(this.licenseKey)
    this.extra = new Set((options.extraNames ?? []).map(normalizeName))
  }

  /** Whether a field of this name holds a secret. */
  isSecretKey (key: string): boolean {
    let hit = this.keyCache.get(key)
    if (hit === undefined) {
      const n = normalizeName(key)
      hit = this.extra.has(n) || SECRET_NAMES_EXACT.has(n) || SECRET_NAME_PARTS.some((p) => n.includes(p))
      // Field names come from code, so the set is small; the cap guards against
      // names built from data (a map keyed by user ids, say).
      if (this.keyCache.size < 4096) this.keyCache.set(key, hit)
    }
    return hit
  }

  /** The masked form of a secret field's value. */
  maskValue (key: string, value: unknown): string {
    if (typeof value === 'string' && normalizeName(key).includes('licensekey')) return maskSecret(value)
    return MASK
  }

  /** Removes secrets from free text: messages, string values, stacks, URLs. */
  text (s: string): string {
    if (this.licenseKey !== undefined && s.includes(this.licenseKey)) s = s.split(this.licenseKey).join(this.licenseMask)
    // Every pattern needs one of these characters; most messages have none.
    const at = s.indexOf('@')
    const eq = s.indexOf('=')
    const colon = s.indexOf(':')
    if (at === -1 && eq === -1 && colon === -1) return s
    if (at !== -1 && colon !== -1) s = s.replace(URL_USERINFO, `://$1:${MASK}@`)
    if (eq !== -1 || colon !== -1) {
      s = s.replace(SECRET_PARAM, `$1$2${MASK}`)
      s = s.replace(AUTH_HEADER, `$1$2${MASK}`)
    }
    return s
  }
}

function normalizeName (name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '')
}
