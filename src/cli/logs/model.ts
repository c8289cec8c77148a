// What `summary`, `tail` and `report` read out of agent logs: one parsed
// record, and the support engineer's first screen built from many of them.
// summary.ts fills Summary; report/ renders it; tail prints ParsedRecords.

export type LevelName = 'critical' | 'error' | 'warning' | 'info' | 'debug' | 'trace'

/** One record read back from a text or JSON log line. */
export interface ParsedRecord {
  /** Epoch milliseconds (both layouts carry the offset or Z). */
  readonly time: number
  readonly level: LevelName
  /** The logger name, `oneapm.collector`. */
  readonly name: string
  readonly pid: number
  readonly thread: string
  readonly msg: string
  /** The `event` field when the record has one. */
  readonly event: string | undefined
  /** Every other field; text values unquoted, JSON non-strings as compact JSON. */
  readonly fields: Readonly<Record<string, string>>
  /** The file it came from (a rotated or gzipped one too) and its layout. */
  readonly file: string
  readonly format: 'text' | 'json'
}

export interface FileRead {
  readonly path: string
  readonly bytes: number
  readonly gzip: boolean
  /** Skipped without decompressing: entirely outside --since/--until. */
  readonly skipped: boolean
  readonly records: number
  /** Lines that are not records (garbage, cut lines, foreign output). */
  readonly otherLines: number
  /** What went wrong reading it (truncated gzip, changed while read), if anything. */
  readonly problem: string | undefined
}

export interface ProcessIdentity {
  readonly pid: number
  /** From agent_start: the logger's version, Node, platform, app name. */
  readonly version: string | undefined
  readonly node: string | undefined
  readonly platform: string | undefined
  readonly app: string | undefined
  readonly started: number | undefined
  readonly firstSeen: number
  readonly lastSeen: number
  readonly records: number
}

export type ConnectivityState = 'connected' | 'failing' | 'recovered'

/** A state change of the collector connection, per process. */
export interface ConnectivityChange {
  readonly time: number
  readonly pid: number
  readonly state: ConnectivityState
  /** For failing: the cause as logged (`HTTP 503`, `ECONNREFUSED ...`), how many failures until the next change, and the cause/fix (causes.ts). */
  readonly cause: string | undefined
  readonly count: number
  readonly diagnosis: { readonly id: string, readonly cause: string, readonly fix: string } | undefined
}

export interface Finding {
  /** causes.ts CauseId. */
  readonly id: string
  /** "collector answered 413 to metric_data 37 times since 10:02: the payload is too large" */
  readonly cause: string
  readonly fix: string
  readonly count: number
  readonly first: number
  readonly last: number
}

/** One row of the events table: warnings and above, and every record with an event. */
export interface EventRow {
  readonly time: number
  readonly level: LevelName
  readonly name: string
  readonly pid: number
  readonly event: string | undefined
  readonly msg: string
}

export interface Summary {
  readonly files: readonly FileRead[]
  /** The range asked for (--since/--until) and the first and last record seen; NaN when none. */
  readonly since: number
  readonly until: number
  readonly first: number
  readonly last: number
  readonly records: number
  /** In order of first sight, the first PIDS_MAX (tally.ts) processes. */
  readonly processes: readonly ProcessIdentity[]
  /** Records of the processes past those (a log naming more processes than that: their records are counted, not listed). */
  readonly otherProcessRecords: number
  /** The settings from the latest agent_start, with their sources. */
  readonly settings: Readonly<Record<string, { readonly value: string, readonly source: string }>>
  readonly connectivity: readonly ConnectivityChange[]
  /** The last HTTP status per collector request kind (`metric_data`: 200). */
  readonly lastStatus: Readonly<Record<string, { readonly status: number, readonly time: number }>>
  /** Records per level per time bucket. */
  readonly histogram: { readonly bucketMs: number, readonly buckets: ReadonlyArray<{ readonly start: number, readonly counts: Readonly<Record<LevelName, number>> }> }
  /** Error and critical kinds (event, else the error type or message shape), most frequent first. */
  readonly topErrors: ReadonlyArray<{ readonly kind: string, readonly level: LevelName, readonly count: number, readonly first: number, readonly last: number, readonly sample: string }>
  readonly interference: ReadonlyArray<{ readonly time: number, readonly pid: number, readonly cause: string }>
  readonly drops: ReadonlyArray<{ readonly time: number, readonly pid: number, readonly reason: string, readonly dropped: number }>
  readonly rotations: ReadonlyArray<{ readonly time: number, readonly pid: number, readonly reason: string }>
  readonly findings: readonly Finding[]
  /** The last EVENT_ROWS_MAX rows (warnings and above, records with an event), oldest first. */
  readonly events: readonly EventRow[]
  /** How many rows were left out of events for the cap. */
  readonly eventsOmitted: number
}

export const EVENT_ROWS_MAX = 5000
