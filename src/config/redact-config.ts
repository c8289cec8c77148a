// The redaction for whatever shows a loaded config (doctor's report, an
// agent's own diagnostics): everything a secret-bearing setting holds, found
// in any letter case, plus the Redactor's rules. Never throws: on a value it
// cannot handle it answers with a mask, failing closed.

import { MASK, Redactor } from '../format/redact'
import { credentialForms } from './credential-forms'
import { headerValues, isAgentConfig, knownSecrets, type AgentConfig } from './load'
import { GUESSED_MIN, SecretScrubber, looksSecret } from './secrets'

export { credentialForms }

/** The environment's OTLP header variables: their values are secrets like log_ship_headers'. */
const OTLP_HEADER_VARS = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_LOGS_HEADERS']

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
      // Whatever shows this config runs in the app's environment: its OTLP header values are masked too, shipping or not.
      for (const name of OTLP_HEADER_VARS) {
        const v = process.env[name]
        if (typeof v === 'string') for (const form of headerValues(v)) scrubber.add(form)
      }
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
