// What the log says about its own file: one record per rotation or change
// someone else made, worded for the operator who finds it.

import type { FileEvent } from '../sinks/rotating-file'

export interface Notice {
  readonly level: 'debug' | 'info' | 'warning'
  readonly fields: Record<string, unknown>
  readonly msg: string
}

export function fileNotice (e: FileEvent): Notice | undefined {
  switch (e.kind) {
    case 'rotated':
      return { level: 'info', fields: { event: 'log_rotated', reason: e.reason, rotated_to: e.to }, msg: `log file rotated (${e.reason}); the previous lines are in ${e.to}` }
    case 'followed':
      if (e.reason === 'rotated by another process') {
        return { level: 'debug', fields: { event: 'log_file_followed', reason: e.reason }, msg: 'log file was rotated by another process; now writing to the new file' }
      }
      if (e.reason === 'renamed') {
        return { level: 'info', fields: { event: 'log_file_followed', reason: e.reason }, msg: 'log file was renamed by someone else (logrotate create?); now writing to a new file at the configured path' }
      }
      return { level: 'warning', fields: { event: 'log_file_changed', reason: e.reason }, msg: `log file was ${e.reason} by someone else; recreated it and continue writing there` }
    case 'truncated':
      return { level: 'warning', fields: { event: 'log_file_truncated', from: e.from, to: e.to }, msg: `log file was truncated by someone else (logrotate copytruncate?) from ${e.from} to ${e.to} bytes; lines written meanwhile may be lost` }
    case 'partial_line':
      // Usually another writer still copying its lines in (the result is one blank
      // line), rarely a writer killed mid-write (then its fragment stays alone):
      // harmless either way, so not a warning.
      return { level: 'debug', fields: { event: 'log_file_partial_line' }, msg: 'the log file did not end a line when this process wrote (another process mid-write, or killed mid-write); started a new line' }
    case 'stale_lock_broken':
      return { level: 'warning', fields: { event: 'rotation_lock_recovered', age_ms: Math.round(e.ageMs) }, msg: `broke a rotation lock left ${Math.round(e.ageMs)} ms ago by a process that died while rotating` }
    case 'rotation_error':
      return {
        level: 'warning',
        fields: { event: 'rotation_error', code: e.code, ...(e.fix === undefined ? {} : { fix: e.fix }) },
        msg: `log rotation failed (${e.code}); still writing to the current file: ${e.message}${e.fix === undefined ? '' : `. Fix: ${e.fix}`}`
      }
    case 'compressed':
    case 'removed':
      return { level: 'debug', fields: { event: `log_file_${e.kind}`, file: e.file }, msg: `rotated log file ${e.kind}: ${e.file}` }
    case 'destination_failed':
      return {
        level: 'warning',
        fields: { event: 'log_file_failed', path: e.file, code: e.code, fix: e.fix },
        msg: `cannot write log file ${e.file} (${e.code}: ${e.message}); logging to stderr until it works again (checked every second). Fix: ${e.fix}`
      }
    case 'destination_restored':
      return {
        level: 'warning',
        fields: { event: 'log_file_restored', path: e.file, code: e.code, failed_ms: e.failedMs },
        msg: `writing to log file ${e.file} works again after ${e.code}; the records of the last ${Math.round(e.failedMs / 1000)} s went to stderr`
      }
  }
}

/** What is also said on stderr directly, once per `cause`, for the operator who watches the app's output. */
export function directNotice (e: FileEvent): { readonly cause: string, readonly text: string } | undefined {
  switch (e.kind) {
    case 'followed':
      if (e.reason !== 'deleted' && e.reason !== 'replaced') return undefined
      return { cause: `log_file_changed:${e.reason}`, text: `the log file was ${e.reason} by someone else; the agent recreated it and writes there. Fix: keep cleanup jobs away from the agent's log, or rotate it with log_max_size/log_rotate (or logrotate)` }
    case 'rotation_error':
      if (e.fix !== undefined) return { cause: `rotation_error:${e.code}:${e.message}`, text: `log rotation: ${e.message}; the agent keeps writing to the current file. Fix: ${e.fix}` }
      return { cause: `rotation_error:${e.code}`, text: `log rotation failed (${e.code}: ${e.message}); the agent keeps writing to the current file, which may grow past log_max_size. Fix: give the app's user write access to the log's directory` }
    default:
      return undefined
  }
}
