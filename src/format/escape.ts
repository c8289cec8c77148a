// One record = one line. Anything a reader could take for a line break
// (\n, \r, \v, \f, NEL, U+2028/9, the C0/C1 controls Python's splitlines uses)
// and anything a terminal would interpret (ESC for ANSI colours) is escaped.

import { flatCopy } from '../internal/flat-copy'
import { trailingFieldRun } from './field-run'

// C0 controls, DEL, C1 controls, line/paragraph separators.
const NEEDS_TEXT_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const TEXT_ESCAPES = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
// What JSON.stringify leaves raw that we still escape (a /g regex keeps
// lastIndex between calls, so testing uses its own non-global twin).
const HAS_JSON_EXTRA = /[\u007f-\u009f\u2028\u2029]/
const JSON_EXTRA = /[\u007f-\u009f\u2028\u2029]/g
// A string that can go between quotes as it is: no quote, backslash,
// control, separator or surrogate (lone surrogates need JSON.stringify's care).
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/
// A text-layout value that can stand unquoted after `key=`.
const BARE_VALUE = /^[^\s"=\\\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeChar (c: string): string {
  return SHORT[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')
}

/** A message for the text layout: unquoted, with line breaks and controls escaped. */
export function escapeText (s: string): string {
  return NEEDS_TEXT_ESCAPE.test(s) ? s.replace(TEXT_ESCAPES, escapeChar) : s
}

/**
 * The text layout's message: escaped like any text, and when it ends in text
 * a reader would take for fields (` key=value` tokens), each `=` from there
 * on is written `\u003d`. The fields follow the message as ` key=value`, so
 * without this `log.info('got %s', 'x event=collector_recovered')` would read
 * back as a record with an event. Messages that do not end so (nearly all)
 * are written as they are.
 */
export function escapeMessage (s: string): string {
  let t = escapeText(s)
  if (t.indexOf('=') < 0) return t
  // Escaping a run can expose an earlier one (a token that failed only on a later `=`): twice, then from the first blank.
  for (let round = 0; round < 3; round++) {
    const run = round < 2 ? trailingFieldRun(t) : t.indexOf(' ')
    if (run < 0) return t
    t = t.slice(0, run) + t.slice(run).replaceAll('=', '\\u003d')
  }
  return t
}

// Long strings that repeat (a stack, logged once per failure of one call
// site, in bursts) are quoted once: the lookup hashes the string, several
// times cheaper than escaping it. Bounded: at most QUOTED_KEPT entries of at
// most QUOTED_LONGEST characters, flat copies that pin nothing of the caller's.
const QUOTED_MIN = 256
const QUOTED_LONGEST = 8 * 1024
const QUOTED_KEPT = 32
const quotedLong = new Map<string, string>()

/** A JSON string literal that is valid UTF-8 when written and cannot break a line. */
export function jsonString (s: string): string {
  if (s.length < QUOTED_MIN || s.length > QUOTED_LONGEST) return quote(s)
  let q = quotedLong.get(s)
  if (q === undefined) {
    q = flatCopy(quote(s))
    if (quotedLong.size >= QUOTED_KEPT) quotedLong.clear()
    quotedLong.set(flatCopy(s), q)
  }
  return q
}

function quote (s: string): string {
  if (!NEEDS_JSON_ESCAPE.test(s)) return '"' + s + '"'
  const q = JSON.stringify(s)
  return HAS_JSON_EXTRA.test(q) ? q.replace(JSON_EXTRA, escapeChar) : q
}


/** A `key=value` value in the text layout: bare when safe, else a JSON string. */
export function textValue (s: string): string {
  return s !== '' && BARE_VALUE.test(s) ? s : jsonString(s)
}

/** A field name in the text layout; names with odd characters are made safe. */
export function textKey (key: string): string {
  return BARE_VALUE.test(key) ? key : key === '' ? '""' : jsonString(key)
}
