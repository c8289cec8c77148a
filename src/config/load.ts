// Turns the agent config file, ONEAPM_* environment variables and code
// overrides into typed settings. Nothing here throws for bad input: a bad
// value, a misspelt key or a missing file becomes a ConfigProblem, and the
// key falls back to its default, so the host app always starts.

import fs from 'node:fs'
import path from 'node:path'
import { escapeText, jsonString } from '../format/escape'
import { parseIni, type IniDocument, type IniEntry } from './ini'
import { KEYS, META_ENV, SETTING_KEYS, envName, type LogSettings, type SettingKey } from './keys'
import { maskKeyLike, GUESSED_MIN, LINE_SHOWN, SecretScrubber, cutWhole, looksSecret, maskProxy } from './secrets'
import { headerSecretForms } from './header-secrets'
import { credentialForms } from './credential-forms'
import { editDistance, type Parsed } from './values'
import { optionOf } from '../internal/describe'
import { kindOf, type PathKind } from '../sinks/log-path'

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
  | 'CONFIG_DUPLICATE_KEY'
  | 'CONFIG_FILE_ENCODING'
  | 'CONFIG_VALUE_ADJUSTED'

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
  try {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
  } catch {
    // A proxy that throws is not a config.
    return false
  }
}

interface Candidate { readonly input: unknown, readonly source: Source }

/** The largest config file read; a bigger one is not an agent config. */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** How much of a given value a problem quotes (after redaction). */
const SHOWN_CHARS = 200

export function loadConfig (options: LoadOptions = {}): AgentConfig {
  const opts = readOptions(options)
  const env = opts.env
  const cwd = opts.cwd
  const problems: Pending[] = []
  const scrubber = new SecretScrubber()
  const environment = nonEmpty(env.ONEAPM_ENVIRONMENT)

  const file = chooseFile(opts.file, env, cwd, problems)
  const fromFile = file === undefined ? new Map<string, Candidate>() : readFile(file, environment, problems, scrubber)

  const fromEnv = new Map<string, Candidate>()
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ONEAPM_') || META_ENV.has(name) || typeof value !== 'string') continue
    fromEnv.set(name.slice(7).toLowerCase(), { input: value, source: { kind: 'env', name } })
  }
  const fromCode = new Map<string, Candidate>()
  for (const [key, value] of opts.overrides) {
    if (value !== undefined) fromCode.set(key.toLowerCase(), { input: value, source: { kind: 'code' } })
  }
  for (const layer of [fromFile, fromEnv, fromCode]) {
    for (const [key, { input }] of layer) noteSecrets(scrubber, key, input)
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
      const parsed = safeParse(spec.parse as (input: unknown, baseDir: string) => Parsed<unknown>, chosen.input, baseDir)
      given = show(chosen.input)
      // Quoted in full here; redacted, then cut, once every secret is known.
      const shown = spec.secret === true ? '(secret)' : key === 'proxy' || key === 'host' ? maskProxy(given) : given
      if (parsed.ok) {
        value = parsed.value
        source = chosen.source
        if (parsed.note !== undefined) {
          const used = show(parsed.value)
          problems.push({
            code: 'CONFIG_VALUE_ADJUSTED',
            key,
            value: shown,
            accepted: parsed.note,
            used,
            source: chosen.source,
            message: `${key} = ${VALUE} (${describeSource(chosen.source)}): ${parsed.note}; using ${used}`
          })
        }
      } else {
        problems.push({
          code: 'CONFIG_INVALID_VALUE',
          key,
          value: shown,
          accepted: parsed.accepted,
          used: spec.default === '' ? '(unset)' : spec.default,
          source: chosen.source,
          message: `${key} = ${VALUE} (${describeSource(chosen.source)}) is not valid; accepted: ${parsed.accepted}; using ${spec.default === '' ? 'no value' : spec.default} instead`
        })
      }
    }
    settings[key] = value
    entries[key] = { value: value as never, source, given }
  }
  scrubber.useLicenseKey(settings.license_key as string | undefined)

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

  const frozen = Object.freeze(settings) as unknown as LogSettings
  KNOWN_SECRETS.set(frozen, Object.freeze(scrubber.secrets()))
  return Object.freeze({
    [BRAND]: true as const,
    settings: frozen,
    entries: Object.freeze(entries) as unknown as AgentConfig['entries'],
    unknown: Object.freeze(unknown),
    file,
    environment,
    problems: Object.freeze(problems.map((p) => finish(p, scrubber)))
  })
}

