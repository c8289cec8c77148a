// The agent config file format, as the Python agent's configparser reads it:
// `[section]`, `key = value` (or `key: value`), whole-line `;`/`#` comments.
// A ` ;` or ` #` after a value starts an inline comment; a `#` with no space
// before it stays part of the value, so paths like `/var/log/a#b` survive.

export interface IniEntry {
  readonly key: string
  readonly value: string
  readonly line: number
}

export interface IniSyntaxProblem {
  readonly line: number
  readonly text: string
  readonly reason: string
}

export interface IniDocument {
  /** Section name → entries in file order (a repeated key: the last one wins). */
  readonly sections: ReadonlyMap<string, readonly IniEntry[]>
  readonly problems: readonly IniSyntaxProblem[]
}

const SECTION = /^\[\s*([^\]]+?)\s*\]$/
const ENTRY = /^([^=:\s][^=:]*?)\s*[=:]\s?(.*)$/
const INLINE_COMMENT = /\s[;#].*$/

export function parseIni (text: string): IniDocument {
  const sections = new Map<string, IniEntry[]>()
  const problems: IniSyntaxProblem[] = []
  let current: IniEntry[] | undefined
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    const raw = lines[i] ?? ''
    const line = raw.trim()
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue
    const section = SECTION.exec(line)
    if (section !== null) {
      const name = (section[1] ?? '').toLowerCase()
      current = sections.get(name)
      if (current === undefined) {
        current = []
        sections.set(name, current)
      }
      continue
    }
    const entry = ENTRY.exec(line)
    if (entry === null) {
      problems.push({ line: lineNo, text: raw, reason: 'not a "key = value" line or a [section] header' })
      continue
    }
    if (current === undefined) {
      problems.push({ line: lineNo, text: raw, reason: 'setting before any [section] header' })
      continue
    }
    current.push({ key: (entry[1] ?? '').trim().toLowerCase(), value: unquote((entry[2] ?? '').replace(INLINE_COMMENT, '').trim()), line: lineNo })
  }
  return { sections, problems }
}

function unquote (value: string): string {
  if (value.length >= 2) {
    const first = value[0]
    if ((first === '"' || first === "'") && value[value.length - 1] === first) return value.slice(1, -1)
  }
  return value
}
