// The object agent code holds: `log.info(...)`. Each named logger
// (`oneapm.collector`) owns its level methods, swapped between the real
// method and a shared noop whenever its level changes, so a call at a
// disabled level costs one empty function call. A child with bound fields is
// a thin view (Object.create of the named logger): it inherits the methods,
// so level changes reach it for free, and carries only its own fields.

import { describeThrown, safeString } from '../internal/describe'
import { lastResort } from '../internal/last-resort'
import { noop } from '../internal/noop'
import { LEVELS, NAME_OF, parseLevel, thresholdOf, type LevelName, type LevelSetting, type LevelValue } from '../record/levels'
import type { LoggerStats } from '../diagnostics/stats'
import type { Output } from './output'
import type { Tree } from './tree'

export interface LogMethod {
  (msg: string, ...args: unknown[]): void
  (fields: object, msg?: string, ...args: unknown[]): void
  (err: Error, msg?: string, ...args: unknown[]): void
  (...args: unknown[]): void
}

/** @internal Per named logger: its place in the tree and its level. */
export interface NodeState {
  readonly name: string
  readonly parent: Logger | undefined
  readonly children: Map<string, Logger>
  ownLevel: LevelSetting | undefined
  /** Lowest level whose methods do something (the sink's, or debug's 20 while a debug mirror is on). */
  threshold: number
  /** Lowest level written to the log destination. */
  sinkThreshold: number
  /** Lowest level any extra sink (shipping, a debug session) takes from this logger; Infinity for none. */
  extraThreshold: number
  /** The `debug` instance this logger's records also go to, while its namespace is enabled. */
  mirror: ((fmt: string, ...args: unknown[]) => void) | undefined
  /** Over its flight-recorder budget: below-level calls only count (see `skipCall`) until the budget refills. */
  recorderPaused: boolean
  /** Line headers by level / 10, built for `headersFor`. */
  headers: string[]
  headersFor: Output | undefined
}

/** @internal */
export const kTree = Symbol('oneapm.tree')
/** @internal */
export const kNode = Symbol('oneapm.node')
const kFields = Symbol('oneapm.fields')
const kBound = Symbol('oneapm.bound')

const METHODS: ReadonlyArray<readonly [LevelName | 'warn', LevelValue]> = [
  ['critical', 60], ['error', 50], ['warning', 40], ['warn', 40], ['info', 30], ['debug', 20], ['trace', 10]
]

function makeMethod (level: LevelValue): LogMethod {
  return function log (this: Logger, ...args: unknown[]): void {
    try {
      this[kTree].emit(this, level, args)
    } catch (err) {
      lastResort(err, this instanceof Logger ? `${this.name}.${NAME_OF[level] ?? level}()` : 'a log method called without its logger')
    }
  }
}

const ENABLED: Readonly<Record<number, LogMethod>> = Object.fromEntries(
  [60, 50, 40, 30, 20, 10].map((level) => [level, makeMethod(level as LevelValue)])
)

/** A level below log_level while the flight recorder is on: keep the call, format nothing. */
function makeRecorder (level: LevelValue): LogMethod {
  return function record (this: Logger, ...args: unknown[]): void {
    try {
      this[kTree].record(this, level, args)
    } catch (err) {
      lastResort(err, 'the flight recorder')
    }
  }
}

const RECORDING: Readonly<Record<number, LogMethod>> = Object.fromEntries(
  [60, 50, 40, 30, 20, 10].map((level) => [level, makeRecorder(level as LevelValue)])
)

/**
 * A below-level call while its logger is over the flight recorder's budget:
 * counted, nothing else. No rest parameter, so the arguments are never
 * gathered: a flood of debug calls at info costs what a disabled call costs.
 */
function skipCall (this: Logger): void {
  try {
    const tree = this?.[kTree]
    if (tree !== undefined) tree.recorderSkipped++
  } catch {
    // A `this` that throws on property access (a Proxy): not a logger, nothing to count.
  }
}

export class Logger {
  declare readonly critical: LogMethod
  declare readonly error: LogMethod
  declare readonly warning: LogMethod
  /** Alias of warning. */
  declare readonly warn: LogMethod
  declare readonly info: LogMethod
  declare readonly debug: LogMethod
  declare readonly trace: LogMethod

