// Turns the agent config file, ONEAPM_* environment variables and code
// overrides into typed settings. Nothing here throws for bad input: a bad
// value, a misspelt key or a missing file becomes a ConfigProblem, and the
// key falls back to its default, so the host app always starts.

import fs from 'node:fs'
import path from 'node:path'
import { parseIni, type IniEntry } from './ini'
import { KEYS, META_ENV, SETTING_KEYS, envName, type LogSettings, type SettingKey } from './keys'
import { editDistance } from './values'

export type Source =
  | { readonly kind: 'default' }
  | { readonly kind: 'file', readonly file: string, readonly section: string, readonly line: number }
  | { readonly kind: 'env', readonly name: string }
  | { readonly kind: 'code' }

export type ProblemCode =
  | 'CONFIG_FILE_MISSING'
  | 'CONFIG_FILE_UNREADABLE'
  | 'CONFIG_SYNTAX'
  | 'CONFIG_SECTION_MISSING'
  | 'CONFIG_INVALID_VALUE'
  | 'CONFIG_UNKNOWN_KEY'

export interface ConfigProblem {
  readonly code: ProblemCode
  readonly key: string
  /** What was given (secrets masked), or '' when nothing was. */
  readonly value: string
  readonly accepted: string
  /** What the logger does instead. */
  readonly used: string
  readonly source: Source
  /** One sentence for the log and for `doctor`. */
  readonly message: string
}

export interface LoadOptions {
  /** Config file path; else ONEAPM_CONFIG_FILE, else ./agent.config if present; false reads no file. */
  readonly file?: string | false
  /** Values set by code; they beat the environment and the file. */
  readonly overrides?: Readonly<Record<string, unknown>>
  /** The environment to read; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Where relative paths go when no config file names them; `process.cwd()` by default. */
  readonly cwd?: string
}

export interface Setting<K extends SettingKey> {
  readonly value: LogSettings[K]
  readonly source: Source
  /** The text that was given, before parsing (as the file or env spelt it). */
  readonly given: string
}

const BRAND = Symbol.for('oneapm-agent-log.config')

export interface AgentConfig {
  readonly [BRAND]: true
  readonly settings: LogSettings
  readonly entries: { readonly [K in SettingKey]: Setting<K> }
  /** Keys the logger does not know, kept for the rest of the agent. */
  readonly unknown: Readonly<Record<string, { readonly value: string, readonly source: Source }>>
  /** The config file read, as an absolute path, if any. */
  readonly file: string | undefined
  /** The `[oneapm:<name>]` section selected by ONEAPM_ENVIRONMENT, if any. */
  readonly environment: string | undefined
  readonly problems: readonly ConfigProblem[]
}

export function isAgentConfig (value: unknown): value is AgentConfig {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

interface Candidate { readonly input: unknown, readonly source: Source }

export function loadConfig (options: LoadOptions = {}): AgentConfig {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const problems: ConfigProblem[] = []
  const environment = nonEmpty(env.ONEAPM_ENVIRONMENT)

  const file = chooseFile(options.file, env, cwd, problems)
  const fromFile = file === undefined ? new Map<string, Candidate>() : readFile(file, environment, problems)

  const fromEnv = new Map<string, Candidate>()
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ONEAPM_') || META_ENV.has(name) || value === undefined) continue
    fromEnv.set(name.slice(7).toLowerCase(), { input: value, source: { kind: 'env', name } })
  }
  const fromCode = new Map<string, Candidate>()
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) fromCode.set(key.toLowerCase(), { input: value, source: { kind: 'code' } })
  }

  const entries: Record<string, Setting<SettingKey>> = {}
  const settings: Record<string, unknown> = {}
  for (const key of SETTING_KEYS) {
    const spec = KEYS[key]
    const chosen = fromCode.get(key) ?? fromEnv.get(key) ?? fromFile.get(key)
    const fallback = spec.parse(spec.default, cwd)
    if (!fallback.ok) throw new Error(`oneapm-agent-log: default for ${key} does not parse`)
    let value: unknown = fallback.value
    let source: Source = { kind: 'default' }
    let given = spec.default
    if (chosen !== undefined) {
      const baseDir = chosen.source.kind === 'file' ? path.dirname(chosen.source.file) : cwd
      const parsed = spec.parse(chosen.input, baseDir)
      given = show(chosen.input)
      if (parsed.ok) {
        value = parsed.value
        source = chosen.source
      } else {
        const shown = spec.secret === true ? '(secret)' : given
        problems.push({
          code: 'CONFIG_INVALID_VALUE',
          key,
          value: shown,
          accepted: parsed.accepted,
          used: spec.default === '' ? '(unset)' : spec.default,
          source: chosen.source,
          message: `${key} = ${JSON.stringify(shown)} (${describeSource(chosen.source)}) is not valid; accepted: ${parsed.accepted}; using ${spec.default === '' ? 'no value' : spec.default} instead`
        })
      }
    }
    settings[key] = value
    entries[key] = { value: value as never, source, given }
  }

  const unknown: Record<string, { value: string, source: Source }> = {}
  for (const layer of [fromFile, fromEnv, fromCode]) {
    for (const [key, { input, source }] of layer) {
      if (Object.hasOwn(KEYS, key)) continue
      unknown[key] = { value: show(input), source }
      const near = nearestKey(key)
      if (near !== undefined) {
        const shownKey = source.kind === 'env' ? source.name : key
        problems.push({
          code: 'CONFIG_UNKNOWN_KEY',
          key,
          // Not shown: a misspelt secret key (licence_key) holds a secret.
          value: '',
          accepted: `one of ${SETTING_KEYS.join(', ')}`,
          used: `nothing: ${shownKey} is ignored`,
          source,
          message: `unknown key ${shownKey} (${describeSource(source)}); did you mean ${source.kind === 'env' ? envName(near) : near}? It is ignored`
        })
      }
    }
  }

  return Object.freeze({
    [BRAND]: true as const,
    settings: Object.freeze(settings) as unknown as LogSettings,
    entries: Object.freeze(entries) as unknown as AgentConfig['entries'],
    unknown: Object.freeze(unknown),
    file,
    environment,
    problems: Object.freeze(problems)
  })
}