/**
 * Every secret value a config was given (file, environment, code; a license
 * key overridden by an empty one included), by the settings object
 * loadConfig() returned: the logger's Redactor masks them all.
 */
const KNOWN_SECRETS = new WeakMap<object, readonly string[]>()

/** The secrets known to the config these settings came from (lower-cased forms), or none. */
export function knownSecrets (settings: unknown): readonly string[] {
  return typeof settings === 'object' && settings !== null ? KNOWN_SECRETS.get(settings) ?? [] : []
}

/** Where a problem's message quotes its value (the value is redacted and cut on its own). */
const VALUE = '\u0000value\u0000'
/** Where a message names its key (keys can be long; they are cut like values). */
const KEY = '\u0000key\u0000'

/** A problem as built: `value` not yet redacted; `line` when it is a config line that failed to parse. */
type Pending = ConfigProblem & { readonly line?: { readonly continues: string | undefined } }

/** One redaction for everything a problem shows, once every secret is known; then the cut. */
function finish (p: Pending, scrubber: SecretScrubber): ConfigProblem {
  // A rejected value may be a secret given to the wrong key: what looks like a key or token is masked.
  const shown = p.code === 'CONFIG_INVALID_VALUE' ? maskKeyLike(scrubber.text(p.value)) : scrubber.text(p.value)
  const value = p.line !== undefined ? scrubber.line(p.value, LINE_SHOWN, p.line.continues) : cutWhole(shown, SHOWN_CHARS)
  const key = cutWhole(scrubber.text(p.key), SHOWN_CHARS)
  return Object.freeze({
    code: p.code,
    key,
    value,
    accepted: scrubber.text(p.accepted),
    used: scrubber.text(p.used),
    source: p.source,
    // One line whatever the value, key or file name holds: doctor prints messages as they are.
    message: escapeText(scrubber.text(p.message).split(VALUE).join(jsonString(value)).split(KEY).join(key))
  })
}

interface ReadOptions {
  readonly file: string | false | undefined
  readonly env: Readonly<Record<string, string | undefined>>
  readonly overrides: ReadonlyArray<readonly [string, unknown]>
  readonly cwd: string
}

/** The options as plain data: anything unusable (a throwing getter, a wrong type) counts as not given. */
function readOptions (options: unknown): ReadOptions {
  const get = (name: string): unknown => optionOf(options, name)
  const file = get('file')
  const cwdOption = get('cwd')
  let cwd = typeof cwdOption === 'string' && cwdOption !== '' && !cwdOption.includes('\0') ? cwdOption : undefined
  if (cwd === undefined) {
    try {
      cwd = process.cwd()
    } catch {
      // The working directory was deleted.
      cwd = path.parse(__dirname).root
    }
  }
  const envOption = get('env')
  return {
    file: file === false || typeof file === 'string' ? file : undefined,
    env: plainStrings(envOption === undefined ? process.env : envOption),
    overrides: plainEntries(get('overrides')),
    cwd: path.resolve(cwd)
  }
}

function plainEntries (value: unknown): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = []
  if (typeof value !== 'object' || value === null) return out
  let keys: string[]
  try {
    keys = Object.keys(value)
  } catch {
    return out
  }
  for (const k of keys) {
    try {
      out.push([k, (value as Record<string, unknown>)[k]])
    } catch {
      // A getter that throws is a value not given.
    }
  }
  return out
}

function plainStrings (value: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  for (const [k, v] of plainEntries(value)) if (typeof v === 'string') out[k] = v
  return out
}

function safeParse (parse: (input: unknown, baseDir: string) => Parsed<unknown>, input: unknown, baseDir: string): Parsed<unknown> {
  try {
    return parse(input, baseDir)
  } catch {
    return { ok: false, accepted: 'a value of the documented type' }
  }
}

/** Registers what a candidate value would reveal: a secret key's value, a URL password. */
function noteSecrets (scrubber: SecretScrubber, key: string, input: unknown): void {
  const text = show(input)
  if ((KEYS as Record<string, { secret?: true }>)[key]?.secret === true) {
    scrubber.add(text)
    if (Array.isArray(input)) for (const item of input) if (typeof item === 'string') scrubber.add(item)
  } else if (!Object.hasOwn(KEYS, key) && looksSecret(key)) {
    // A guess from the name: short values (true, 1234) would mask ordinary words.
    scrubber.add(text, GUESSED_MIN)
  }
  if (key === 'proxy' || key === 'host') {
    scrubber.addProxy(text)
    // The password as it travels (Proxy-Authorization: Basic, %-encoded): known to every output's redaction, not only doctor's.
    // A form written in the URL as typed (user:password) holds the password, already known: the user name stays readable.
    for (const form of credentialForms(text)) if (!text.includes(form) && !text.includes(decodedOrSelf(form))) scrubber.add(form)
  } else {
    scrubber.addUrl(text)
  }
  if (key === 'log_ship_headers') for (const value of headerValues(text)) scrubber.add(value)
  if (key === 'log_ship') for (const item of text.split(/[\s,]+/)) scrubber.addUrl(item)
}

