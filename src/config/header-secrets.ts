// The secret forms of one HTTP header value (log_ship_headers, OTEL_EXPORTER_
// OTLP_HEADERS): the value, percent-decoded, and its credential parts. A
// receiver that quotes us back rarely quotes the whole value: it says
// `unknown key tok…` without the `Bearer ` scheme, or the `key=…` part of a
// tenant value. Parts are split at spaces, `=`, `:` and `;`; only parts of
// MIN_PART characters or more are secrets of their own, so the scheme words
// (`Bearer`, `Basic`) and short labels stay readable.

const MIN_PART = 8

function isSeparator (c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x3d || c === 0x3a || c === 0x3b
}

/** The value, its decoded form, and each credential part of either. */
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
  return [...forms]
}