  /** @internal */
  declare readonly [kTree]: Tree
  /** @internal */
  declare readonly [kNode]: NodeState
  /** @internal */
  declare [kFields]: Readonly<Record<string, unknown>> | undefined
  /** @internal */
  declare [kBound]: { output: Output | undefined, text: string }

  /** @internal Use createLogger(), getLogger() or child(). */
  constructor (tree: Tree, name: string, parent: Logger | undefined) {
    Object.defineProperty(this, kTree, { value: tree })
    Object.defineProperty(this, kNode, {
      value: { name, parent, children: new Map(), ownLevel: undefined, threshold: LEVELS.info, sinkThreshold: LEVELS.info, extraThreshold: Infinity, mirror: undefined, recorderPaused: false, headers: [], headersFor: undefined }
    })
    this[kFields] = undefined
    this[kBound] = { output: undefined, text: '' }
  }

  /** The dotted name: `oneapm`, `oneapm.collector`, ... */
  get name (): string {
    return this[kNode].name
  }

  /** The level this logger writes at: its own, else its parent's. */
  get level (): LevelSetting {
    const t = this[kNode].sinkThreshold
    return Number.isFinite(t) ? NAME_OF[t] as LevelName : 'off'
  }

  /** Whether a call at `level` would be written. Unknown names are false. */
  isLevelEnabled (level: string | number): boolean {
    const value = typeof level === 'number' ? level : parseLevel(level)
    if (value === undefined || value === 'off' || Number.isNaN(value)) return false
    return this[kNode].threshold <= (typeof value === 'number' ? value : LEVELS[value])
  }

  /**
   * Whether a call at `level` does anything: is written, or kept by the
   * flight recorder. For callers that build costly arguments for debug lines.
   */
  keeps (level: LevelName): boolean {
    try {
      const name = parseLevel(level)
      if (name === undefined || name === 'off') return false
      const method = (this as unknown as Record<string, unknown>)[name]
      return method !== noop && method !== skipCall
    } catch (err) {
      lastResort(err, 'keeps()')
      return false
    }
  }

  /**
   * Sets this logger's own level (children without their own level follow).
   * An unknown name changes nothing: a warning lists the accepted names and
   * false is returned. Never throws.
   */
  setLevel (level: string): boolean {
    try {
      return this[kTree].setLevel(this, level)
    } catch (err) {
      lastResort(err, `${this.name}.setLevel()`)
      return false
    }
  }

  /**
   * `child('collector')` is `oneapm.collector`; the same name gives the same
   * logger. With fields, a view of that logger that adds them to every record.
   */
  child (name: string, fields?: Readonly<Record<string, unknown>>): Logger {
    try {
      const named = this[kTree].named(joinName(this.name, name))
      return withFields(named, this[kFields], fields)
    } catch (err) {
      lastResort(err, `${this.name}.child()`)
      return this
    }
  }

  /** The fields this logger adds to every record. */
  get bindings (): Readonly<Record<string, unknown>> {
    return this[kFields] ?? {}
  }

  /** Writes everything queued now (synchronously). */
  flush (): void {
    try {
      this[kTree].flush()
    } catch (err) {
      lastResort(err, 'flush()')
    }
  }

  /**
   * Flushes and closes the tree's destination. Idempotent; calls made later
   * are dropped and counted (stats().dropped.closed).
   */
  async close (): Promise<void> {
    try {
      this[kTree].close()
    } catch (err) {
      lastResort(err, 'close()')
    }
  }

  /** Counters for support: records by level, bytes, drops by reason, errors by code. */
  stats (): LoggerStats {
    return this[kTree].stats()
  }

  /**
   * Adds one to a supportability counter in stats(): collector outcomes, or
   * `interference.<cause>` for host interference found by agent code.
   */
  count (counter: 'collector.requests' | 'collector.failures' | 'collector.recoveries' | `interference.${string}`): void {
    try {
      if (typeof counter !== 'string') return
      const c = this[kTree].counters
      switch (counter) {
        case 'collector.requests': c.collector.requests++; break
        case 'collector.failures': c.collector.failures++; break
        case 'collector.recoveries': c.collector.recoveries++; break
        default: {
          if (!counter.startsWith('interference.')) return
          // Causes come from agent code; the cap keeps a name built from data from growing the map.
          const cause = counter.slice(13, 13 + 64)
          if (cause === '__proto__' || (!Object.hasOwn(c.interference, cause) && Object.keys(c.interference).length >= 256)) return
          c.interference[cause] = (c.interference[cause] ?? 0) + 1
        }
      }
    } catch (err) {
      lastResort(err, 'count()')
    }
  }