function decodedOrSelf (s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** The values of `name=value,name2=value2` (OTLP headers), each with its credential parts: each one a secret of its own. */
export function headerValues (text: string): string[] {
  return text.split(',').flatMap((pair) => {
    const at = pair.indexOf('=')
    return at === -1 ? [] : headerSecretForms(pair.slice(at + 1))
  })
}

function chooseFile (explicit: string | false | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string, problems: Pending[]): string | undefined {
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

function unreadable (file: string, why: string): ConfigProblem {
  return {
    code: 'CONFIG_FILE_UNREADABLE',
    key: 'config_file',
    value: file,
    accepted: `a readable agent config file: a regular file of at most ${MAX_CONFIG_BYTES / 1024 / 1024} MB, in UTF-8`,
    used: 'environment variables and defaults',
    source: { kind: 'default' },
    message: `config file ${file} cannot be read (${why}); using environment variables and defaults`
  }
}

function readFile (file: string, environment: string | undefined, problems: Pending[], scrubber: SecretScrubber): Map<string, Candidate> {
  const bytes = readConfigBytes(file)
  if (typeof bytes === 'string') {
    problems.push(unreadable(file, bytes))
    return new Map()
  }
  const decoded = decode(bytes)
  if (decoded.text === undefined) {
    problems.push(unreadable(file, 'it is not a text file: it holds NUL bytes'))
    return new Map()
  }
  if (decoded.encoding !== undefined) {
    problems.push({
      code: 'CONFIG_FILE_ENCODING',
      key: 'config_file',
      value: decoded.encoding,
      accepted: 'UTF-8',
      used: `the file, read as ${decoded.encoding}`,
      source: { kind: 'default' },
      message: `config file ${file} is ${decoded.encoding}, not UTF-8; it was read as ${decoded.encoding}, but save it as UTF-8 (other agents and tools may not read it)`
    })
  }
  const doc = parseIni(decoded.text)
  collectFileSecrets(doc, scrubber)
  for (const p of doc.problems) {
    problems.push({
      code: 'CONFIG_SYNTAX',
      line: { continues: p.continues },
      key: '',
      value: p.text,
      accepted: '[section] headers (an inline comment may follow) and key = value lines',
      used: 'nothing: the line is ignored',
      source: { kind: 'file', file, section: '', line: p.line },
      message: `${file}:${p.line}: ${p.reason}; the line is ignored`
    })
  }
  const used = new Set(['oneapm'])
  const out = new Map<string, Candidate>()
  const take = (section: string, list: readonly IniEntry[] | undefined): void => {
    for (const e of list ?? []) out.set(e.key, { input: e.value, source: { kind: 'file', file, section, line: e.line } })
  }
  take('oneapm', doc.sections.get('oneapm'))
  if (environment !== undefined) {
    const name = `oneapm:${environment.toLowerCase()}`
    used.add(name)
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
  for (const d of doc.duplicates) {
    if (!used.has(d.section)) continue
    problems.push({
      code: 'CONFIG_DUPLICATE_KEY',
      key: d.key,
      value: '',
      accepted: 'each key once per section',
      used: `the last one, line ${d.line}`,
      source: { kind: 'file', file, section: d.section, line: d.line },
      message: `${file}: ${KEY} is set more than once in [${d.section}] (lines ${d.first} and ${d.line}); the last one (line ${d.line}) is used`
    })
  }
  return out
}

/** Secrets anywhere in the file, whatever section they are in, and lines that look like `license_key ABCD...`. */
function collectFileSecrets (doc: IniDocument, scrubber: SecretScrubber): void {
  for (const list of doc.sections.values()) {
    for (const e of list) noteSecrets(scrubber, e.key, e.value)
  }
  for (const p of doc.problems) {
    const secret = SecretScrubber.secretOfLine(p.text, p.continues)
    if (secret !== undefined) scrubber.add(secret)
  }
}

/**
 * The file's bytes, or why not. Only a regular file of at most
 * MAX_CONFIG_BYTES is read: opening a FIFO with no writer blocks, and a
 * device can be endless, so the type is checked before opening, the open
 * does not block, and the type and size are checked again on the open file.
 */
function readConfigBytes (file: string): Buffer | string {
  let fd: number | undefined
  try {
    const before = fs.statSync(file)
    const refused = refuse(before)
    if (refused !== undefined) return refused
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0))
    const st = fs.fstatSync(fd)
    const refusedNow = refuse(st)
    if (refusedNow !== undefined) return refusedNow
    const buf = Buffer.alloc(Math.min(st.size, MAX_CONFIG_BYTES) + 1)
    let length = 0
    for (;;) {
      const n = fs.readSync(fd, buf, length, buf.length - length, null)
      if (n === 0) break
      length += n
      if (length === buf.length) {
        // It grew while we read it.
        if (length > MAX_CONFIG_BYTES) return tooBig(length)
        break
      }
    }
    return buf.subarray(0, length)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return e?.code ?? (e instanceof Error ? e.message : 'error')
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd)
      } catch {
        // Nothing to do.
      }
    }
  }
}

