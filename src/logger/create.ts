// The entry points agent code uses: getLogger() for modules that load before
// the config is read, createLogger() once the config is known.

import { loadConfig, isAgentConfig, type AgentConfig } from '../config/load'
import { writeStartup } from './startup'
import { lastResort } from '../internal/last-resort'
import { parseLevel } from '../record/levels'
import { joinName, type Logger } from './logger'
import { safeString } from '../internal/describe'
import { Tree } from './tree'
import { shipSinks } from './ship-sink'
import type { SinkHooks } from './output'
import { watchSessions } from './session/runtime'

let processTree: Tree | undefined

/** The process-wide tree getLogger() serves; its level before configuration comes from ONEAPM_LOG_LEVEL. */
function sharedTree (): Tree {
  processTree ??= new Tree(parseLevel(process.env.ONEAPM_LOG_LEVEL) ?? 'info', () => loadConfig().settings)
  return processTree
}

/**
 * A logger of the process-wide tree: `getLogger()` is `oneapm`,
 * `getLogger('collector')` is `oneapm.collector`. Usable before
 * createLogger(): records wait (up to 1,000) and are written once it runs.
 */
export function getLogger (name?: string): Logger {
  const tree = sharedTree()
  try {
    if (name === undefined || name === null || name === '' || name === 'oneapm') return tree.root
    const s = typeof name === 'string' ? name : safeString(name)
    const rel = s.startsWith('oneapm.') || s.startsWith('oneapm:') ? s.slice(7) : s
    return tree.named(joinName('oneapm', rel))
  } catch (err) {
    lastResort(err, 'getLogger()')
    return tree.root
  }
}

export interface CreateOptions {
  /**
   * The host application's logger (pino, winston, bunyan, log4js, or anything
   * with level methods): agent records go there, fields kept, secrets masked.
   * log_file stays the fallback, used when that logger would hide agent
   * warnings or when ONEAPM_LOG_IGNORE_HOST_LOGGER=true.
   */
  readonly hostLogger?: object
  /** Test hooks (rotation timing, sub-second periods, injected statfs/write). Not for production. */
  readonly hooks?: SinkHooks
  /**
   * Configure the process-wide tree that getLogger() serves (and write what
   * waited in its early queue). Default: true for the first createLogger()
   * of the process, false after, so later calls get independent trees.
   */
  readonly global?: boolean
}

/**
 * The root `oneapm` logger, writing where the config says, after one
 * startup record. Takes the result of loadConfig(); a plain object is taken
 * as the settings themselves (validated, no file or environment read); no
 * argument means loadConfig(). Never throws: a config it cannot use becomes
 * warnings and defaults.
 */
export function createLogger (config?: AgentConfig | Readonly<Record<string, unknown>>, options?: CreateOptions): Logger {
  let settings: AgentConfig['settings'] | undefined
  let tree: Tree | undefined
  try {
    options = optionsOf(options)
    if (config === null || (config !== undefined && typeof config !== 'object')) config = undefined
    const cfg = config === undefined ? loadConfig() : isAgentConfig(config) ? config : loadConfig({ overrides: config, env: {}, file: false })
    const global = options.global ?? !(processTree?.configured ?? false)
    const chosen = cfg.settings
    settings = chosen
    tree = global ? sharedTree() : new Tree(chosen.log_level, () => chosen)
    const t = tree
    const output = tree.configure(chosen, options.hooks, options.hostLogger, (out) => shipSinks(chosen, out.ctx, {
      notice: (level, msg, fields) => { const log = t.node('oneapm.ship'); if (level === 40) log.warning(fields, '%s', msg); else log.info(fields, '%s', msg) },
      problem: (msg, fields) => { t.always(t.node('oneapm.config'), 40, msg, fields) }
    }))
    writeStartup(tree, cfg, output)
    tree.reportHostLogger()
    watchSessions(tree, output, cfg, global, options.hooks?.debugPollMs)
    return tree.root
  } catch (err) {
    lastResort(err, 'createLogger()')
    // Configured already: the startup records failed, the logger did not. Keep it.
    if (tree?.configured === true) return tree.root
    return fallbackLogger(settings)
  }
}

/**
 * A logger when the configured one could not be built: the validated
 * settings without the host's logger, else defaults that keep the license
 * key and redaction settings, so nothing is written with less redaction
 * than the config asked for.
 */
function fallbackLogger (settings: AgentConfig['settings'] | undefined): Logger {
  if (settings !== undefined) {
    try {
      const tree = new Tree(settings.log_level, () => settings)
      tree.configure(settings)
      return tree.root
    } catch (err) {
      lastResort(err, 'createLogger() fallback')
    }
  }
  const keep = settings === undefined ? {} : { license_key: settings.license_key, log_redact: settings.log_redact }
  const defaults = loadConfig({ env: {}, file: false, overrides: keep }).settings
  const tree = new Tree(defaults.log_level, () => defaults)
  tree.configure(defaults)
  return tree.root
}

/** The options as given when they are an object, else none; never reads a property twice. */
function optionsOf (options: unknown): CreateOptions {
  if (typeof options !== 'object' || options === null) return {}
  const o = options as Record<string, unknown>
  const hostLogger = o.hostLogger
  const hooks = o.hooks
  const global = o.global
  return {
    ...(typeof hostLogger === 'object' && hostLogger !== null ? { hostLogger } : typeof hostLogger === 'function' ? { hostLogger } : {}),
    ...(typeof hooks === 'object' && hooks !== null ? { hooks: hooks as SinkHooks } : {}),
    ...(typeof global === 'boolean' ? { global } : {})
  }
}
