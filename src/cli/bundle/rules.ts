// The names of the redaction and scan rules, shared by the report and the
// read-back scan. Bumped with any change to what is masked or checked, so
// support can tell which rules a bundle was made with.

export const REDACTION_RULES_VERSION = 'bundle-redact-2'

export const MASK = '****'

/** What a mask in a bundle was applied for (redaction-report.json). */
export type MaskRule = 'license-key' | 'url-password' | 'auth-scheme' | 'auth-header' | 'secret-field' | 'proxy-userinfo' | 'other'

export const MASK_RULES: readonly MaskRule[] = ['license-key', 'url-password', 'auth-scheme', 'auth-header', 'secret-field', 'proxy-userinfo', 'other']

/** What the read-back scan can find left in clear (it names the rule and the member, never the value). */
export type ScanRule = 'license-key' | 'config-secret' | 'url-password' | 'auth-token' | 'secret-field' | 'unexpected-entry' | 'report-script' | 'member-name'

/** Letters, digits and `_ - . % [ ] $`: the characters of a field name, as the redactor reads them. */
export function isNameChar (c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 95 || c === 45 || c === 46 || c === 37 || c === 91 || c === 93 || c === 36
}

export function isBlank (c: number): boolean {
  return c === 32 || c === 9
}

/** Ends a URL authority: whitespace, `/ ? # " ' < > \ \``. */
export function endsAuthority (c: number): boolean {
  return c <= 32 || c === 47 || c === 63 || c === 35 || c === 34 || c === 39 || c === 60 || c === 62 || c === 92 || c === 96
}

/** Lower-case ASCII letters and digits of `s[from, to)`. */
export function normalized (s: string, from: number, to: number): string {
  let out = ''
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32)
    else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += String.fromCharCode(c)
  }
  return out
}
