// What the log tools print comes from log files, and a log file may hold
// anything (a foreign writer, an old version, a hand edit): ESC, BEL and the
// C1 CSI (U+009B) would reach the terminal and set its title, clear it, or
// write the clipboard (OSC 52). Every C0/C1 control, DEL and the line
// separators are written as \uXXXX (\t, \r as themselves escaped), on a
// terminal or not: output piped to a file is read on a terminal later.
// A hand-written scan: input is untrusted and may be megabytes.

function unsafe (c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029
}

function escaped (c: number): string {
  return c === 9 ? '\\t' : c === 13 ? '\\r' : c === 10 ? '\\n' : '\\u' + c.toString(16).padStart(4, '0')
}

/** `s` with every control escaped; `keepNewlines` leaves \n (text made of several lines). */
export function terminalSafe (s: string, keepNewlines = false): string {
  let out = ''
  let from = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (!unsafe(c) || (keepNewlines && c === 10)) continue
    out += s.slice(from, i) + escaped(c)
    from = i + 1
  }
  return from === 0 ? s : out + s.slice(from)
}

/** What terminalSafe(s, true) would escape: one character class, a linear test. */
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/

/** JSON text as JSON.stringify wrote it, with the controls it leaves raw (DEL, C1, U+2028/9) escaped: still valid JSON. */
export function jsonSafe (json: string): string {
  // A summary's JSON is megabytes and most hold none: the native test, then the scan only when needed.
  return UNSAFE_BUT_NEWLINE.test(json) ? terminalSafe(json, true) : json
}
