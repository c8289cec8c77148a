// What one log call produced, before it is turned into a line.
import type { LevelValue } from './levels'

export interface LogRecord {
  /** Milliseconds since the epoch, taken when the call was made. */
  readonly time: number
  readonly level: LevelValue
  /** The formatted message (printf directives already filled in). */
  readonly msg: string
  /** The caller's fields object, read only when the line is formatted. */
  readonly fields: object | undefined
  /** An Error passed as the first argument, or undefined. */
  readonly err: unknown
}
