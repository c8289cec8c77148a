// The shapes a log call accepts, turned into a record:
//   (msg, ...args)            printf-style message
//   (fields, msg?, ...args)   structured fields (a plain object), then the message
//   (err, msg?, ...args)      an Error; its message when no msg is given
//   (anything, ...)           printed like util.format would
// Only a plain object (or a class instance) is taken as fields: a Buffer,
// typed array, array, Map, Date and the like are printed (bounded), never
// walked key by key.

import { formatMessage } from '../format/printf'
import { isError, type SerializeContext } from '../format/serialize'
import type { LogRecord } from '../record/record'
import type { LevelValue } from '../record/levels'

export function recordOf (time: number, level: LevelValue, args: readonly unknown[], ctx: SerializeContext): LogRecord {
  const first = args[0]
  if (typeof first === 'string') return { time, level, msg: formatMessage(args, 0, ctx), fields: undefined, err: undefined }
  if (typeof first === 'object' && first !== null) {
    if (isError(first)) {
      const msg = formatMessage(args.length > 1 ? args : [errorMessage(first)], args.length > 1 ? 1 : 0, ctx)
      return { time, level, msg, fields: undefined, err: first }
    }
    if (isFields(first)) return { time, level, msg: args.length > 1 ? formatMessage(args, 1, ctx) : '', fields: first, err: undefined }
  }
  return { time, level, msg: args.length === 0 ? '' : formatMessage(args, 0, ctx), fields: undefined, err: undefined }
}

/** An object whose own keys are the fields: `[object Object]`, not an array, buffer, Map, Date... */
function isFields (v: object): boolean {
  try {
    if (Array.isArray(v) || ArrayBuffer.isView(v)) return false
    return Object.prototype.toString.call(v) === '[object Object]'
  } catch {
    // A revoked proxy: the layout reports it as unserializable fields.
    return true
  }
}

/** The raw message: formatMessage prints a non-string one bounded, as it would any argument. */
function errorMessage (err: Error): unknown {
  try {
    return err.message
  } catch {
    return ''
  }
}
