// Every config key the logger knows: its default, what it accepts and what it
// is for. `agent.config.example`, the README table and `doctor` follow this list.

import os from 'node:os'
import path from 'node:path'
import type { LevelSetting } from '../record/levels'
import {
  parseBoolean, parseCount, parseShipFields, parseShipList, parseDuration, parseFormat, parseHost, parseProxy, parseRotate, parseLevelValue, parseNameList, parseNamespaceLevels, parseSize, parseString,
  type LogFormat, type Parsed, type RotatePeriod
} from './values'

export interface LogSettings {
  /** `stderr`, `stdout`, or an absolute path (relative ones are resolved at load). */
  readonly log_file: string
  readonly log_level: LevelSetting
  readonly log_format: LogFormat
  readonly log_levels: Readonly<Record<string, LevelSetting>>
  readonly log_redact: readonly string[]
  readonly log_max_line: number
  readonly log_buffer_max: number
  /** Rotate when the file would pass this many bytes; 0 = no size limit. */
  readonly log_max_size: number
  readonly log_rotate: RotatePeriod
  /** Rotated files kept; 0 = keep them all. */
  readonly log_max_files: number
  readonly log_compress: boolean
  /** Bytes of below-level records kept in memory for dumps before errors; 0 = off. */
  readonly log_flight_recorder: number
  /** Milliseconds of recorded context written before an error. */
  readonly log_flight_recorder_window: number
  /** Write to log_file even when the agent was given the host's logger (support sessions). */
  readonly log_ignore_host_logger: boolean
  /** Where debug sessions keep their control file, per-process state and output; '' = log_file's directory (see debug-dir.ts). */
  readonly log_debug_dir: string
  /** Where the agent's records are also shipped: syslog+udp|tcp|tls|unix://..., otlp+http(s)://..., or otlp. */
  readonly log_ship: readonly string[]
  readonly log_ship_level: LevelSetting
  /** Which record fields travel: all, or the named ones (the message always travels). */
  readonly log_ship_fields: 'all' | readonly string[]
  /** Bytes of records held per destination while it is slow or down. */
  readonly log_ship_queue: number
  /** OTLP headers, `name=value,...` (secret); OTEL_EXPORTER_OTLP_HEADERS is honoured too. */
  readonly log_ship_headers: string | undefined
  readonly license_key: string | undefined
  readonly app_name: string | undefined
  readonly host: string | undefined
  readonly proxy: string | undefined
}

export type SettingKey = keyof LogSettings

export interface KeySpec<K extends SettingKey> {
  readonly default: string
  readonly doc: string
  /** Secret values are masked wherever the config is shown. */
  readonly secret?: true
  /** A size in bytes, shown as 16KB rather than 16384. */
  readonly size?: true
  /** A duration in ms, shown as 30s rather than 30000. */
  readonly duration?: true
  parse (input: unknown, baseDir: string): Parsed<LogSettings[K]>
}

function parseLogFile (input: unknown, baseDir: string): Parsed<string> {
  const accepted = 'stderr, stdout, or a file path (relative paths are resolved against the config file\'s directory)'
  if (typeof input !== 'string') return { ok: false, accepted }
  const v = input.trim()
  const lower = v.toLowerCase()
  if (lower === 'stderr' || lower === 'stdout') return { ok: true, value: lower }
  if (v === '' || v.includes('\0')) return { ok: false, accepted }
  const expanded = v === '~' || v.startsWith('~/') ? path.join(os.homedir(), v.slice(1)) : v
  return { ok: true, value: path.resolve(baseDir, expanded) }
}

function parseDirectory (input: unknown, baseDir: string): Parsed<string> {
  const accepted = 'a directory path (relative paths are resolved against the config file\'s directory), or empty for the default'
  if (typeof input !== 'string') return { ok: false, accepted }
  const v = input.trim()
  if (v === '') return { ok: true, value: '' }
  if (v.includes('\0')) return { ok: false, accepted }
  const expanded = v === '~' || v.startsWith('~/') ? path.join(os.homedir(), v.slice(1)) : v
  return { ok: true, value: path.resolve(baseDir, expanded) }
}

