// A queued line back into a ShippedRecord, at send time. The queue holds the
// JSON layout's lines (redacted and capped once, when the record was made);
// parsing them back costs only for records that actually leave, never on the
// caller's path, and a shipped record can never hold more than the JSON log.

import { LEVELS, type LevelValue } from '../record/levels'
import type { ShippedError, ShippedRecord } from './transport'

/** The layout's own keys: everything else on the line is a field. */
const OWN = new Set(['time', 'level', 'name', 'pid', 'thread', 'msg', 'recorded', 'err'])

/** Which fields travel (log_ship_fields): all, or the named ones. The message always travels. */
export type FieldSelection = 'all' | ReadonlySet<string>

/** One line (no newline) as a record; a line that is not a JSON object travels whole as the message. */
export function shippedRecord (json: string, select: FieldSelection, fallbackPid = process.pid): ShippedRecord {
  let o: Record<string, unknown> | undefined
  try {
    const v: unknown = JSON.parse(json)
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) o = v as Record<string, unknown>
  } catch {
    // A spooled line from another version, cut or damaged: sent as text.
  }
  if (o === undefined) {
    return { time: Date.now(), level: LEVELS.info, logger: 'oneapm', pid: fallbackPid, thread: 'main', msg: json, fields: {}, err: undefined, recorded: false, json }
  }
  const fields: Record<string, unknown> = {}
  let all = true
  for (const key of Object.keys(o)) {
    if (OWN.has(key)) continue
    if (select === 'all' || select.has(key)) fields[key] = o[key]
    else all = false
  }
  const time = typeof o.time === 'string' ? Date.parse(o.time) : NaN
  const level = typeof o.level === 'string' && Object.hasOwn(LEVELS, o.level) ? LEVELS[o.level as keyof typeof LEVELS] : LEVELS.info
  return {
    time: Number.isFinite(time) ? time : Date.now(),
    level: level as LevelValue,
    logger: typeof o.name === 'string' ? o.name : 'oneapm',
    pid: typeof o.pid === 'number' && Number.isSafeInteger(o.pid) ? o.pid : fallbackPid,
    thread: typeof o.thread === 'string' ? o.thread : 'main',
    msg: typeof o.msg === 'string' ? o.msg : JSON.stringify(o.msg ?? ''),
    fields,
    err: errorOf(o.err),
    recorded: o.recorded === true,
    // With fields left out, the line itself would carry them: a transport that ships JSON rebuilds it.
    json: all ? json : JSON.stringify({ ...pick(o), ...fields })
  }
}

function pick (o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of OWN) if (o[key] !== undefined) out[key] = o[key]
  return out
}

function errorOf (v: unknown): ShippedError | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'object' || v === null) return { type: 'Error', message: typeof v === 'string' ? v : JSON.stringify(v), stack: undefined }
  const e = v as Record<string, unknown>
  return {
    type: typeof e.type === 'string' ? e.type : 'Error',
    message: typeof e.message === 'string' ? e.message : '',
    stack: typeof e.stack === 'string' ? e.stack : undefined
  }
}
