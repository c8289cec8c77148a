// The line invariants every output file must keep, whatever was logged:
// one parseable line per record, in the layout's shape, within log_max_line.

const TEXT_LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}[+-]\d{4} \(\d+\/[^()\s]+\) ([A-Za-z0-9_.-]+) (CRITICAL|ERROR|WARNING|INFO|DEBUG|TRACE) - /
// Raw control characters, DEL, C1, U+2028/9: the text layout escapes them all (docs/formats.md).
const TEXT_RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const JSON_RAW_SEPARATOR = /[\u2028\u2029]/

export interface ParsedLine {
  readonly name: string
  readonly level: string
  readonly line: string
}

/** Splits a log file into lines, checking each; throws with the offending line. */
export function checkLines (content: string, format: 'text' | 'json', maxLine: number): ParsedLine[] {
  if (content !== '' && !content.endsWith('\n')) throw new Error(`output does not end with a newline: ${tail(content)}`)
  const lines = content === '' ? [] : content.slice(0, -1).split('\n')
  return lines.map((line, i) => {
    const bytes = Buffer.byteLength(line) + 1
    if (bytes > maxLine) throw new Error(`line ${i + 1} is ${bytes} bytes, over log_max_line ${maxLine}: ${tail(line)}`)
    return format === 'text' ? textLine(line, i) : jsonLine(line, i)
  })
}

function textLine (line: string, i: number): ParsedLine {
  const m = TEXT_LINE.exec(line)
  if (m === null) throw new Error(`line ${i + 1} is not in the text layout: ${tail(line)}`)
  const raw = TEXT_RAW_CONTROL.exec(line)
  if (raw !== null) throw new Error(`line ${i + 1} holds a raw control character U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${tail(line)}`)
  return { name: m[1] as string, level: (m[2] as string).toLowerCase(), line }
}

function jsonLine (line: string, i: number): ParsedLine {
  let obj: unknown
  try {
    obj = JSON.parse(line)
  } catch (err) {
    throw new Error(`line ${i + 1} is not JSON (${(err as Error).message}): ${tail(line)}`)
  }
  const dup = duplicateKey(line)
  if (dup !== undefined) throw new Error(`line ${i + 1} has the key ${JSON.stringify(dup)} twice: ${tail(line)}`)
  if (JSON_RAW_SEPARATOR.test(line)) throw new Error(`line ${i + 1} holds a raw U+2028/U+2029: ${tail(line)}`)
  const rec = obj as Record<string, unknown>
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) throw new Error(`line ${i + 1} is not a JSON object`)
  for (const k of ['time', 'level', 'name', 'msg']) {
    if (typeof rec[k] !== 'string') throw new Error(`line ${i + 1} has no string "${k}": ${tail(line)}`)
  }
  return { name: rec.name as string, level: rec.level as string, line }
}

/** The first key that occurs twice in one object of a valid JSON text, if any. */
export function duplicateKey (json: string): string | undefined {
  let i = 0
  let found: string | undefined
  const ws = (): void => { while (i < json.length && ' \t\r\n'.includes(json[i] as string)) i++ }
  const str = (): string => {
    const start = i++
    while (json[i] !== '"') i += json[i] === '\\' ? 2 : 1
    i++
    return JSON.parse(json.slice(start, i)) as string
  }
  const value = (): void => {
    ws()
    const c = json[i]
    if (c === '{') {
      i++
      const keys = new Set<string>()
      ws()
      if (json[i] === '}') { i++; return }
      for (;;) {
        ws()
        const k = str()
        if (keys.has(k) && found === undefined) found = k
        keys.add(k)
        ws(); i++ // ':'
        value()
        ws()
        if (json[i++] === '}') return
      }
    } else if (c === '[') {
      i++
      ws()
      if (json[i] === ']') { i++; return }
      for (;;) {
        value()
        ws()
        if (json[i++] === ']') return
      }
    } else if (c === '"') {
      str()
    } else {
      while (i < json.length && !',]} \t\r\n'.includes(json[i] as string)) i++
    }
  }
  value()
  return found
}

function tail (s: string): string {
  return JSON.stringify(s.length > 400 ? s.slice(0, 200) + ' … ' + s.slice(-200) : s)
}
