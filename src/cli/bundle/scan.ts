// The fail-closed check: written independently of the redactor, it reads
// text back from the finished archive and reports what is still in clear,
// by rule, never the value:
//   license-key    the configured license key, in any letter case
//   config-secret  the configured proxy's password, in any letter case
//   url-password   scheme://user:<not ****>@
//   auth-token     Bearer or Basic and a credential-like token
//   secret-field   <secret name>=<value>, "<secret name>":"<value>" with the value not masked
//   report-script  report.html does not hold the shipped uPlot script exactly once
// One pass over each line plus one indexOf per literal: linear. Its rules
// are narrower than the redactor's (a subset of its names, the same value
// boundaries), so whatever it finds the redaction should have masked.

import { MASK, endsAuthority, isBlank, isNameChar, normalized, type ScanRule } from './rules'

/** Name fragments whose values must be masked (all among the redactor's). */
const SECRET_PARTS = ['passw', 'pwd', 'secret', 'token', 'apikey', 'licensekey', 'accesskey', 'privatekey', 'authoriz', 'cookie', 'credential']
/** Literals shorter than this are not searched for: they occur in ordinary words. */
const MIN_LITERAL = 6

export interface ScanSecrets {
  readonly licenseKey?: string | undefined
  readonly literals?: readonly string[]
}

export class TextScanner {
  private readonly literals: ReadonlyArray<{ readonly text: string, readonly rule: ScanRule }>

  constructor (secrets: ScanSecrets) {
    const list: Array<{ text: string, rule: ScanRule }> = []
    const key = secrets.licenseKey
    if (typeof key === 'string' && key.length >= 4) list.push({ text: key.toLowerCase(), rule: 'license-key' })
    for (const l of secrets.literals ?? []) {
      if (l.length >= MIN_LITERAL && !l.includes('*')) list.push({ text: l.toLowerCase(), rule: 'config-secret' })
    }
    this.literals = list
  }

  /** The rules `s` (one line, or a window of one) breaks. */
  scan (s: string, found: (rule: ScanRule) => void): void {
    if (this.literals.length > 0) {
      const lower = s.toLowerCase()
      for (const l of this.literals) if (lower.includes(l.text)) found(l.rule)
    }
    const n = s.length
    let i = 0
    while (i < n) {
      const c = s.charCodeAt(i)
      if (c === 58 && s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47) {
        i = authority(s, i + 3, found)
      } else if (isNameChar(c)) {
        let j = i + 1
        while (j < n && isNameChar(s.charCodeAt(j))) j++
        afterWord(s, i, j, found)
        i = j
      } else {
        i++
      }
    }
  }
}

function authority (s: string, from: number, found: (rule: ScanRule) => void): number {
  let p = from
  let colon = -1
  let at = -1
  for (; p < s.length; p++) {
    const c = s.charCodeAt(p)
    if (endsAuthority(c)) break
    if (c === 64) at = p
    else if (c === 58 && colon === -1) colon = p
  }
  if (at !== -1 && colon !== -1 && colon < at && !allStars(s, colon + 1, at)) found('url-password')
  return p
}

function allStars (s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) !== 42) return false
  return true
}

function afterWord (s: string, start: number, end: number, found: (rule: ScanRule) => void): void {
  const len = end - start
  if ((len === 6 || len === 5) && isBlank(s.charCodeAt(end))) {
    const w = s.slice(start, end).toLowerCase()
    if (w === 'bearer' || w === 'basic') {
      let k = end
      while (isBlank(s.charCodeAt(k))) k++
      let p = k
      while (p < s.length && isTokenChar(s.charCodeAt(p))) p++
      if (p > k && s.charCodeAt(k) !== 42 && credentialLike(s, k, p)) found('auth-token')
      return
    }
  }
  const v = valueStart(s, end)
  if (v === -1) return
  const name = normalized(s, start, Math.min(end, start + 256))
  if (!SECRET_PARTS.some((p) => name.includes(p))) return
  if (!masked(s, v)) found('secret-field')
}