function chooseFile (explicit: string | false | undefined, env: LoadOptions['env'] & object, cwd: string, problems: ConfigProblem[]): string | undefined {
  if (explicit === false) return undefined
  const named = nonEmpty(explicit) ?? nonEmpty(env.ONEAPM_CONFIG_FILE)
  if (named === undefined) {
    const implicit = path.join(cwd, 'agent.config')
    return fs.existsSync(implicit) ? implicit : undefined
  }
  const abs = path.resolve(cwd, named)
  const source: Source = explicit !== undefined ? { kind: 'code' } : { kind: 'env', name: 'ONEAPM_CONFIG_FILE' }
  if (!fs.existsSync(abs)) {
    problems.push({
      code: 'CONFIG_FILE_MISSING',
      key: 'config_file',
      value: abs,
      accepted: 'a readable agent config file',
      used: 'environment variables and defaults',
      source,
      message: `config file ${abs} (${describeSource(source)}) does not exist; using environment variables and defaults`
    })
    return undefined
  }
  return abs
}

function readFile (file: string, environment: string | undefined, problems: ConfigProblem[]): Map<string, Candidate> {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error'
    problems.push({
      code: 'CONFIG_FILE_UNREADABLE',
      key: 'config_file',
      value: file,
      accepted: 'a readable agent config file',
      used: 'environment variables and defaults',
      source: { kind: 'default' },
      message: `config file ${file} cannot be read (${code}); using environment variables and defaults`
    })
    return new Map()
  }
  const doc = parseIni(text)
  for (const p of doc.problems) {
    problems.push({
      code: 'CONFIG_SYNTAX',
      key: '',
      value: p.text.trim(),
      accepted: '[section] headers and key = value lines',
      used: 'nothing: the line is ignored',
      source: { kind: 'file', file, section: '', line: p.line },
      message: `${file}:${p.line}: ${p.reason}; the line is ignored`
    })
  }
  const out = new Map<string, Candidate>()
  const take = (section: string, list: readonly IniEntry[] | undefined): void => {
    for (const e of list ?? []) out.set(e.key, { input: e.value, source: { kind: 'file', file, section, line: e.line } })
  }
  take('oneapm', doc.sections.get('oneapm'))
  if (environment !== undefined) {
    const name = `oneapm:${environment.toLowerCase()}`
    const section = doc.sections.get(name)
    if (section === undefined) {
      problems.push({
        code: 'CONFIG_SECTION_MISSING',
        key: 'ONEAPM_ENVIRONMENT',
        value: environment,
        accepted: `a section [${name}] in ${file}`,
        used: 'the [oneapm] section alone',
        source: { kind: 'env', name: 'ONEAPM_ENVIRONMENT' },
        message: `ONEAPM_ENVIRONMENT=${environment} but ${file} has no [${name}] section; using [oneapm] alone`
      })
    }
    take(name, section)
  }
  return out
}

function nearestKey (key: string): string | undefined {
  if (key.length < 4) return undefined
  let best: string | undefined
  let bestDistance = 3
  for (const known of SETTING_KEYS) {
    const d = editDistance(key, known)
    if (d < bestDistance) {
      best = known
      bestDistance = d
    }
  }
  return best
}

function nonEmpty (v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim()
}

function show (input: unknown): string {
  if (typeof input === 'string') return input
  try {
    return JSON.stringify(input) ?? String(input)
  } catch {
    return String(input)
  }
}

export function describeSource (source: Source): string {
  switch (source.kind) {
    case 'default': return 'default'
    case 'code': return 'code'
    case 'env': return `env ${source.name}`
    case 'file': return `${source.file}:${source.line} [${source.section}]`
  }
}
