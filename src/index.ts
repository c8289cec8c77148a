// The public API of oneapm-agent-log. Everything a user can import is named
// here; nothing under internal/ is.

import { MASK, maskSecret as maskSecretUnguarded } from './format/redact'
import { checkDestination as checkDestinationUnguarded, type DestinationCheck } from './diagnostics/destination-check'
import { diskBound as diskBoundUnguarded } from './sinks/rotation-files'
import { parseDuration as parseDurationUnguarded, type Parsed } from './config/values'
import type { AgentConfig } from './config/load'
import { debugDirOf as debugDirOfUnguarded, debugLogName as debugLogNameUnguarded, debugStateName as debugStateNameUnguarded } from './config/debug-dir'
import { inspectDestination as inspectShipDestinationUnguarded, type ShipInspection } from './ship/inspect'
import { checkDestinations as checkShipDestinationsUnguarded, checkShipHeaders as checkShipHeadersUnguarded, type DestinationCheck as ShipDestinationCheck } from './ship/destinations'

// What the log-reading commands need load from tools.ts, without the logger.
export { Redactor, listRotated } from './tools'

// Loggers
export { createLogger, getLogger } from './logger/create'
export type { CreateOptions } from './logger/create'
export { Logger } from './logger/logger'
/** What every mask writes in place of a secret. */
export { MASK } from './format/redact'
export type { LogMethod } from './logger/logger'

// Debug sessions started by the agent (process-local; `oneapm-agent-log debug start` reaches every process)
export { startDebugSession, currentDebugSession } from './logger/session/api'
export type { DebugSessionOptions, DebugSessionHandle, DebugSessionInfo, SessionSummary } from './logger/session/api'
// The control file's other side, for the CLI (`oneapm-agent-log debug`)
export { checkDebugRequest, writeDebugSession, readDebugSession, stopDebugSession, debugProcesses, debugSessionStates } from './logger/session/client'
export type { DebugRequest, CheckedRequest, ControlState, ProcessState, SessionStates, SessionSpec } from './logger/session/client'
export { POLL_MS as DEBUG_POLL_MS } from './logger/session/runtime'

// Levels
export { LEVELS, LEVEL_NAMES, ACCEPTED_LEVELS, parseLevel } from './record/levels'
export type { LevelName, LevelValue, LevelSetting } from './record/levels'

// Config
export { loadConfig, isAgentConfig, describeSource } from './config/load'
export type { AgentConfig, ConfigProblem, LoadOptions, ProblemCode, Setting, Source } from './config/load'
export { KEYS, SETTING_KEYS, envName } from './config/keys'
export type { LogSettings, SettingKey } from './config/keys'
export { DEBUG_CONTROL_FILE } from './config/debug-dir'
export { configRedactor } from './config/redact-config'
export type { Parsed } from './config/values'
export type { ConfigRedactor } from './config/redact-config'

// Redaction, for agent code that shows secrets-bearing values elsewhere
export type { RedactorOptions } from './format/redact'

// Collector connection events
export { recordConnections, causeOf } from './collector/record-connections'
export type { ConnectionLog, RecordOptions, Recording } from './collector/record-connections'
export { createCollectorDispatcher } from './collector/dispatcher'
export type { CollectorClient, CollectorDispatcherOptions } from './collector/dispatcher'
export { PRECONNECT, preconnectRequest } from './collector/preconnect'
export type { CollectorRequest } from './collector/preconnect'

// Diagnostics
export { checkNodeVersion } from './diagnostics/node-version'
export type { NodeVersionCheck } from './diagnostics/node-version'
export { STAT_DOCS } from './diagnostics/stats'
export type { LoggerStats } from './diagnostics/stats'
export type { DropReason } from './sinks/fd-writer'
export { PACKAGE } from './diagnostics/package-info'
export type { PackageInfo } from './diagnostics/package-info'
export type { DestinationCheck } from './diagnostics/destination-check'
export { displaySetting, describeRotation } from './logger/startup'
export type { SinkHooks } from './logger/output'
export type { RotatedFile } from './sinks/rotation-files'
export { networkFs } from './sinks/network-fs'
export type { ShipDestinationCheck, ShipInspection }
export type { StatfsFn } from './sinks/network-fs'

