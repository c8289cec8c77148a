// The first records of every log: one `agent_start` line that says which
// library, which Node, where the log goes and where each setting came from;
// then a warning for each thing an operator should fix. These are written at
// any level except `off`, because they are how an operator finds the log's
// own configuration mistakes.

import { KEYS, SETTING_KEYS } from '../config/keys'
import { describeSource, type AgentConfig } from '../config/load'
import { formatSize } from '../config/values'
import { diskBound } from '../sinks/rotation-files'
import { maskSecret, type Redactor } from '../format/redact'
import type { Output } from './output'
import type { Tree } from './tree'
import { checkNodeVersion } from '../diagnostics/node-version'
import { PACKAGE } from '../diagnostics/package-info'
import { describeThrown } from '../internal/describe'

export function writeStartup (tree: Tree, cfg: AgentConfig, output: Output): void {
  const root = tree.root
  const s = cfg.settings
  const redactor = output.ctx.redactor
  const settings: Record<string, string> = {}
  const masked = new Set<string>()
  for (const key of SETTING_KEYS) {
    const entry = cfg.entries[key]
    settings[key] = `${displaySetting(key, entry.value, (v) => redactor.text(v))} (${describeSource(entry.source)})`
    if ((KEYS as Record<string, { secret?: true }>)[key]?.secret === true) masked.add(settings[key])
  }
  const target = output.destination.target
  const rotation = target === 'stderr' || target === 'stdout' ? '' : ` (${describeRotation(s)})`
  const host = tree.host
  const where = host === undefined ? `${target}${rotation}` : `${host.describe()} (fallback: ${target}${rotation})`
  tree.always(root, 30,
    `${PACKAGE.name} ${PACKAGE.version} started: node ${process.version} on ${process.platform}/${process.arch}, pid ${process.pid}; logging at ${s.log_level} to ${where}`,
    {
      event: 'agent_start',
      version: PACKAGE.version,
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      app_name: s.app_name,
      collector: s.host,
      proxy: s.proxy,
      config_file: cfg.file ?? 'none',
      environment: cfg.environment,
      settings
    }, { ...output.ctx, redactor: keeping(redactor, masked) })

  const fallback = output.destination.fallback
  if (fallback !== undefined) {
    tree.always(root, 40,
      `cannot open log file ${fallback.path} (${fallback.code}: ${fallback.message}); logging to stderr instead. Fix: ${fallback.fix}`,
      { event: 'log_file_fallback', path: fallback.path, code: fallback.code, fix: fallback.fix })
  }

  for (const note of output.destination.notes) tree.always(root, 40, note.message, { event: note.event, ...note.fields })

  const net = output.destination.networkFs
  if (net !== undefined) {
    tree.always(root, 40,
      `${s.log_file} is on a network file system (${net}), where appends from several processes are not atomic: this process writes its own file ${target}. Put the log on a local disk to share one file`,
      { event: 'log_file_network_fs', fs: net, path: target })
  }

  const node = checkNodeVersion()
  if (!node.supported) {
    tree.always(root, 40,
      `Node ${node.actual} is outside the supported range ${node.required}; the agent may misbehave. Upgrade Node to a supported version`,
      { event: 'node_unsupported', node: node.actual, required: node.required })
  }

  const configLogger = tree.node('oneapm.config')
  for (const p of cfg.problems) {
    tree.always(configLogger, 40, p.message,
      { event: 'config_problem', code: p.code, key: p.key, value: p.value, accepted: p.accepted, used: p.used, source: describeSource(p.source) })
  }
}

/**
 * The redactor, except that the secret settings' display values, masked
 * already, pass the field-name rule as they are: masking them again would
 * turn `a1b2**** (env ONEAPM_LICENSE_KEY)` into `a1b2****` and `(unset)
 * (default)` into `(uns****`. Only exactly those strings pass.
 */
function keeping (redactor: Redactor, masked: ReadonlySet<string>): Redactor {
  const maskValue = (key: string, value: unknown): string => typeof value === 'string' && masked.has(value) ? value : redactor.maskValue(key, value)
  return new Proxy(redactor, {
    get (target, prop) {
      if (prop === 'maskValue') return maskValue
      const v = Reflect.get(target, prop) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    }
  })
}

/** A setting as the log and doctor show it: secrets masked, lists joined. */
export function displaySetting (key: string, value: unknown, scrub: (s: string) => string): string {
  try {
    return settingText(key, value, typeof scrub === 'function' ? scrub : (s) => s)
  } catch (err) {
    return `[unprintable: ${describeThrown(err)}]`
  }
}

function settingText (key: string, value: unknown, scrub: (s: string) => string): string {
  if (value === undefined) return '(unset)'
  const spec = (KEYS as Record<string, { secret?: true, size?: true, duration?: true }>)[key]
  if (spec?.duration === true && typeof value === 'number') return value % 1000 === 0 ? `${value / 1000}s` : `${value}ms`
  if (spec?.secret === true && typeof value === 'string') return maskSecret(value)
  if (spec?.size === true && typeof value === 'number') return formatSize(value)
  // Lists and maps are scrubbed like any text: `log_redact = password=<secret>` is a list of one odd name.
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : scrub(value.join(','))
  if (typeof value === 'object' && value !== null) {
    const pairs = Object.entries(value)
    return pairs.length === 0 ? '(none)' : scrub(pairs.map(([k, v]) => `${k === '' ? 'oneapm' : k}:${String(v)}`).join(','))
  }
  return scrub(String(value))
}

/** `rotates at 100MB or daily, keeps 5 rotated files: at most 600MB`, for the startup line and doctor. */
export function describeRotation (s: { readonly log_max_size: number, readonly log_rotate: string, readonly log_max_files: number, readonly log_compress: boolean }): string {
  try {
    return rotationText(s)
  } catch (err) {
    return `[unprintable: ${describeThrown(err)}]`
  }
}

function rotationText (s: { readonly log_max_size: number, readonly log_rotate: string, readonly log_max_files: number, readonly log_compress: boolean }): string {
  const when = [s.log_max_size > 0 ? `at ${formatSize(s.log_max_size)}` : '', s.log_rotate !== 'none' ? s.log_rotate : ''].filter(Boolean).join(' or ')
  if (when === '') return 'no rotation: one growing file'
  const keep = s.log_max_files === 0 ? 'keeps every rotated file' : `keeps ${s.log_max_files} rotated file${s.log_max_files === 1 ? '' : 's'}`
  const bound = diskBound(s.log_max_size, s.log_max_files)
  return `rotates ${when}, ${keep}${s.log_compress ? ' gzipped' : ''}${bound === undefined ? ', no disk bound' : `: at most ${formatSize(bound)}`}`
}
