// Agent loggers double as `debug` namespaces: oneapm.collector is
// oneapm:collector. With DEBUG=oneapm:* (or the host's debug.enable('oneapm:*'))
// their records at debug and above also go out through debug, as Node
// developers expect from DEBUG=lib:*.
//
// The host owns debug: we never call enable()/disable() (they rewrite
// process.env.DEBUG) and never replace debug.log. We only watch. When the
// host turns agent namespaces off, or its own copy of debug rewrites DEBUG,
// one warning says what changed and that the agent log continues in log_file.
// Watching costs one string comparison per enabled record (the same check
// debug's own `enabled` getter makes), plus an unref'd timer for changes made
// while nothing is logged and for other copies of debug (seen only through
// process.env.DEBUG, which their enable/disable rewrite). The timer lives
// in host-watch.ts.

import type createDebugFn from 'debug'
import { lazy } from '../internal/lazy'

/** The log function debug shipped with, seen when we first load it (at configure, with the agent's start). */
let shippedLog: unknown
/** Loaded when a tree is configured, not when the package is required (internal/lazy.ts). */
const debugLib = lazy(() => {
  const d = require('debug') as typeof createDebugFn
  shippedLog = (d as unknown as { log?: unknown }).log
  return d
})

/** The namespace used to ask debug whether agent namespaces are on. */
const PROBE = 'oneapm:agent'

export interface DebugChange {
  /** Agent namespaces were on in our copy of debug before / are now. */
  readonly wasOn: boolean
  readonly isOn: boolean
  readonly before: string
  readonly after: string
  /** The change came from another copy of debug (only DEBUG moved). */
  readonly otherCopy: boolean
}

export class DebugBridge {
  private seenNs: string | undefined
  private seenEnv: string | undefined
  private on: boolean
  private readonly instances = new Map<string, createDebugFn.Debugger>()

  constructor (private readonly onChange: (c: DebugChange) => void) {
    this.seenNs = namespacesOf()
    this.seenEnv = process.env.DEBUG
    this.on = debugLib().enabled(PROBE)
  }

  /** Whether agent namespaces are on in our copy of debug now. */
  get enabled (): boolean {
    return this.on
  }

  /** The per-record check: one comparison unless something changed. */
  poll (): void {
    if (namespacesOf() !== this.seenNs) this.check(false)
  }

  /** The debug instance for a logger name, if its namespace is enabled. */
  mirrorFor (name: string): createDebugFn.Debugger | undefined {
    if (!this.on) return undefined
    const ns = name.replace(/\./g, ':')
    const createDebug = debugLib()
    if (!createDebug.enabled(ns)) return undefined
    let d = this.instances.get(ns)
    if (d === undefined) {
      d = createDebug(ns)
      this.instances.set(ns, d)
    }
    return d
  }

  /** The timer's check: also sees other copies of debug, through process.env.DEBUG. */
  checkAll (): void {
    this.check(true)
  }

  /** Whether debug would print to stderr itself (its log function is the one it shipped with). */
  static writesToStderr (): boolean {
    return (debugLib() as unknown as { log?: unknown }).log === shippedLog
  }

  private check (withEnv: boolean): void {
    const ns = namespacesOf()
    const env = withEnv ? process.env.DEBUG : this.seenEnv
    if (ns === this.seenNs && env === this.seenEnv) return
    const nsChanged = ns !== this.seenNs
    const before = nsChanged ? this.seenNs ?? '' : this.seenEnv ?? ''
    const after = nsChanged ? ns ?? '' : env ?? ''
    this.seenNs = ns
    this.seenEnv = withEnv ? env : process.env.DEBUG
    const wasOn = this.on
    this.on = debugLib().enabled(PROBE)
    this.onChange({ wasOn, isOn: this.on, before, after, otherCopy: !nsChanged })
  }
}

function namespacesOf (): string | undefined {
  // Set by debug's enable(); a string, '' after disable(), undefined before any enable.
  return (debugLib() as unknown as { namespaces?: string }).namespaces
}
