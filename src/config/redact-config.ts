// The redaction for whatever shows a loaded config (doctor's report, an
// agent's own diagnostics): everything a secret-bearing setting holds, found
// in any letter case, plus the Redactor's rules. Never throws: on a value it
// cannot handle it answers with a mask, failing closed.

import { MASK, Redactor } from '../format/redact'
import { isAgentConfig, knownSecrets, type AgentConfig } from './load'
import { GUESSED_MIN, SecretScrubber, looksSecret } from './secrets'

export interface ConfigRedactor {
  /** Text that may hold config values, with every secret masked. */
  text (s: string): string
  /** A key's value for display: masked whole when the key is or looks secret. */
  value (key: string, value: string): string
  /** Only the config's known secrets, in any letter case: a last, fail-closed pass over finished output. */
  final (s: string): string
}

export function configRedactor (cfg: AgentConfig): ConfigRedactor {
  const scrubber = new SecretScrubber()
  let names = new Redactor()
  try {
    if (isAgentConfig(cfg)) {
      const s = cfg.settings
      scrubber.useLicenseKey(s.license_key)
      for (const url of [s.proxy, s.host, cfg.entries.proxy.given, cfg.entries.host.given]) {
        if (typeof url !== 'string') continue
        scrubber.addProxy(url)
        for (const form of credentialForms(url)) scrubber.add(form)
      }
      for (const secret of knownSecrets(s)) scrubber.add(secret)
      for (const [key, { value }] of Object.entries(cfg.unknown)) {
        if (looksSecret(key)) scrubber.add(value, GUESSED_MIN)
        scrubber.addUrl(value)
      }
      names = new Redactor({ extraNames: s.log_redact })
    }
  } catch {
    // A config that cannot be read holds no secret we could find; text() still applies the Redactor's rules.
  }
  const guard = (fn: (s: string) => string) => (s: string): string => {
    try {
      return typeof s === 'string' ? fn(s) : MASK
    } catch {
      return MASK
    }
  }
  return {
    text: guard((s) => scrubber.text(s)),
    final: guard((s) => scrubber.final(s)),
    value: (key: string, value: string): string => {
      try {
        if (typeof key !== 'string' || looksSecret(key) || names.isSecretKey(key)) return MASK
        return typeof value === 'string' ? scrubber.text(value) : MASK
      } catch {
        return MASK
      }
    }
  }
}

/**
 * A proxy's `user:password` as it travels and may be echoed back: base64
 * (Proxy-Authorization: Basic, built from the decoded parts as undici and
 * the probe build it, and from the parts as typed), URL-encoded, and the
 * password alone base64-encoded. The userinfo runs, as the config reads it,
 * from `://` to the LAST '@'; the user ends at its first ':'.
 */
export function credentialForms (value: string): string[] {
  const scheme = value.indexOf('://')
  const at = value.lastIndexOf('@')
  if (scheme === -1 || at < scheme + 3) return []
  const info = value.slice(scheme + 3, at)
  const colon = info.indexOf(':')
  const user = colon === -1 ? info : info.slice(0, colon)
  const pass = colon === -1 ? '' : info.slice(colon + 1)
  const decode = (v: string): string => {
    try {
      return decodeURIComponent(v)
    } catch {
      return v
    }
  }
  const encode = (v: string): string => {
    try {
      return encodeURIComponent(v)
    } catch {
      // A lone surrogate: no URL can carry it encoded.
      return v
    }
  }
  const out = new Set<string>()
  for (const [u, p] of [[user, pass], [decode(user), decode(pass)]] as const) {
    const pair = `${u}:${p}`
    // Unpadded: the padded form holds it, and a quoted token may have lost its '='.
    out.add(Buffer.from(pair).toString('base64').replace(/=+$/, ''))
    out.add(Buffer.from(pair).toString('base64url'))
    out.add(encode(pair))
    out.add(`${encode(u)}:${encode(p)}`)
    if (p !== '') {
      out.add(Buffer.from(p).toString('base64').replace(/=+$/, ''))
      out.add(encode(p))
    }
  }
  return [...out].filter((f) => f.length >= 6)
}