const SPECS: { readonly [K in SettingKey]: KeySpec<K> } = {
  log_file: {
    default: 'stderr',
    doc: 'Where the agent log goes: stderr, stdout, or a file path. A relative path is resolved against the directory of the config file.',
    parse: parseLogFile
  },
  log_level: {
    default: 'info',
    doc: 'Lowest level written: critical, error, warning, info, debug, trace, or off. debug and trace are for support sessions, not for long-term use.',
    parse: parseLevelValue
  },
  log_format: {
    default: 'text',
    doc: 'text (the Python agent layout: time (pid/thread) name LEVEL - message) or json (one object per line).',
    parse: parseFormat
  },
  log_levels: {
    default: '',
    doc: 'Levels for parts of the agent, e.g. collector:debug,instrumentation.http:trace. Namespaces are relative to oneapm.',
    parse: parseNamespaceLevels
  },
  log_redact: {
    default: '',
    doc: 'Extra field names whose values are masked, comma-separated. Keys, tokens, passwords, secrets, authorization and cookies are always masked.',
    parse: parseNameList
  },
  log_max_line: {
    default: '16KB',
    doc: 'Longest record in bytes; a longer one is cut with a visible marker (and stays valid JSON in json format). 1KB to 1MB.',
    size: true,
    parse: (v) => parseSize(v, 1024, 1024 * 1024)
  },
  log_buffer_max: {
    default: '8MB',
    doc: 'Most bytes held for a slow or failing destination; past it records are dropped, counted and reported once the destination recovers. 64KB to 256MB.',
    size: true,
    parse: (v) => parseSize(v, 64 * 1024, 256 * 1024 * 1024)
  },
  log_max_size: {
    default: '100MB',
    doc: 'Rotate the log file when it would grow past this size; 0 means no size limit. 0, or 4KB and up.',
    size: true,
    parse: (v) => {
      const r = parseSize(v, 0)
      return r.ok && r.value > 0 && r.value < 4096 ? { ok: false, accepted: '0 (no limit), or a size of 4KB or more, such as 10MB' } : r
    }
  },
  log_rotate: {
    default: 'none',
    doc: 'Also rotate at each period boundary, in local time: none, hourly or daily.',
    parse: parseRotate
  },
  log_max_files: {
    default: '5',
    doc: 'How many rotated files to keep next to the log (the oldest are deleted); 0 keeps them all.',
    parse: (v) => parseCount(v, 0, 10000)
  },
  log_compress: {
    default: 'false',
    doc: 'Gzip rotated files (a .gz next to the log) once no process writes to them.',
    parse: parseBoolean
  },
  log_flight_recorder: {
    default: '1MB',
    doc: 'Memory for the flight recorder: records below log_level (debug and trace at info) are kept here, and the recent ones are written just before an error or critical record, at most once a minute. 0 turns it off; else 16KB to 64MB.',
    size: true,
    parse: (v) => {
      const r = parseSize(v, 0, 64 * 1024 * 1024)
      return r.ok && r.value > 0 && r.value < 16 * 1024 ? { ok: false, accepted: '0 (off), or a size from 16KB to 64MB, such as 1MB' } : r
    }
  },
  log_flight_recorder_window: {
    default: '30s',
    doc: 'How far back the flight recorder reaches when an error is written: 1s to 10m.',
    duration: true,
    parse: (v) => parseDuration(v, 1000, 600_000)
  },
  log_ignore_host_logger: {
    default: 'false',
    doc: 'When the agent was handed the host application\'s logger, ignore it and write to log_file anyway (for support sessions).',
    parse: parseBoolean
  },
  log_debug_dir: {
    default: '',
    doc: 'Where debug sessions keep their control file, per-process state files and per-process debug logs (oneapm-debug-<pid>.log). Empty: the directory of log_file; with stderr or stdout, the directory of the config file, else the current directory. A relative path is resolved against the config file\'s directory.',
    parse: parseDirectory
  },
  log_ship: {
    default: '',
    doc: 'Also ship the agent\'s records to the log pipeline: a comma-separated list of syslog+udp://host:514, syslog+tcp://host:601, syslog+tls://host:6514, syslog+unix:///dev/log, otlp+http://host:4318, otlp+https://host:4318, or otlp (the endpoint from OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT). Empty: no shipping.',
    parse: parseShipList
  },
  log_ship_level: {
    default: 'info',
    doc: 'The lowest level shipped (log_ship), whatever log_level is.',
    parse: parseLevelValue
  },
  log_ship_fields: {
    default: 'all',
    doc: 'Which record fields are shipped: all, or a comma-separated list of field names. The message, level, time, logger and pid always travel.',
    parse: parseShipFields
  },
  log_ship_queue: {
    default: '1MB',
    doc: 'Memory per shipping destination for records it has not taken yet (slow or down); past it records are dropped, counted and reported. 64KB to 64MB.',
    size: true,
    parse: (v) => parseSize(v, 64 * 1024, 64 * 1024 * 1024)
  },
  log_ship_headers: {
    default: '',
    doc: 'HTTP headers for OTLP destinations, name=value pairs separated by commas (as OTEL_EXPORTER_OTLP_HEADERS, which is honoured too). Secret: values are masked in every output.',
    secret: true,
    parse: parseString
  },
  license_key: {
    default: '',
    doc: 'The agent license key. Never written in full: the log shows its first 4 characters.',
    secret: true,
    parse: parseString
  },
  app_name: {
    default: '',
    doc: 'The application name shown in the startup line.',
    parse: parseString
  },
  host: {
    default: '',
    doc: 'The collector host the agent reports to: a host name or IP address with an optional port (collector.oneapm.com, 10.0.0.5:8443). A scheme is removed with a warning.',
    parse: parseHost
  },
  proxy: {
    default: '',
    doc: 'Proxy for collector traffic: an http:// or https:// URL (http://user:password@proxy:3128); the password is masked in every output.',
    parse: parseProxy
  }
}

/** Each key's spec; parse() never throws, whatever it is given. */
export const KEYS: { readonly [K in SettingKey]: KeySpec<K> } = Object.freeze(Object.fromEntries(
  Object.entries(SPECS).map(([key, spec]) => [key, Object.freeze({ ...spec, parse: guardParse(spec.parse as KeySpec<SettingKey>['parse']) })])
)) as unknown as { readonly [K in SettingKey]: KeySpec<K> }

function guardParse<T> (parse: (input: unknown, baseDir: string) => Parsed<T>): (input: unknown, baseDir: string) => Parsed<T> {
  return (input, baseDir) => {
    try {
      return parse(input, typeof baseDir === 'string' && baseDir !== '' && !baseDir.includes('\0') ? baseDir : currentDir())
    } catch {
      return { ok: false, accepted: 'a value of the documented type' }
    }
  }
}

function currentDir (): string {
  try {
    return process.cwd()
  } catch {
    return path.parse(__dirname).root
  }
}

export const SETTING_KEYS = Object.keys(KEYS) as SettingKey[]

/** The environment variable that overrides `key`: ONEAPM_LOG_LEVEL for log_level. */
export function envName (key: string): string {
  return typeof key === 'string' ? `ONEAPM_${key.toUpperCase()}` : 'ONEAPM_'
}

/** Env vars that steer loading rather than naming a key. */
export const META_ENV = new Set(['ONEAPM_CONFIG_FILE', 'ONEAPM_ENVIRONMENT'])