// Public helpers never throw on bad arguments. These come from modules that
// trust their internal callers, so the guard is here, at the boundary: a
// bad argument gets the answer for "nothing known" (or a mask, failing closed).

export function maskSecret (value: string): string {
  try {
    return maskSecretUnguarded(value)
  } catch {
    return MASK
  }
}

export function checkDestination (target: string): DestinationCheck {
  try {
    return checkDestinationUnguarded(target)
  } catch (err) {
    return { target: typeof target === 'string' ? target : '(not a path)', kind: 'unknown', writable: false, error: `cannot check: ${errorText(err)}` }
  }
}

export function diskBound (maxSize: number, maxFiles: number): number | undefined {
  try {
    return diskBoundUnguarded(maxSize, maxFiles)
  } catch {
    return undefined
  }
}

/**
 * Each log_ship destination checked without opening anything (for doctor):
 * usable with its target (credentials and header values masked), or the
 * problem; plus notes on settings ignored. `env` is where OTEL_* are read.
 */
export function checkShipDestinations (destinations: readonly string[], headers: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): ShipDestinationCheck[] {
  try {
    return checkShipDestinationsUnguarded(destinations, headers, env)
  } catch (err) {
    // Not a list of strings (or one that throws when read): one answer saying so.
    return [{ given: '(unreadable)', problem: `cannot check: ${errorText(err)}`, notes: [] }]
  }
}

/**
 * A usable log_ship destination looked at on this machine (for doctor): what
 * is at a syslog+unix path and whether the transport reaches it, how a TLS
 * destination verifies its peer. Opens no connection; never throws.
 */
export function inspectShipDestination (given: string, shown: string, env: Readonly<Record<string, string | undefined>> = process.env): ShipInspection {
  try {
    return inspectShipDestinationUnguarded(given, shown, env)
  } catch (err) {
    return { facts: [], findings: [{ severity: 'note', code: 'SHIP_INSPECT_FAILED', message: `log_ship destination ${typeof shown === 'string' ? shown : '(not a string)'} cannot be looked at: ${errorText(err)}` }] }
  }
}

/** log_ship_headers' problem when no destination in `checks` already says it (names entries by position, never a value). */
export function checkShipHeaders (headers: string | undefined, checks: readonly ShipDestinationCheck[]): string | undefined {
  try {
    return checkShipHeadersUnguarded(headers, checks)
  } catch {
    return 'log_ship_headers: cannot be checked'
  }
}

/** A duration as the config takes it (`30s`, `500ms`, `2m`; a bare number in text is seconds), within [minMs, maxMs]. */
export function parseDuration (input: unknown, minMs: number, maxMs: number): Parsed<number> {
  try {
    return parseDurationUnguarded(input, minMs, maxMs)
  } catch {
    return { ok: false, accepted: 'a duration such as 30s, 500ms or 2m' }
  }
}

/** Where debug sessions of this config meet (log_debug_dir, else log_file's directory, ...): the current directory for anything but a loaded config. */
export function debugDirOf (config: AgentConfig): string {
  try {
    return debugDirOfUnguarded(config)
  } catch {
    return safeCwd()
  }
}

/** `oneapm-debug-<pid>.log`; a pid that is not a positive integer is named `oneapm-debug-unknown.log`. */
export function debugLogName (pid: number): string {
  return debugLogNameUnguarded(Number.isSafeInteger(pid) && pid > 0 ? pid : 'unknown')
}

/** `oneapm-debug-<pid>.state.json`, with the same rule for the pid. */
export function debugStateName (pid: number): string {
  return debugStateNameUnguarded(Number.isSafeInteger(pid) && pid > 0 ? pid : 'unknown')
}

function safeCwd (): string {
  try {
    return process.cwd()
  } catch {
    return '/'
  }
}

function errorText (err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err)
  } catch {
    return 'unknown error'
  }
}
