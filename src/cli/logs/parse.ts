// One log line (text or JSON layout, docs/formats.md) back into a record.
// Hand-written scanners, no regular expressions: lines come from files an
// operator hands us and may be anything. The header (time, level, name, pid,
// thread) is read at once, since merging and filtering need it; the message
// and fields only when asked for, because `summary` over a gigabyte reads
// them for a few records in a thousand.
//
// The text layout's one ambiguity: the message is written unquoted and the
// fields follow it as ` key=value`, so a message that itself ends in
// ` key=value`-looking text cannot be told from a field. The rule: the
// fields are the longest run of well-formed ` key=value` tokens that reaches
// the end of the line (bare values have no blank, quote, `=` or backslash;
// quoted ones are JSON strings; objects and arrays are balanced JSON).
// Anything before that run is the message. This logger's writer spells `=`
// in a message (after its first blank) as \u003d, so its messages never read
// as fields; in older or foreign logs `retry in 5 s count=3` reads as message
// `retry in 5 s` and field `count=3`, whoever wrote `count=3`.

import type { LevelName, ParsedRecord } from './model'

/** A parsed record with the line it came from (tail prints lines as written). */
export interface ReadRecord extends ParsedRecord {
  readonly line: string
}

/** Lines longer than this (characters) are not parsed: the logger never writes one (log_max_line is at most 1 MB). */
export const MAX_LINE = 2 * 1024 * 1024

const JSON_LEVELS: Readonly<Record<string, LevelName>> = {
  critical: 'critical', error: 'error', warning: 'warning', info: 'info', debug: 'debug', trace: 'trace'
}

const TRUNCATED = ' …[line truncated: '

/** The largest epoch ms a Date holds (ECMA-262 time range). */
const MAX_TIME = 8.64e15

/** One line (without its newline) as a record, or null when it is not one of ours. Never throws. */
export function parseLine (line: string, file = ''): ReadRecord | null {
  try {
    if (typeof line !== 'string' || line.length < 20 || line.length > MAX_LINE) return null
    const c = line.charCodeAt(0)
    if (c === 0x7b /* { */) return parseJson(line, file)
    if (c >= 0x30 && c <= 0x39) return parseText(line, file)
    return null
  } catch {
    return null
  }
}

/**
 * Where the line s[at, nl) ends without its CR: a CRLF log (saved on Windows, or sent through a
 * tool that converts line ends) has \r as part of the line end, and read as part of the line it
 * would be part of the last field, which then reads as no field at all (every event lost).
 */
export function lineEnd (s: string, at: number, nl: number): number {
  return nl > at && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
}

// ---- time ------------------------------------------------------------------

