// The level vocabulary: Python logging's numbers (scaled like pino's) and the
// names operators type into `log_level`.

export const LEVELS = {
  critical: 60,
  error: 50,
  warning: 40,
  info: 30,
  debug: 20,
  trace: 10
} as const

export type LevelName = keyof typeof LEVELS
export type LevelValue = (typeof LEVELS)[LevelName]
/** What `log_level` accepts: a level, or `off` to write nothing. */
export type LevelSetting = LevelName | 'off'

/** A threshold above every level: nothing passes it. */
export const OFF = Infinity

export const LEVEL_NAMES: readonly LevelName[] = ['critical', 'error', 'warning', 'info', 'debug', 'trace']

const ALIASES: Readonly<Record<string, LevelSetting>> = {
  warn: 'warning',
  fatal: 'critical',
  err: 'error',
  verbose: 'trace',
  none: 'off'
}

/** The accepted spellings, for warnings that tell the operator what to write. */
export const ACCEPTED_LEVELS = 'critical, error, warning, info, debug, trace, off (aliases: fatal, err, warn, verbose, none)'

/** Case-insensitive name or alias to a setting; `undefined` when unknown. */
export function parseLevel (input: unknown): LevelSetting | undefined {
  if (typeof input !== 'string') return undefined
  const name = input.trim().toLowerCase()
  if (name === 'off') return 'off'
  if (Object.hasOwn(LEVELS, name)) return name as LevelName
  return Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined
}

/** The numeric threshold a setting lets through (`off` lets nothing through). */
export function thresholdOf (setting: LevelSetting): number {
  return setting === 'off' ? OFF : LEVELS[setting]
}

/** Upper-case names for the text layout, as Python's `%(levelname)s` prints them. */
export const TEXT_NAMES: Readonly<Record<number, string>> = {
  60: 'CRITICAL',
  50: 'ERROR',
  40: 'WARNING',
  30: 'INFO',
  20: 'DEBUG',
  10: 'TRACE'
}

export const NAME_OF: Readonly<Record<number, LevelName>> = {
  60: 'critical',
  50: 'error',
  40: 'warning',
  30: 'info',
  20: 'debug',
  10: 'trace'
}
