// The agent config file format, as the Python agent's configparser reads it:
// `[section]`, `key = value` (or `key: value`), whole-line `;`/`#` comments.
// A `;` or `#` after whitespace starts an inline comment, after a value or
// after a header; a `#` with no space before it stays part of the value, so
// paths like `/var/log/a#b` survive.
//
// A hand-written scanner, not regular expressions: the file is operator
// input, and each line is looked at a constant number of times, so parsing
// is linear in the file's size whatever its lines look like.

export interface IniEntry {
  readonly key: string
  readonly value: string
  readonly line: number
}

export interface IniSyntaxProblem {
  readonly line: number
  readonly text: string
  readonly reason: string
  /** For a continuation line (indented deeper than the setting above it): that setting's key. */
  readonly continues?: string
}

/** A key set more than once in one section: the last one wins. */
export interface IniDuplicate {
  readonly section: string
  readonly key: string
  /** The line that set it first. */
  readonly first: number
  /** The line that wins. */
  readonly line: number
}

export interface IniDocument {
  /** Section name → entries in file order (a repeated key: the last one wins). */
  readonly sections: ReadonlyMap<string, readonly IniEntry[]>
  readonly problems: readonly IniSyntaxProblem[]
  readonly duplicates: readonly IniDuplicate[]
}

/** Where following settings go: a section, nowhere yet, or nowhere because the header was bad. */
type Target = { readonly name: string, readonly entries: IniEntry[], readonly lines: Map<string, number> } | 'none' | { readonly badHeader: number }

export function parseIni (text: string): IniDocument {
  const sections = new Map<string, IniEntry[]>()
  const lineOf = new Map<string, Map<string, number>>()
  const problems: IniSyntaxProblem[] = []
  const duplicates: IniDuplicate[] = []
  let target: Target = 'none'
  // The setting a deeper-indented line continues, as configparser reads it (the Python agent's format).
  let last: { key: string, indent: number } | undefined
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n')
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    let raw = lines[i] ?? ''
    if (raw.endsWith('\r')) raw = raw.slice(0, -1)
    const line = raw.trim()
    if (line === '' || line[0] === ';' || line[0] === '#') continue
    const indent = indentOf(raw)
    if (last !== undefined && indent > last.indent) {
      // A multi-line value: not supported, and the line is not read as a setting of its own.
      problems.push({ line: lineNo, text: raw, reason: `continuation line of ${last.key.length > 40 ? 'the setting above it' : last.key} (indented below it): multi-line values are not supported`, continues: last.key })
      continue
    }
    if (line[0] === '[') {
      last = undefined
      const header = parseHeader(line)
      if (typeof header === 'string') {
        let entries = sections.get(header)
        let seen = lineOf.get(header)
        if (entries === undefined || seen === undefined) {
          entries = []
          seen = new Map()
          sections.set(header, entries)
          lineOf.set(header, seen)
        }
        target = { name: header, entries, lines: seen }
      } else {
        problems.push({ line: lineNo, text: raw, reason: `${header.reason}; the settings under it are ignored` })
        target = { badHeader: lineNo }
      }
      continue
    }
    const entry = parseEntry(line)
    if (entry === undefined) {
      problems.push({ line: lineNo, text: raw, reason: 'not a "key = value" line or a [section] header' })
      continue
    }
    last = { key: entry.key, indent }
    if (target === 'none') {
      problems.push({ line: lineNo, text: raw, reason: 'setting before any [section] header' })
      continue
    }
    if ('badHeader' in target) {
      problems.push({ line: lineNo, text: raw, reason: `setting under the malformed section header on line ${target.badHeader}` })
      continue
    }
    const first = target.lines.get(entry.key)
    if (first !== undefined) duplicates.push({ section: target.name, key: entry.key, first, line: lineNo })
    else target.lines.set(entry.key, lineNo)
    target.entries.push({ key: entry.key, value: entry.value, line: lineNo })
  }
  return { sections, problems, duplicates }
}

function indentOf (raw: string): number {
  let i = 0
  while (i < raw.length && isSpace(raw.charCodeAt(i))) i++
  return i
}

/** `[name]`, optionally followed by an inline comment; the name lower-cased. */
function parseHeader (line: string): string | { reason: string } {
  const close = line.indexOf(']')
  if (close === -1) return { reason: 'a [section] header without its closing "]"' }
  const rest = line.slice(close + 1).trimStart()
  if (rest !== '' && rest[0] !== ';' && rest[0] !== '#') return { reason: 'text after a [section] header' }
  const name = line.slice(1, close).trim().toLowerCase()
  if (name === '' || name.includes('[')) return { reason: 'a [section] header without a valid name' }
  return name
}

/** `key = value` or `key: value`: the first `=` or `:` separates. */
function parseEntry (line: string): { key: string, value: string } | undefined {
  let sep = -1
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c === 61 /* = */ || c === 58 /* : */) {
      sep = i
      break
    }
  }
  if (sep <= 0) return undefined
  const key = line.slice(0, sep).trim().toLowerCase()
  if (key === '') return undefined
  return { key, value: unquote(stripInlineComment(line.slice(sep + 1)).trim()) }
}

/** Cuts at the first `;` or `#` that follows whitespace. */
function stripInlineComment (value: string): string {
  for (let i = 1; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if ((c === 59 /* ; */ || c === 35 /* # */) && isSpace(value.charCodeAt(i - 1))) return value.slice(0, i)
  }
  return value
}

function isSpace (c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 13 || c === 0xa0 || c === 0xfeff
}

function unquote (value: string): string {
  if (value.length >= 2) {
    const first = value[0]
    if ((first === '"' || first === "'") && value[value.length - 1] === first) return value.slice(1, -1)
  }
  return value
}
