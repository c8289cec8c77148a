// Redaction of every bundle member, again: log lines written before a
// redaction fix, config values, environment variables. The library's own
// rules do the masking (Redactor: the license key in any case and encoding,
// URL passwords, auth schemes, secret-named fields, cookies and auth
// headers; configRedactor: every secret the config holds, in any case).
// What this module adds: proxy userinfo in environment values (read as the
// config reads proxies: up to the LAST '@'), whole values under secret-named
// JSON keys, and the count of masks by rule for redaction-report.json.

import { Redactor, configRedactor, type AgentConfig, type ConfigRedactor } from '../../index'
import { MASK, MASK_RULES, endsAuthority, isBlank, isNameChar, normalized, type MaskRule } from './rules'

const SCHEMES = new Set(['bearer', 'basic', 'token', 'digest', 'negotiate', 'ntlm', 'oauth', 'dpop', 'apikey'])
/** How far back from a mask its context is read (a name, a scheme word, a URL's `://`). */
const LOOK_BACK = 128

export class BundleRedactor {
  readonly counts: Record<MaskRule, number>
  readonly byMember: Record<string, number> = {}
  private readonly shapes: Redactor
  private readonly config: ConfigRedactor
  private readonly licensePrefix: string | undefined

  constructor (cfg: AgentConfig) {
    const s = cfg.settings
    const key = typeof s.license_key === 'string' && s.license_key.length >= 4 ? s.license_key : undefined
    this.shapes = new Redactor({ ...(key === undefined ? {} : { licenseKey: key }), extraNames: s.log_redact })
    this.config = configRedactor(cfg)
    // The Redactor shows a long key's first 4 characters before the mask.
    this.licensePrefix = key !== undefined && key.length >= 16 ? key.slice(0, 4).toLowerCase() : undefined
    this.counts = Object.fromEntries(MASK_RULES.map((r) => [r, 0])) as Record<MaskRule, number>
  }

  /** One line of text (no line breaks); `cut` says it is the head of a longer line. */
  text (member: string, s: string, cut = false): string {
    const out = this.config.text(this.shapes.text(s, cut))
    if (out !== s) this.count(member, s, out)
    return out
  }

  /** A JSON value with every string redacted, and everything under a secret-named key masked whole. */
  json (member: string, value: unknown, key?: string): unknown {
    if (key !== undefined && this.shapes.isSecretKey(key) && (value === null || typeof value !== 'object')) {
      if (value === '' || value === undefined) return value
      this.add(member, 'secret-field', 1)
      return MASK
    }
    if (typeof value === 'string') return this.text(member, value)
    if (Array.isArray(value)) return value.map((v) => this.json(member, v, key !== undefined && this.shapes.isSecretKey(key) ? key : undefined))
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[this.text(member, k)] = this.json(member, v, k)
      return out
    }
    return value
  }

  /** An environment variable's value: masked whole under a secret name; a proxy's userinfo masked. */
  env (member: string, name: string, value: string): string {
    if (this.shapes.isSecretKey(name) || this.config.value(name, 'x') === MASK) {
      this.add(member, 'secret-field', 1)
      return MASK
    }
    let v = value
    if (name.toLowerCase().endsWith('_proxy')) {
      const masked = maskProxyUserinfo(v)
      if (masked !== v) this.add(member, 'proxy-userinfo', 1)
      v = masked
    }
    return this.text(member, v)
  }

  private add (member: string, rule: MaskRule, n: number): void {
    this.counts[rule] += n
    this.byMember[member] = (this.byMember[member] ?? 0) + n
  }

  /** The masks `out` has that `s` had not, by rule (their context tells the rule). */
  private count (member: string, s: string, out: string): void {
    const before = this.classify(s)
    const after = this.classify(out)
    for (const rule of MASK_RULES) {
      const n = after[rule] - before[rule]
      if (n > 0) this.add(member, rule, n)
    }
  }

  private classify (s: string): Record<MaskRule, number> {
    const counts = Object.fromEntries(MASK_RULES.map((r) => [r, 0])) as Record<MaskRule, number>
    let prevEnd = 0
    for (let i = s.indexOf(MASK); i !== -1; i = s.indexOf(MASK, prevEnd)) {
      counts[this.ruleAt(s, i, prevEnd)]++
      prevEnd = i
      while (s.charCodeAt(prevEnd) === 42) prevEnd++
    }
    return counts
  }

  /** The rule a mask at `at` was applied for, read from what precedes it (never before `floor`, the previous mask). */
  private ruleAt (s: string, at: number, floor: number): MaskRule {
    const stop = Math.max(floor, at - LOOK_BACK)
    if (this.licensePrefix !== undefined && at - 4 >= stop && s.slice(at - 4, at).toLowerCase() === this.licensePrefix) return 'license-key'
    let k = at - 1
    if (s.charCodeAt(k) === 58) {
      // `://user:****@`: back through the authority to `://`.
      let p = k - 1
      while (p >= stop && !endsAuthority(s.charCodeAt(p))) p--
      if (p >= stop + 2 && s.charCodeAt(p) === 47 && s.charCodeAt(p - 1) === 47 && s.charCodeAt(p - 2) === 58) return 'url-password'
    }
    let blanks = 0
    while (k >= stop && isBlank(s.charCodeAt(k))) { k--; blanks++ }
    while (k >= stop && (s.charCodeAt(k) === 34 || s.charCodeAt(k) === 39 || s.charCodeAt(k) === 92)) k--
    const c = s.charCodeAt(k)
    if (k >= stop && (c === 61 || c === 58 || (c === 62 && s.charCodeAt(k - 1) === 61))) {
      k -= c === 62 ? 2 : 1
      while (k >= stop && (isBlank(s.charCodeAt(k)) || s.charCodeAt(k) === 34 || s.charCodeAt(k) === 39 || s.charCodeAt(k) === 92)) k--
      const end = k + 1
      while (k >= stop && isNameChar(s.charCodeAt(k))) k--
      const name = normalized(s, k + 1, end)
      if (name.includes('cookie') || name.includes('authoriz') || name.includes('authoris')) return 'auth-header'
      return name === '' ? 'other' : 'secret-field'
    }
    if (blanks > 0) {
      const end = k + 1
      while (k >= stop && isNameChar(s.charCodeAt(k))) k--
      if (SCHEMES.has(normalized(s, k + 1, end))) return 'auth-scheme'
    }
    return 'other'
  }
}

/**
 * `scheme://user:****@host`: as the config reads a proxy, everything from
 * the first ':' after `://` to the LAST '@' is the password (operators type
 * '#', '/' and '@' unencoded); with no ':' the whole userinfo is masked.
 */
export function maskProxyUserinfo (value: string): string {
  const scheme = value.indexOf('://')
  const at = value.lastIndexOf('@')
  if (at === -1) return value
  if (scheme === -1 || scheme + 3 > at) return MASK
  const colon = value.indexOf(':', scheme + 3)
  const keep = colon !== -1 && colon < at ? colon + 1 : scheme + 3
  return value.slice(0, keep) + MASK + value.slice(at)
}