function refuse (st: fs.Stats): string | undefined {
  if (!st.isFile()) return `it is ${KIND_TEXT[kindOf(st)]}, not a regular file`
  if (st.size > MAX_CONFIG_BYTES) return tooBig(st.size)
  return undefined
}

function tooBig (size: number): string {
  return `it is ${size >= 1024 * 1024 ? `${(size / 1024 / 1024).toFixed(1)} MB` : `${size} bytes`}; the limit is ${MAX_CONFIG_BYTES / 1024 / 1024} MB`
}

const KIND_TEXT: Readonly<Record<PathKind, string>> = {
  file: 'a file',
  missing: 'missing',
  directory: 'a directory',
  fifo: 'a FIFO (named pipe)',
  'character device': 'a character device',
  'block device': 'a block device',
  socket: 'a socket',
  other: 'not a file'
}

/**
 * UTF-8 (with or without a BOM), or UTF-16 detected by its BOM or by the
 * NUL bytes ASCII text has in it (Windows editors save "Unicode" this way).
 * Other NULs mean a binary file: text undefined.
 */
function decode (buf: Buffer): { text: string | undefined, encoding?: string } {
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(buf.subarray(2)), encoding: 'UTF-16LE' }
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(buf.subarray(2)), encoding: 'UTF-16BE' }
  if (!buf.includes(0)) return { text: buf.toString('utf8') }
  // ASCII in UTF-16: every other byte is NUL, the odd ones (LE) or the even ones (BE).
  const sample = Math.min(buf.length, 4096) & ~1
  let evenNul = 0
  let oddNul = 0
  for (let i = 0; i < sample; i++) {
    if (buf[i] !== 0) continue
    if (i % 2 === 0) evenNul++
    else oddNul++
  }
  const half = sample / 2
  if (buf.length % 2 === 0 && oddNul >= half * 0.9 && evenNul === 0) return { text: new TextDecoder('utf-16le').decode(buf), encoding: 'UTF-16LE' }
  if (buf.length % 2 === 0 && evenNul >= half * 0.9 && oddNul === 0) return { text: new TextDecoder('utf-16be').decode(buf), encoding: 'UTF-16BE' }
  return { text: undefined }
}

const LONGEST_KEY = Math.max(...SETTING_KEYS.map((k) => k.length))

/**
 * The known key within two edits of `key`, for "did you mean". A key more
 * than two characters longer than every known key cannot be within two
 * edits, so it costs nothing, however long.
 */
function nearestKey (key: string): string | undefined {
  if (key.length < 4 || key.length > LONGEST_KEY + 2) return undefined
  let best: string | undefined
  let bestDistance = 3
  for (const known of SETTING_KEYS) {
    if (Math.abs(known.length - key.length) >= bestDistance) continue
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
    try {
      return String(input)
    } catch {
      return '(a value that cannot be shown)'
    }
  }
}

export function describeSource (source: Source): string {
  try {
    switch (source.kind) {
      case 'default': return 'default'
      case 'code': return 'code'
      case 'env': return `env ${show(source.name)}`
      case 'file': return `${show(source.file)}:${show(source.line)} [${show(source.section)}]`
    }
  } catch {
    // Not a Source.
  }
  return 'unknown'
}
