// The public API of oneapm-agent-log. Everything a user can import is named
// here; nothing under internal/ is.

// Loggers
export { createLogger, getLogger } from './logger/create'
export type { CreateOptions } from './logger/create'
export { Logger } from './logger/logger'
export type { LogMethod } from './logger/logger'

// Levels
export { LEVELS, LEVEL_NAMES, ACCEPTED_LEVELS, parseLevel } from './record/levels'
export type { LevelName, LevelValue, LevelSetting } from './record/levels'

// Config
export { loadConfig, isAgentConfig, describeSource } from './config/load'
export type { AgentConfig, ConfigProblem, LoadOptions, ProblemCode, Setting, Source } from './config/load'
export { KEYS, SETTING_KEYS, envName } from './config/keys'
export type { LogSettings, SettingKey } from './config/keys'
export { configRedactor } from './config/redact-config'
export type { ConfigRedactor } from './config/redact-config'

// Redaction, for agent code that shows secrets-bearing values elsewhere
export { Redactor, maskSecret } from './format/redact'
export type { RedactorOptions } from './format/redact'

// Collector connection events
export { recordConnections, causeOf } from './collector/record-connections'
export type { ConnectionLog, RecordOptions, Recording } from './collector/record-connections'
export { createCollectorDispatcher } from './collector/dispatcher'
export type { CollectorClient, CollectorDispatcherOptions } from './collector/dispatcher'

// Diagnostics
export { checkNodeVersion } from './diagnostics/node-version'
export type { NodeVersionCheck } from './diagnostics/node-version'
export { STAT_DOCS } from './diagnostics/stats'
export type { LoggerStats } from './diagnostics/stats'
export type { DropReason } from './sinks/fd-writer'
export { PACKAGE } from './diagnostics/package-info'
export type { PackageInfo } from './diagnostics/package-info'
export { checkDestination } from './diagnostics/destination-check'
export type { DestinationCheck } from './diagnostics/destination-check'
export { displaySetting, describeRotation } from './logger/startup'
export type { SinkHooks } from './logger/output'
export { listRotated, diskBound } from './sinks/rotation-files'
export type { RotatedFile } from './sinks/rotation-files'
export { networkFs } from './sinks/network-fs'
export type { StatfsFn } from './sinks/network-fs'