function digits (s: string, at: number, n: number): number {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil (y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** `YYYY-MM-DD?HH:MM:SS?mmm` at `at` as UTC epoch ms (the caller applies the offset), or NaN. */
function dateTime (s: string, at: number): number {
  const y = digits(s, at, 4)
  const mo = two(s, at + 5)
  const d = two(s, at + 8)
  const h = two(s, at + 11)
  const mi = two(s, at + 14)
  const se = two(s, at + 17)
  const ms = digits(s, at + 20, 3)
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60 || ms < 0) return NaN
  if (s.charCodeAt(at + 4) !== 45 || s.charCodeAt(at + 7) !== 45 || s.charCodeAt(at + 13) !== 58 || s.charCodeAt(at + 16) !== 58) return NaN
  // The lines of a log share their date: its day number is worked out once per date.
  const ymd = y * 10000 + mo * 100 + d
  if (ymd !== lastYmd) {
    lastDays = daysFromCivil(y, mo, d)
    lastYmd = ymd
  }
  return lastDays * 86_400_000 + h * 3_600_000 + mi * 60_000 + se * 1000 + ms
}

let lastYmd = -1
let lastDays = 0

/** Two digits at `at` as a number, or -1 (NaN past the end fails the range test too). */
function two (s: string, at: number): number {
  const a = s.charCodeAt(at) - 48
  const b = s.charCodeAt(at + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

// ---- text layout ------------------------------------------------------------

/** Where the parts of a text-layout line are (its header read; the body is read only when asked for). */
export interface TextHeader {
  time: number
  level: LevelName
  pid: number
  threadAt: number
  threadEnd: number
  nameAt: number
  nameEnd: number
  bodyAt: number
}

/** One module-level header: filled and read synchronously, so one object serves every line. */
const HEAD: TextHeader = { time: 0, level: 'info', pid: 0, threadAt: 0, threadEnd: 0, nameAt: 0, nameEnd: 0, bodyAt: 0 }

/** Lines at least this long hold every fixed-offset character textHeader reads (the farthest is 40 past the start); shorter ones are parsed as a line of their own. */
export const TEXT_IN_PLACE_MIN = 48

function parseText (line: string, file: string): ReadRecord | null {
  const h = textHeader(line, 0, line.length, HEAD)
  return h === null ? null : new TextRecord(line, file, h.time, h.level, h.pid, h.threadAt, h.threadEnd, h.nameAt, h.nameEnd, h.bodyAt)
}

/**
 * The header of the text-layout line s[at, end) into `h` (offsets into s), or null when it is
 * not one. Reads only inside the line when end - at >= TEXT_IN_PLACE_MIN, so it can run in place
 * on a string of many lines (reading past a shorter line's end sees the next line, not NaN).
 */
export function textHeader (s: string, at: number, end: number, h: TextHeader): TextHeader | null {
  // 2026-11-21 13:18:00,123+0800 (4242/main) oneapm.collector INFO - msg
  if (s.charCodeAt(at + 10) !== 32 || s.charCodeAt(at + 19) !== 44) return null
  const local = dateTime(s, at)
  const sign = s.charCodeAt(at + 23)
  const oh = two(s, at + 24)
  const om = two(s, at + 26)
  if (Number.isNaN(local) || (sign !== 43 && sign !== 45) || oh < 0 || om < 0) return null
  const time = local - (sign === 43 ? 1 : -1) * (oh * 60 + om) * 60_000
  if (s.charCodeAt(at + 28) !== 32 || s.charCodeAt(at + 29) !== 40 /* ( */) return null
  let i = at + 30
  let pid = 0
  const pidStart = i
  for (let d = s.charCodeAt(i) - 48; d >= 0 && d <= 9 && i - pidStart < 10; d = s.charCodeAt(++i) - 48) pid = pid * 10 + d
  if (i === pidStart || s.charCodeAt(i) !== 47 /* / */) return null
  // The first `) ` after the thread's start, within 64 characters.
  let close = -1
  for (let j = i + 1; j - i <= 64 && j + 1 < end; j++) {
    if (s.charCodeAt(j) === 41 && s.charCodeAt(j + 1) === 32) { close = j; break }
  }
  if (close < 0) return null
  // The name runs to the first ` LEVEL - ` (a name holding that text is cut there).
  const nameStart = close + 2
  let dash = dashAt(s, nameStart, end)
  let level: LevelName | undefined
  let nameEnd = -1
  while (dash >= 0) {
    // The word between the last blank before the dash and the dash: a level word holds no blank,
    // so it is one when the level's letters end at the dash with a blank before them.
    level = levelBefore(s, dash)
    if (level !== undefined) {
      nameEnd = dash - level.length - 1
      if (nameEnd >= nameStart) break
      level = undefined
    }
    dash = dashAt(s, dash + 1, end)
  }
  if (level === undefined || nameEnd <= nameStart) return null
  return fill(h, time, level, pid, i + 1, close, nameStart, nameEnd, dash + 3)
}

/** `h` with a header read (offsets into the text it was read from). */
function fill (h: TextHeader, time: number, level: LevelName, pid: number, threadAt: number, threadEnd: number, nameAt: number, nameEnd: number, bodyAt: number): TextHeader {
  h.time = time
  h.level = level
  h.pid = pid
  h.threadAt = threadAt
  h.threadEnd = threadEnd
  h.nameAt = nameAt
  h.nameEnd = nameEnd
  h.bodyAt = bodyAt
  return h
}

/**
 * textHeader over the bytes of an ASCII piece of text (whose byte offsets are its character
 * offsets): the same answer for every line, read from a Uint8Array. A string's charCodeAt costs
 * several times a typed array's load in optimized code, and the header is most of what `summary`
 * reads of most lines. Same checks, same order of searching for the level, same result (a
 * property test holds the two together).
 */
export function textHeaderBytes (b: Uint8Array, at: number, end: number, h: TextHeader): TextHeader | null {
  // 2026-11-21 13:18:00,123+0800 (4242/main) oneapm.collector INFO - msg
  if (b[at + 4] !== 45 || b[at + 7] !== 45 || b[at + 10] !== 32 || b[at + 13] !== 58 || b[at + 16] !== 58 ||
    b[at + 19] !== 44 || b[at + 28] !== 32 || b[at + 29] !== 40) return null
  const sign = b[at + 23]
  if (sign !== 43 && sign !== 45) return null
  // A non-digit reads as 10000 (past the end too): whatever its place in a field, the field then fails its range.
  const y = dig(b, at) * 1000 + dig(b, at + 1) * 100 + dig(b, at + 2) * 10 + dig(b, at + 3)
  const mo = dig(b, at + 5) * 10 + dig(b, at + 6)
  const d = dig(b, at + 8) * 10 + dig(b, at + 9)
  const hh = dig(b, at + 11) * 10 + dig(b, at + 12)
  const mi = dig(b, at + 14) * 10 + dig(b, at + 15)
  const se = dig(b, at + 17) * 10 + dig(b, at + 18)
  const ms = dig(b, at + 20) * 100 + dig(b, at + 21) * 10 + dig(b, at + 22)
  const oh = dig(b, at + 24) * 10 + dig(b, at + 25)
  const om = dig(b, at + 26) * 10 + dig(b, at + 27)
  if (y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || se > 60 || ms > 999 || oh > 99 || om > 99) return null
  const ymd = y * 10000 + mo * 100 + d
  if (ymd !== lastYmd) {
    lastDays = daysFromCivil(y, mo, d)
    lastYmd = ymd
  }
  const offset = (oh * 60 + om) * 60_000
  const time = lastDays * 86_400_000 + hh * 3_600_000 + mi * 60_000 + se * 1000 + ms - (sign === 43 ? offset : -offset)
  let i = at + 30
  const pidStart = i
  let pid = 0
  while (i - pidStart < 10) {
    const c = (b[i] as number) - 48
    if (!(c >= 0 && c <= 9)) break
    pid = pid * 10 + c
    i++
  }
  if (i === pidStart || b[i] !== 47 /* / */) return null
  let close = -1
  for (let j = i + 1; j - i <= 64 && j + 1 < end; j++) {
    if (b[j] === 41 && b[j + 1] === 32) { close = j; break }
  }
  if (close < 0) return null
  const nameStart = close + 2
  // Each ` - ` from the name's start (its `-` at j), as dashAt finds them; the first with a level word before it decides.
  for (let j = nameStart + 1; j + 1 < end; j++) {
    if (b[j] !== 45 || b[j - 1] !== 32 || b[j + 1] !== 32) continue
    const dash = j - 1
    const level = levelBeforeBytes(b, dash)
    if (level === undefined) continue
    const nameEnd = dash - level.length - 1
    if (nameEnd < nameStart) continue
    if (nameEnd === nameStart) return null
    return fill(h, time, level, pid, i + 1, close, nameStart, nameEnd, dash + 3)
  }
  return null
}

/** The digit at b[i], or 10000 when it is none (more than any field's largest value, even in its ones place). */
function dig (b: Uint8Array, i: number): number {
  const d = (b[i] as number) - 48
  return d >= 0 && d <= 9 ? d : 10_000
}

/** levelBefore over bytes. */
function levelBeforeBytes (b: Uint8Array, dash: number): LevelName | undefined {
  switch (b[dash - 1]) {
    case 79 /* O */: return wordBeforeBytes(b, dash, INFO) ? 'info' : undefined
    case 69 /* E */: return wordBeforeBytes(b, dash, TRACE) ? 'trace' : undefined
    case 71 /* G */: return wordBeforeBytes(b, dash, DEBUG) ? 'debug' : wordBeforeBytes(b, dash, WARNING) ? 'warning' : undefined
    case 82 /* R */: return wordBeforeBytes(b, dash, ERROR) ? 'error' : undefined
    case 76 /* L */: return wordBeforeBytes(b, dash, CRITICAL) ? 'critical' : undefined
    default: return undefined
  }
}

const INFO = Buffer.from('INFO')
const TRACE = Buffer.from('TRACE')
const DEBUG = Buffer.from('DEBUG')
const WARNING = Buffer.from('WARNING')
const ERROR = Buffer.from('ERROR')
const CRITICAL = Buffer.from('CRITICAL')

function wordBeforeBytes (b: Uint8Array, end: number, word: Uint8Array): boolean {
  const from = end - word.length
  if (!(from > 0) || b[from - 1] !== 32) return false
  for (let k = 0; k < word.length; k++) if (b[from + k] !== word[k]) return false
  return true
}

/** The first ` - ` in s[from, end), or -1: scanned by hand so it never runs past the line. */
function dashAt (s: string, from: number, end: number): number {
  for (let j = from; j + 3 <= end; j++) {
    if (s.charCodeAt(j) === 32 && s.charCodeAt(j + 1) === 45 && s.charCodeAt(j + 2) === 32) return j
  }
  return -1
}

/** The level whose upper-case word ends at `dash` with a blank before it, or undefined; compared in place (no string made per line). */
function levelBefore (s: string, dash: number): LevelName | undefined {
  switch (s.charCodeAt(dash - 1)) {
    case 79 /* O */: return wordBefore(s, dash, 'INFO') ? 'info' : undefined
    case 69 /* E */: return wordBefore(s, dash, 'TRACE') ? 'trace' : undefined
    case 71 /* G */: return wordBefore(s, dash, 'DEBUG') ? 'debug' : wordBefore(s, dash, 'WARNING') ? 'warning' : undefined
    case 82 /* R */: return wordBefore(s, dash, 'ERROR') ? 'error' : undefined
    case 76 /* L */: return wordBefore(s, dash, 'CRITICAL') ? 'critical' : undefined
    default: return undefined
  }
}

function wordBefore (s: string, end: number, word: string): boolean {
  const from = end - word.length
  return from > 0 && s.charCodeAt(from - 1) === 32 && s.startsWith(word, from)
}

class TextRecord implements ReadRecord {
  readonly format = 'text' as const
  private body: { msg: string, fields: Record<string, string>, event: string | undefined } | undefined

  constructor (
    readonly line: string,
    readonly file: string,
    readonly time: number,
    readonly level: LevelName,
    readonly pid: number,
    private readonly threadAt: number,
    private readonly threadEnd: number,
    private readonly nameAt: number,
    private readonly nameEnd: number,
    private readonly bodyAt: number
  ) {}

  // Cut out of the line only when asked for: most records of a summary need neither.
  get name (): string { return this.line.slice(this.nameAt, this.nameEnd) }
  get thread (): string { return this.line.slice(this.threadAt, this.threadEnd) }

  private parsed (): { msg: string, fields: Record<string, string>, event: string | undefined } {
    if (this.body === undefined) {
      this.body = bodyOf(this.line, this.bodyAt)
    }
    return this.body
  }

  get msg (): string { return this.parsed().msg }
  get fields (): Readonly<Record<string, string>> { return this.parsed().fields }
  get event (): string | undefined {
    // Most records have no event: one indexOf answers for them without reading the fields.
    if (this.body === undefined && eventMark(this.line, this.bodyAt) < 0) return undefined
    return this.parsed().event
  }
}

/**
 * A text-layout record read in place from a string of many lines: one object
 * reused for every line, so reading a gigabyte makes no object per record.
 * It reads as the TextRecord parseLine would make of the same line. Valid only
 * until the next set(): whoever keeps something of it copies it (summary.ts).
 */
export class TextView implements ParsedRecord {
  readonly format = 'text' as const
  s = ''
  file = ''
  private start = 0
  private end = 0
  time = 0
  level: LevelName = 'info'
  pid = 0
  private threadAt = 0
  private threadEnd = 0
  private nameAt = 0
  private nameEnd = 0
  private bodyAt = 0
  /** The first ` event=` in s at or after the last body asked about (s.length: none; a small integer either way, so the field stays one); lines come in order, so one forward scan serves a whole string. */
  private eventAt = -1
  private body: { msg: string, fields: Record<string, string>, event: string | undefined } | undefined

  /** A new string of lines: forget where ` event=` was. */
  text (s: string, file: string): void {
    this.s = s
    this.file = file
    this.eventAt = -1
  }

  set (start: number, end: number, h: TextHeader): void {
    this.start = start
    this.end = end
    this.time = h.time
    this.level = h.level
    this.pid = h.pid
    this.threadAt = h.threadAt
    this.threadEnd = h.threadEnd
    this.nameAt = h.nameAt
    this.nameEnd = h.nameEnd
    this.bodyAt = h.bodyAt
    this.body = undefined
  }

  get name (): string { return this.s.slice(this.nameAt, this.nameEnd) }
  get thread (): string { return this.s.slice(this.threadAt, this.threadEnd) }
  get lineLength (): number { return this.end - this.start }
  /** The line as written (a slice of the string of lines: copy it to keep it). */
  get line (): string { return this.s.slice(this.start, this.end) }

  private parsed (): { msg: string, fields: Record<string, string>, event: string | undefined } {
    if (this.body === undefined) {
      this.body = bodyOf(this.s.slice(this.start, this.end), this.bodyAt - this.start)
    }
    return this.body
  }

  get msg (): string { return this.parsed().msg }
  get fields (): Readonly<Record<string, string>> { return this.parsed().fields }

  /** This line's header and where it is in the string of lines (which stays valid after set()): what a reader keeps to read it later. */
  ref (): LineRef {
    return new LineRef(this.time, this.level, this.pid, this.s, this.start, this.end, this.nameAt, this.nameEnd, this.bodyAt)
  }

  get event (): string | undefined {
    if (this.body === undefined) {
      if (this.eventAt < this.bodyAt) {
        const e = eventMark(this.s, this.bodyAt)
        this.eventAt = e < 0 ? this.s.length : e
      }
      // ` event=` holds no newline: one starting inside the line ends inside it.
      if (this.eventAt >= this.end) return undefined
    }
    return this.parsed().event
  }
}

/** A text-layout line kept by offsets into a string of lines (TextView.ref()); move() puts it in another string. */
export class LineRef {
  constructor (
    readonly time: number,
    readonly level: LevelName,
    readonly pid: number,
    public s: string,
    public start: number,
    public end: number,
    private nameAt: number,
    private nameEnd: number,
    private bodyAt: number
  ) {}

  /** The line now at `at` in `s`. */
  move (s: string, at: number): void {
    const d = at - this.start
    this.s = s
    this.start += d
    this.end += d
    this.nameAt += d
    this.nameEnd += d
    this.bodyAt += d
  }

  /** Its fields over a copy of the line alone, as plain data (PendingRow: posted to another thread). */
  alone (): { time: number, level: LevelName, pid: number, s: string, start: number, end: number, nameAt: number, nameEnd: number, bodyAt: number } {
    const d = this.start
    return { time: this.time, level: this.level, pid: this.pid, s: this.s.slice(this.start, this.end), start: 0, end: this.end - d, nameAt: this.nameAt - d, nameEnd: this.nameEnd - d, bodyAt: this.bodyAt - d }
  }

  /** The name and message, as TextView read them when it was at this line. */
  get name (): string { return this.s.slice(this.nameAt, this.nameEnd) }
  get msg (): string { return bodyOf(this.s.slice(this.start, this.end), this.bodyAt - this.start).msg }
}

/**
 * The first ` event=` in s at or after `from`, or -1. Searched for by its `vent=`: a search for
 * a pattern starting with a blank stops at every blank of the text, one starting with a rare
 * letter skips ahead (about ten times faster over log text), and this runs over every byte read.
 */
export function eventMark (s: string, from: number): number {
  for (let v = s.indexOf('vent=', from + 2); v >= 0; v = s.indexOf('vent=', v + 1)) {
    if (s.charCodeAt(v - 1) === 101 /* e */ && s.charCodeAt(v - 2) === 32) return v - 2
  }
  return -1
}

/** Scan budget per character of body: beyond it, the body is all message (bounds a line built to make retries costly). */
const SCAN_BUDGET = 4

/** A text line's message and fields from `at`, with `event` taken out of the fields. */
function bodyOf (line: string, at: number): { msg: string, fields: Record<string, string>, event: string | undefined } {
  const b = parseTextBody(line, at)
  const event = b.fields.event
  if (event !== undefined) delete b.fields.event
  return { msg: b.msg, fields: b.fields, event }
}

/** The message and fields of a text-layout body starting at `at`. */
export function parseTextBody (line: string, at: number): { msg: string, fields: Record<string, string> } {
  let end = line.length
  let truncated: string | undefined
  if (line.charCodeAt(end - 1) === 93 /* ] */) {
    const m = line.lastIndexOf(TRUNCATED)
    if (m >= at) {
      const n = line.slice(m + TRUNCATED.length, end - ' bytes]'.length)
      if (line.endsWith(' bytes]') && digits(n, 0, n.length) >= 0) { truncated = n; end = m }
    }
  }
  let start = at
  let recorded = false
  if (line.startsWith('[recorded] ', at)) { recorded = true; start = at + 11 }
  let budget = (end - start) * SCAN_BUDGET + 64
  let runStart = -1
  // The run's keys and values (k0, v0, k1, v1, ...) in one reused array: no object per word tried.
  let n = 0
  let used = 0
  let p = line.indexOf(' ', start)
  let found = false
  while (p >= 0 && p < end) {
    const e = token(line, p, end)
    budget -= (e < 0 ? TOK.scanned : e) - p + 1
    if (budget < 0) { runStart = -1; n = 0; break }
    if (e >= 0) {
      if (runStart < 0) runStart = p
      RUN[n++] = TOK.key
      RUN[n++] = TOK.value
      if (n > used) used = n
      if (e === end) { found = true; break }
      p = e
      continue
    }
    // A cut line's last field may be cut inside its value: keep the whole ones before it.
    if (truncated !== undefined && TOK.scanned >= end && runStart >= 0) { found = true; break }
    runStart = -1
    n = 0
    p = line.indexOf(' ', p + 1)
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  let msgEnd = end
  if (found) {
    msgEnd = runStart
    for (let i = 0; i < n; i += 2) out[RUN[i] as string] = RUN[i + 1] as string
  }
  // Nothing of this line stays referenced from RUN.
  for (let i = 0; i < used; i++) RUN[i] = ''
  if (recorded) out.recorded = 'true'
  if (truncated !== undefined) out.truncated = truncated
  // The writer spells `=` in a message as \u003d (docs/formats.md): read back as written.
  const msg = line.slice(start, Math.max(start, msgEnd))
  return { msg: msg.includes('\\u003d') ? msg.replaceAll('\\u003d', '=') : msg, fields: out }
}

const RUN: string[] = []

/** What token() read: one object, filled by each call (parsing is synchronous). */
const TOK = { key: '', value: '', scanned: 0 }

function fail (scanned: number): number {
  TOK.scanned = scanned
  return -1
}

/** One ` key=value` at `p` (a blank), ending at a blank or `end`, into TOK: its end, or -1 when it is not one (TOK.scanned: how far it looked). */
function token (s: string, p: number, end: number): number {
  let i = p + 1
  let key: string
  if (s.charCodeAt(i) === 34) {
    const q = stringEnd(s, i, end)
    if (q < 0) return fail(end)
    key = unquote(s.slice(i, q + 1))
    i = q + 1
  } else {
    const k = i
    for (; i < end; i++) {
      const c = s.charCodeAt(i)
      if (c === 61 /* = */) break
      if (c <= 32 || c === 34 || c === 92 || (c >= 0x7f && c <= 0x9f)) return fail(i)
    }
    if (i === k) return fail(i)
    key = s.slice(k, i)
  }
  if (s.charCodeAt(i) !== 61) return fail(i)
  i++
  const v = i
  const c = s.charCodeAt(i)
  let value: string
  if (c === 34 /* " */) {
    const q = stringEnd(s, i, end)
    if (q < 0) return fail(end)
    value = unquote(s.slice(i, q + 1))
    i = q + 1
  } else if ((c === 123 || c === 91 /* { [ */) && objectEnd(s, i, end) > 0) {
    // An object or array; a bare string that merely starts with a bracket (`a={`, `a=[]#`) is read below.
    const q = objectEnd(s, i, end)
    value = s.slice(v, q + 1)
    i = q + 1
  } else {
    for (; i < end; i++) {
      const b = s.charCodeAt(i)
      if (b === 32) break
      if (b < 32 || b === 34 || b === 61 || b === 92 || (b >= 0x7f && b <= 0x9f)) return fail(i)
    }
    if (i === v) return fail(i)
    value = s.slice(v, i)
  }
  if (i !== end && s.charCodeAt(i) !== 32) return fail(i)
  TOK.key = key
  TOK.value = value
  TOK.scanned = i
  return i
}

/** Index of the quote closing the JSON string opening at `at`, or -1. */
function stringEnd (s: string, at: number, end: number): number {
  for (let i = at + 1; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 92) i++
    else if (c === 34) return i
  }
  return -1
}

/** jsonEnd, when the object ends the token (a blank or the end follows). */
function objectEnd (s: string, at: number, end: number): number {
  const q = jsonEnd(s, at, end)
  return q > 0 && (q + 1 === end || s.charCodeAt(q + 1) === 32) ? q : -1
}

/** Index of the bracket closing the JSON object or array opening at `at`, or -1. */
function jsonEnd (s: string, at: number, end: number): number {
  let depth = 0
  for (let i = at; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 34) {
      i = stringEnd(s, i, end)
      if (i < 0) return -1
    } else if (c === 123 || c === 91) depth++
    else if (c === 125 || c === 93) {
      if (--depth === 0) return i
    } else if (c === 32 && depth > 0) {
      // Compact JSON has no blanks outside strings.
      return -1
    }
  }
  return -1
}

function unquote (q: string): string {
  if (q.indexOf('\\') < 0) return q.slice(1, -1)
  try {
    const v = JSON.parse(q) as unknown
    return typeof v === 'string' ? v : q
  } catch {
    return q.slice(1, -1)
  }
}

// ---- JSON layout ------------------------------------------------------------

const HEAD_LEVEL = '","level":"'

function parseJson (line: string, file: string): ReadRecord | null {
  // The fixed head, scanned by hand: {"time":"2026-11-21T05:18:00.123Z","level":"info","name":"x","pid":1,"thread":"main",
  if (line.startsWith('{"time":"') && line.charCodeAt(32) === 90 /* Z */ && line.startsWith(HEAD_LEVEL, 33)) {
    const time = dateTime(line, 9)
    const lvEnd = line.indexOf('"', 44)
    const level = lvEnd < 0 ? undefined : JSON_LEVELS[line.slice(44, lvEnd)]
    if (!Number.isNaN(time) && level !== undefined && line.startsWith(',"name":"', lvEnd + 1)) {
      const nq = stringEnd(line, lvEnd + 8, line.length)
      if (nq > 0 && line.startsWith(',"pid":', nq + 1)) {
        let i = nq + 8
        let pid = 0
        const p0 = i
        for (let d = line.charCodeAt(i) - 48; d >= 0 && d <= 9 && i - p0 < 10; d = line.charCodeAt(++i) - 48) pid = pid * 10 + d
        if (i > p0 && line.startsWith(',"thread":"', i)) {
          const tq = stringEnd(line, i + 10, line.length)
          if (tq > 0 && line.charCodeAt(line.length - 1) === 125) {
            return new JsonRecord(line, file, time, level, unquote(line.slice(lvEnd + 8, nq + 1)), pid, unquote(line.slice(i + 10, tq + 1)), undefined)
          }
        }
      }
    }
  }
  // Anything else that is JSON with the common keys (another key order, a hand-edited line).
  let obj: unknown
  try {
    obj = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return null
  const o = obj as Record<string, unknown>
  const time = typeof o.time === 'string' ? Date.parse(o.time) : typeof o.time === 'number' ? o.time : NaN
  const level = typeof o.level === 'string' ? JSON_LEVELS[o.level.toLowerCase()] : undefined
  // A time outside the Date range (1e300) is not a record: every reader formats times.
  if (!(Math.abs(time) <= MAX_TIME) || level === undefined) return null
  return new JsonRecord(line, file, time, level, typeof o.name === 'string' ? o.name : '',
    typeof o.pid === 'number' && Number.isInteger(o.pid) ? o.pid : 0, typeof o.thread === 'string' ? o.thread : '', o)
}

const COMMON = new Set(['time', 'level', 'name', 'pid', 'thread', 'msg', 'event'])

class JsonRecord implements ReadRecord {
  readonly format = 'json' as const
  private body: { msg: string, fields: Record<string, string>, event: string | undefined } | undefined

  constructor (
    readonly line: string,
    readonly file: string,
    readonly time: number,
    readonly level: LevelName,
    readonly name: string,
    readonly pid: number,
    readonly thread: string,
    private obj: Record<string, unknown> | undefined
  ) {}

  private parsed (): { msg: string, fields: Record<string, string>, event: string | undefined } {
    if (this.body === undefined) {
      let o = this.obj
      if (o === undefined) {
        try {
          o = JSON.parse(this.line) as Record<string, unknown>
        } catch {
          o = {}
        }
      }
      this.obj = undefined
      const fields: Record<string, string> = Object.create(null) as Record<string, string>
      for (const k of Object.keys(o)) {
        if (COMMON.has(k)) continue
        const v = o[k]
        if (k === 'err' && typeof v === 'object' && v !== null && !Array.isArray(v)) flattenError('err', v as Record<string, unknown>, fields, 0)
        else fields[k] = valueString(v)
      }
      this.body = { msg: typeof o.msg === 'string' ? o.msg : o.msg === undefined ? '' : valueString(o.msg), fields, event: typeof o.event === 'string' ? o.event : undefined }
    }
    return this.body
  }

  get msg (): string { return this.parsed().msg }
  get fields (): Readonly<Record<string, string>> { return this.parsed().fields }
  get event (): string | undefined {
    if (this.body === undefined && this.obj === undefined && this.line.indexOf('"event":"') < 0) return undefined
    return this.parsed().event
  }
}

function valueString (v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)
}

/** JSON's `err` object as the text layout spells it (err.type, err.code, err.cause.type, ...), so readers see one set of names. */
function flattenError (prefix: string, e: Record<string, unknown>, out: Record<string, string>, depth: number): void {
  for (const k of Object.keys(e)) {
    const v = e[k]
    if ((k === 'cause' || k === 'errors') && depth < 8 && typeof v === 'object' && v !== null) {
      if (Array.isArray(v)) v.forEach((x, i) => { nested(`${prefix}.${k}.${i}`, x, out, depth) })
      else nested(`${prefix}.${k}`, v, out, depth)
    } else {
      out[`${prefix}.${k}`] = valueString(v)
    }
  }
}

function nested (prefix: string, v: unknown, out: Record<string, string>, depth: number): void {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) flattenError(prefix, v as Record<string, unknown>, out, depth + 1)
  else out[prefix] = valueString(v)
}
