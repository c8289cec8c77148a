// One redaction, applied before the cut, in time linear in what is kept.
// A long string is redacted in a window of `max + MARGIN` characters, so a
// secret that straddles the cut is still recognised whole and masked; a
// secret still open at the window's end is masked to the end (fail closed).
// Then the redacted text is cut to `max` characters and marked.

import type { Redactor } from './redact'

/** How far past the cut redaction looks, to see where a secret ends. */
export const MARGIN = 1024
/** Strings this much over the cap are kept whole: a cut message (text + marker) is not cut twice. */
export const SLACK = 64

/** `s` redacted and cut to about `max` characters; `total` is the length `s` stands for when it is itself a prefix. */
export function capRedact (s: string, max: number, redactor: Redactor, total = s.length): string {
  if (total <= max + SLACK && s.length === total) return redactor.text(s)
  const window = s.length > max + MARGIN ? s.slice(0, max + MARGIN) : s
  const kept = cutChars(redactor.text(window, true), max)
  return kept + `…[+${Math.max(total - max, 0)} chars]`
}

/** The first `max` characters of `s`, never splitting a surrogate pair. */
export function cutChars (s: string, max: number): string {
  if (s.length <= max) return s
  let end = Math.max(max, 0)
  const c = s.charCodeAt(end - 1)
  if (c >= 0xd800 && c <= 0xdbff) end--
  return s.slice(0, end)
}
