// The contract between the logger and a layout (text.ts, json.ts): the static
// parts of a line are built once per logger, the rest once per record.

import type { LevelValue } from '../record/levels'
import type { LogRecord } from '../record/record'
import { cutChars } from './cut'
import type { SerializeContext } from './serialize'

export interface FormatContext extends SerializeContext {
  /** Longest line in bytes, newline included. */
  readonly maxLine: number
}

export interface LineFormat {
  readonly name: 'text' | 'json'
  /** Everything between the time and the message that depends only on the logger and level. */
  header (name: string, level: LevelValue): string
  /** A header marked as flight-recorder context (written before an error, not when logged). */
  recordedHeader (header: string): string
  /** A child logger's bound fields, serialized once. */
  bindings (fields: object, ctx: FormatContext): string
  /** One whole line, newline included, at most `ctx.maxLine` bytes. */
  line (rec: LogRecord, header: string, bindings: string, ctx: FormatContext): string
}

/** A logger name in a header takes at most this many bytes, so a header always leaves room (log_max_line >= 1 KB). */
const MAX_NAME_BYTES = 300

/** Whether a line fits in `max` bytes; skips the byte count when it obviously does. */
export function fits (line: string, max: number): boolean {
  return line.length * 3 <= max || Buffer.byteLength(line) <= max
}

/** The longest prefix of `s` that is at most `max` bytes of UTF-8, never splitting a character. */
export function cutToBytes (s: string, max: number): string {
  if (max <= 0) return ''
  if (s.length <= max && Buffer.byteLength(s) <= max) return s
  const cut = Buffer.from(cutChars(s, max)).subarray(0, max).toString()
  // A multi-byte character cut in half decodes as U+FFFD; drop it (a loop: /\uFFFD+$/ backtracks).
  let end = cut.length
  while (end > 0 && cut.charCodeAt(end - 1) === 0xfffd) end--
  return cut.slice(0, end)
}

/** A logger name as a header writes it (`quote` escapes it), cut with `…` to MAX_NAME_BYTES. */
export function headerName (name: string, quote: (s: string) => string): string {
  let out = quote(name)
  for (let keep = Math.min(name.length, MAX_NAME_BYTES); Buffer.byteLength(out) > MAX_NAME_BYTES; keep = Math.floor(keep / 2)) {
    out = quote(cutChars(name, keep) + '…')
  }
  return out
}
