// The secret forms of one HTTP header value (log_ship_headers, OTEL_EXPORTER_
// OTLP_HEADERS): the value, percent-decoded, and its credential parts. A
// receiver that quotes us back rarely quotes the whole value: it says
// `unknown key tok…` without the `Bearer ` scheme, or the `key=…` part of a
// tenant value. Parts are split at spaces, `=`, `:` and `;`; only parts of
// MIN_PART characters or more are secrets of their own, so the scheme words
// (`Bearer`, `Basic`) and short labels stay readable. Each of those is also
// known %-encoded and base64-encoded (credential-forms.ts), and a
// `Basic <base64>` value is decoded: its user:password and password are
// secrets in every form, as a proxy's are.

import { credentialForms, encodedForms } from './credential-forms'

const MIN_PART = 8

function isSeparator (c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x3d || c === 0x3a || c === 0x3b
}

/** Encoded forms are kept from this length: shorter ones would mask ordinary words. */
const MIN_FORM = 6

/** The value, its decoded form, and each credential part of either; each also %-encoded and base64-encoded. */
export function headerSecretForms (value: string): string[] {
  const forms = new Set<string>()
  const v = value.trim()
  if (v === '') return []
  forms.add(v)
  try {
    forms.add(decodeURIComponent(v))
  } catch {
    // Not percent-encoded.
  }
  for (const form of [...forms]) {
    let start = 0
    for (let i = 0; i <= form.length; i++) {
      if (i < form.length && !isSeparator(form.charCodeAt(i))) continue
      if (i - start >= MIN_PART && (start > 0 || i < form.length)) forms.add(form.slice(start, i))
      start = i + 1
    }
  }
  for (const form of [...forms]) {
    const pair = basicCredentials(form)
    if (pair !== undefined) {
      forms.add(pair)
      for (const f of credentialForms(`basic://${pair}@header`)) forms.add(f)
      const colon = pair.indexOf(':')
      if (colon >= 0 && pair.length - colon - 1 >= 4) forms.add(pair.slice(colon + 1))
    }
  }
  for (const form of [...forms]) if (form.length >= MIN_FORM) for (const f of encodedForms(form)) if (f.length >= MIN_FORM) forms.add(f)
  return [...forms]
}

/** `user:password` from `Basic <base64>` (any case, any spaces), when it decodes to text with a ':'; a hand-written scan. */
function basicCredentials (form: string): string | undefined {
  if (form.length < 7 || form.slice(0, 5).toLowerCase() !== 'basic') return undefined
  let i = 5
  if (!isSeparator(form.charCodeAt(i))) return undefined
  while (i < form.length && isSeparator(form.charCodeAt(i))) i++
  const token = form.slice(i).trim()
  if (token === '' || token.length > 8192) return undefined
  for (let j = 0; j < token.length; j++) {
    const c = token.charCodeAt(j)
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2b || c === 0x2f || c === 0x3d || c === 0x2d || c === 0x5f
    if (!ok) return undefined
  }
  const text = Buffer.from(token, token.includes('-') || token.includes('_') ? 'base64url' : 'base64').toString('utf8')
  return text.includes(':') && !text.includes('\ufffd') ? text : undefined
}