  /** Writes stats() as one info record (event=log_stats), e.g. when the agent shuts down. */
  logStats (): void {
    try {
      this[kTree].always(this, 30, 'logger counters at this point', { event: 'log_stats', ...this.stats() })
    } catch (err) {
      lastResort(err, 'logStats()')
    }
  }
}

// The record path's helpers: module functions rather than methods, so the
// public Logger shows only what agent code may call.

/** @internal The bound fields of `logger` as the current layout prints them. */
export function boundTextOf (logger: Logger, output: Output): string {
  const bound = logger[kBound]
  if (bound.output !== output) {
    const fields = logger[kFields]
    bound.text = fields === undefined ? '' : output.format.bindings(fields, output.ctx)
    bound.output = output
  }
  return bound.text
}

/** @internal The line header of `logger` for `level` in the current layout. */
export function headerOf (logger: Logger, output: Output, level: LevelValue): string {
  const node = logger[kNode]
  if (node.headersFor !== output) {
    node.headers = []
    node.headersFor = output
  }
  const i = level / 10
  // The name is redacted here, once per logger and level: a name can hold a key or `token=...`.
  return node.headers[i] ?? (node.headers[i] = output.format.header(output.ctx.redactor.name(node.name), level))
}

/**
 * @internal Points each level method of `logger` at the real one, the
 * flight recorder's (or, while the logger is over its recorder budget, the
 * counting skip), or the noop.
 */
export function applyThreshold (logger: Logger, threshold: number, recording: boolean): void {
  const node = logger[kNode]
  node.threshold = threshold
  const keeping = recording && Number.isFinite(threshold)
  for (const [method, level] of METHODS) {
    Object.defineProperty(logger, method, {
      value: threshold <= level ? ENABLED[level] : !keeping ? noop : node.recorderPaused ? skipCall : RECORDING[level],
      writable: true,
      configurable: true,
      enumerable: false
    })
  }
}

/** Effective threshold of a named logger: its own level, else its parent's. */
export function thresholdFor (node: NodeState, base: LevelSetting): number {
  for (let n: NodeState | undefined = node; n !== undefined; n = n.parent?.[kNode]) {
    if (n.ownLevel !== undefined) return thresholdOf(n.ownLevel)
  }
  return thresholdOf(base)
}

/**
 * `logger` (or a folded view of it) with `inherited` and then `fields` added
 * to every record; `logger` itself when there is nothing to add.
 * @internal
 */
export function withFields (logger: Logger, inherited: Readonly<Record<string, unknown>> | undefined, fields: unknown): Logger {
  const own = logger[kFields]
  if (fields === undefined && inherited === undefined) return logger
  const view = Object.create(logger) as Logger
  view[kFields] = { ...inherited, ...own, ...copyFields(fields) }
  view[kBound] = { output: undefined, text: '' }
  return view
}

/** Longest segment of a logger name, and longest whole name, in characters: a name can't fill a line. */
export const MAX_SEGMENT = 128
export const MAX_NAME = 256

const SEGMENT_BAD = /[^A-Za-z0-9_-]/g

/** `collector`, `collector.http`, `collector:http` → safe dotted segments, each at most MAX_SEGMENT long. */
export function sanitizeName (name: unknown): string {
  // Whatever was passed, only the first characters can end up in a name.
  const s = (typeof name === 'string' ? name : safeString(name)).slice(0, MAX_NAME * 2)
  return s.split(/[.:]/).map((seg) => seg.slice(0, MAX_SEGMENT).replace(SEGMENT_BAD, '_') || '_').join('.')
}

/** `prefix.name`, sanitized and at most MAX_NAME long. */
export function joinName (prefix: string, name: unknown): string {
  const full = `${prefix}.${sanitizeName(name)}`
  if (full.length <= MAX_NAME) return full
  let end = MAX_NAME
  while (end > prefix.length && full.charCodeAt(end - 1) === 46) end--
  return full.slice(0, end)
}

function copyFields (fields: unknown): Record<string, unknown> {
  if (fields === undefined || fields === null) return {}
  if (typeof fields !== 'object') return { bindings: fields }
  try {
    return { ...fields }
  } catch (err) {
    return { bindings: `[Unserializable: ${describeThrown(err)}]` }
  }
}