/** Where the value starts when a name ending at `i` is followed by `=`, `=>` or `:` (not `://`); else -1. */
function valueStart (s: string, i: number): number {
  let k = i
  while (s.charCodeAt(k) === 92) k++
  const q = s.charCodeAt(k)
  if (q === 34 || q === 39) k++
  else if (k !== i) return -1
  while (isBlank(s.charCodeAt(k))) k++
  const c = s.charCodeAt(k)
  if (c === 61) k += s.charCodeAt(k + 1) === 62 ? 2 : 1
  else if (c === 58 && !(s.charCodeAt(k + 1) === 47 && s.charCodeAt(k + 2) === 47)) k++
  else return -1
  while (isBlank(s.charCodeAt(k))) k++
  while (s.charCodeAt(k) === 92) k++
  const v = s.charCodeAt(k)
  return v === 34 || v === 39 ? k + 1 : k
}

/** A value that is masked, empty, or a JSON structure (its own fields are checked one by one). */
function masked (s: string, v: number): boolean {
  if (v >= s.length || s.startsWith(MASK, v)) return true
  const c = s.charCodeAt(v)
  if (c <= 32 || c === 34 || c === 39 || c === 92 || c === 38 || c === 59 || c === 44 || c === 125 || c === 93 || c === 123 || c === 91 || c === 35) return true
  // A long license key is shown as its first 4 characters and the mask.
  let p = v
  while (p < v + 4 && p < s.length && isTokenChar(s.charCodeAt(p))) p++
  return s.startsWith(MASK, p)
}

function isTokenChar (c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 45 || c === 46 || c === 95 || c === 126 || c === 43 || c === 47 || c === 61 || c === 37
}

/** Prose after "basic" is lower-case words ("basic auth failed"); a credential is long or mixed. */
function credentialLike (s: string, from: number, to: number): boolean {
  if (to - from >= 16) return true
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 97 || c > 122) return true
  }
  return false
}

/** Longest piece of a line scanned at once; longer lines go in windows that overlap by OVERLAP. */
const WINDOW = 256 * 1024
const OVERLAP = 4096

/** Feeds a member's text in chunks; scans it line by line in bounded memory. */
export class MemberScan {
  private carry = ''
  readonly found = new Set<ScanRule>()
  private readonly add = (rule: ScanRule): void => { this.found.add(rule) }

  constructor (private readonly scanner: TextScanner) {}

  push (text: string): void {
    let s = this.carry + text
    let nl = s.indexOf('\n')
    let from = 0
    while (nl !== -1) {
      this.scanner.scan(s.slice(from, nl), this.add)
      from = nl + 1
      nl = s.indexOf('\n', from)
    }
    s = s.slice(from)
    while (s.length > WINDOW) {
      this.scanner.scan(s.slice(0, WINDOW), this.add)
      s = s.slice(WINDOW - OVERLAP)
    }
    this.carry = s
  }

  end (): Set<ScanRule> {
    if (this.carry !== '') this.scanner.scan(this.carry, this.add)
    this.carry = ''
    return this.found
  }
}

/** What HTML and the report's JSON block escape, decoded, so a secret written as `&quot;` or `\u003c` is still seen. */
const ESCAPES: ReadonlyArray<readonly [string, string]> = [
  ['&quot;', '"'], ['&#39;', "'"], ['&lt;', '<'], ['&gt;', '>'], ['\\u003c', '<'], ['\\u003e', '>'], ['\\u0026', '&'], ['&amp;', '&']
]

function unescapeHtml (s: string): string {
  let out = s
  for (const [from, to] of ESCAPES) if (out.includes(from)) out = out.split(from).join(to)
  return out
}

/**
 * report.html, scanned whole but for one byte-identical copy of the shipped
 * uPlot script (minified code, not log text, where the rules would only find
 * false positives): the page, its styles, its own script and the JSON data
 * block, as written and with HTML and JSON escapes decoded. A page without
 * exactly one exact copy of the script is refused (`report-script`) and
 * scanned in full.
 */
export function scanReport (scanner: TextScanner, member: string, html: string, script: string): Set<ScanRule> {
  const scan = new MemberScan(scanner)
  scan.push(member + '\n')
  const asset = `<script>${script}</script>`
  const at = html.indexOf(asset)
  const once = script !== '' && at !== -1 && html.indexOf(asset, at + 1) === -1
  const rest = once ? [html.slice(0, at), html.slice(at + asset.length)] : [html]
  for (const part of rest) {
    scan.push(part + '\n')
    scan.push(unescapeHtml(part) + '\n')
  }
  const found = scan.end()
  if (!once) found.add('report-script')
  return found
}
