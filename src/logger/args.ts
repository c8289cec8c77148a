// The shapes a log call accepts, turned into a record:
//   (msg, ...args)            printf-style message
//   (fields, msg?, ...args)   structured fields, then the message
//   (err, msg?, ...args)      an Error; its message when no msg is given
//   (anything, ...)           printed like util.format would

import { formatMessage } from '../format/printf'
import { isError, type SerializeContext } from '../format/serialize'
import { safeString } from '../internal/describe'
import type { LogRecord } from '../record/record'
import type { LevelValue } from '../record/levels'

export function recordOf (time: number, level: LevelValue, args: readonly unknown[], ctx: SerializeContext): LogRecord {
  const first = args[0]
  if (typeof first === 'string') return { time, level, msg: formatMessage(args, 0, ctx), fields: undefined, err: undefined }
  if (typeof first === 'object' && first !== null) {
    if (isError(first)) {
      const msg = args.length > 1 ? formatMessage(args, 1, ctx) : errorMessage(first)
      return { time, level, msg, fields: undefined, err: first }
    }
    return { time, level, msg: args.length > 1 ? formatMessage(args, 1, ctx) : '', fields: first, err: undefined }
  }
  return { time, level, msg: args.length === 0 ? '' : formatMessage(args, 0, ctx), fields: undefined, err: undefined }
}

function errorMessage (err: Error): string {
  try {
    return safeString(err.message)
  } catch {
    return ''
  }
}
