// Where debug sessions meet: the CLI writes the control file there and every
// process of the app polls it, so both must derive the same directory from
// the same config, with no process-specific input (not the pid, not the env).

import path from 'node:path'
import type { AgentConfig } from './load'

/** The control file a `debug start` writes and every process polls. */
export const DEBUG_CONTROL_FILE = 'oneapm-debug-session.json'

/** log_debug_dir as configured; else log_file's directory; with stderr/stdout, the config file's directory; else the current one. */
export function debugDirOf (config: AgentConfig): string {
  const { log_debug_dir: dir, log_file: file } = config.settings
  if (dir !== '') return dir
  if (file !== 'stderr' && file !== 'stdout') return path.dirname(file)
  if (config.file !== undefined) return path.dirname(config.file)
  try {
    return process.cwd()
  } catch {
    return path.parse(__dirname).root
  }
}

/**
 * Whether debugDirOf() is only the current directory's fallback (no
 * log_debug_dir, log_file a stream, no config file). A process writes no
 * state file of an API session there: it must not litter its cwd.
 */
export function debugDirIsFallback (config: AgentConfig): boolean {
  const { log_debug_dir: dir, log_file: file } = config.settings
  return dir === '' && (file === 'stderr' || file === 'stdout') && config.file === undefined
}

/** The per-process session output, in the debug dir. */
export function debugLogName (pid: number | 'unknown'): string {
  return `oneapm-debug-${pid}.log`
}

/** The per-process state file a joined process keeps up to date, in the debug dir. */
export function debugStateName (pid: number | 'unknown'): string {
  return `oneapm-debug-${pid}.state.json`
}
