// The forms a credential takes on its way out, so that a redaction that knows
// the credential also knows what an echo of it looks like: %-encoded (a URL,
// a form body), base64 (an Authorization or Proxy-Authorization: Basic
// header, built from user:password), base64url.

/** `s` %-encoded, base64 and base64url (unpadded: the padded form holds it, and a quoted token may have lost its '='). */
export function encodedForms (s: string): string[] {
  const out: string[] = []
  try {
    const e = encodeURIComponent(s)
    if (e !== s) out.push(e)
  } catch {
    // A lone surrogate: no URL can carry it encoded.
  }
  out.push(Buffer.from(s).toString('base64').replace(/=+$/, ''), Buffer.from(s).toString('base64url'))
  return out
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
    for (const f of encodedForms(pair)) out.add(f)
    out.add(`${encode(u)}:${encode(p)}`)
    if (p !== '') for (const f of encodedForms(p)) out.add(f)
  }
  return [...out].filter((f) => f.length >= 6)
}
