// Where a text-layout message ends in text a reader would take for fields.
// The fields follow the message as ` key=value`, and the reader
// (src/cli/logs/parse.ts, docs/support-tools.md) takes as fields the longest
// run of well-formed ` key=value` tokens reaching the end of the line. The
// writer finds that run in the message by the same grammar and escapes it,
// so a message can never be read back as fields or an event. A hand-written
// scan with a work budget: past it, the answer is "from the first blank",
// which escapes more than needed but stays linear.

/** Scan budget per character, as the reader's. */
const BUDGET = 4

function bareKeyChar (c: number): boolean {
  return c > 32 && c !== 34 && c !== 61 && c !== 92 && !(c >= 0x7f && c <= 0x9f)
}

function bareValueChar (c: number): boolean {
  return c >= 32 && c !== 34 && c !== 61 && c !== 92 && !(c >= 0x7f && c <= 0x9f)
}

/** Index of the quote closing the JSON string opening at `at`, or -1. */
function stringEnd (s: string, at: number): number {
  for (let i = at + 1; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 92) i++
    else if (c === 34) return i
  }
  return -1
}

/** Index of the bracket closing the compact JSON object or array at `at`, or -1. */
function jsonEnd (s: string, at: number): number {
  let depth = 0
  for (let i = at; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 34) {
      i = stringEnd(s, i)
      if (i < 0) return -1
    } else if (c === 123 || c === 91) depth++
    else if (c === 125 || c === 93) {
      if (--depth === 0) return i
    } else if (c === 32) return -1
  }
  return -1
}

/** The end of the ` key=value` token at blank `p` (a blank or s.length follows), or -1; `work` counts characters looked at. */
function token (s: string, p: number, work: { n: number }): number {
  let i = p + 1
  if (s.charCodeAt(i) === 34) {
    const q = stringEnd(s, i)
    work.n += (q < 0 ? s.length : q) - i
    if (q < 0) return -1
    i = q + 1
  } else {
    const k = i
    while (i < s.length && bareKeyChar(s.charCodeAt(i))) i++
    work.n += i - k
    if (i === k) return -1
  }
  if (s.charCodeAt(i) !== 61) return -1
  const v = ++i
  const c = s.charCodeAt(i)
  if (c === 34) {
    const q = stringEnd(s, i)
    work.n += (q < 0 ? s.length : q) - i
    if (q < 0) return -1
    i = q + 1
  } else {
    const q = c === 123 || c === 91 ? jsonEnd(s, i) : -1
    if (q > 0 && (q + 1 === s.length || s.charCodeAt(q + 1) === 32)) {
      work.n += q - i
      i = q + 1
    } else {
      work.n += q < 0 ? 0 : q - i
      while (i < s.length && s.charCodeAt(i) !== 32 && bareValueChar(s.charCodeAt(i))) i++
      work.n += i - v
      if (i === v) return -1
    }
  }
  return i === s.length || s.charCodeAt(i) === 32 ? i : -1
}

/**
 * Where the run of ` key=value` tokens that ends `s` starts (a blank's
 * index), or -1 when `s` does not end in one. The blank before the message
 * is not part of it: the reader starts at the message's first blank.
 */
export function trailingFieldRun (s: string): number {
  const work = { n: 0 }
  const budget = s.length * BUDGET + 64
  let runStart = -1
  let p = s.indexOf(' ')
  while (p >= 0) {
    const end = token(s, p, work)
    if (work.n > budget) return s.indexOf(' ')
    if (end >= 0) {
      if (runStart < 0) runStart = p
      if (end === s.length) return runStart
      p = end
      continue
    }
    runStart = -1
    p = s.indexOf(' ', p + 1)
  }
  return -1
}
