// What one instrumented request does to the agent's loggers in the host app:
// 5 debug calls on agent loggers, the way instrumentation writes them, made
// with the same arguments whatever the logger. Each call carries a unique id
// (`hostrec#<tag>:<n>`) so that the records found on disk can be matched,
// one by one, against the records emitted.

import { once, type EventEmitter } from 'node:events'
import { createLogger } from '../../src/index'
import type { VariantSpec } from './variants'

/** Every record of the app holds this once, followed by `<tag>:<n>`. */
// No `=`: a message ending in `key=value` text has its `=` escaped by the text layout (docs/formats.md).
export const TOKEN = 'hostrec#'
export const CALLS_PER_REQUEST = 5

export interface Instrumentation {
  /** The 5 debug calls of one request. */
  request (method: string, url: string, status: number): void
  /** Records emitted at an enabled level so far: ids `<tag>:0` to `<tag>:<emitted - 1>`. */
  emitted (): number
  /** Everything written and the file closed. */
  close (): Promise<void>
}

type LogFn = (...args: unknown[]) => void
interface Debugging { readonly debug: LogFn }

/** The three agent loggers the calls go to. */
interface AgentLoggers { readonly http: Debugging, readonly transaction: Debugging, readonly shim: Debugging }

const SEGMENT_MS = 1.25

function calls (loggers: AgentLoggers, tag: string, enabled: boolean, close: () => Promise<void>): Instrumentation {
  const { http, transaction, shim } = loggers
  // The id goes in as a number argument, the cheapest kind to keep or drop; the format strings are made once.
  const id = ` ${TOKEN}${tag}:%d`
  const started = `request %s %s${id}`
  const named = `transaction %s started${id}`
  const segment = `segment %s took %d ms${id}`
  const response = `response${id}`
  const ended = `transaction %s ended, %d segments, ok %s${id}`
  let seq = 0
  return {
    request (method, url, status) {
      http.debug(started, method, url, seq++)
      transaction.debug(named, url, seq++)
      http.debug(segment, 'External/127.0.0.1/collector', SEGMENT_MS, seq++)
      http.debug({ method, url, status }, response, seq++)
      shim.debug(ended, url, 3, status < 400, seq++)
    },
    emitted: () => enabled ? seq : 0,
    close
  }
}

function oneapm (spec: VariantSpec, file: string, tag: string): Instrumentation {
  // As an agent makes it: the process-wide logger (global), from its settings.
  const log = createLogger({ ...spec.settings, log_file: file })
  const loggers = { http: log.child('instrumentation.http'), transaction: log.child('transaction'), shim: log.child('shim') }
  return calls(loggers, tag, spec.level === 'debug', async () => {
    log.flush()
    await log.close()
  })
}

interface SonicBoom extends EventEmitter { end: () => void }
interface PinoLogger extends Debugging { child: (bindings: Record<string, string>) => Debugging }
interface Pino {
  (options: { level: string }, dest: SonicBoom): PinoLogger
  destination: (options: { dest: string, sync: boolean }) => SonicBoom
}

async function pino (spec: VariantSpec, file: string, tag: string): Promise<Instrumentation> {
  const p = require('pino') as Pino
  // As bench/peers.ts: sonic-boom, asynchronous.
  const dest = p.destination({ dest: file, sync: false })
  await once(dest, 'ready')
  const root = p({ level: spec.level }, dest)
  const loggers = {
    http: root.child({ name: 'oneapm.instrumentation.http' }),
    transaction: root.child({ name: 'oneapm.transaction' }),
    shim: root.child({ name: 'oneapm.shim' })
  }
  return calls(loggers, tag, spec.level === 'debug', async () => {
    const closed = once(dest, 'close')
    dest.end()
    await closed
  })
}

interface BunyanLogger extends Debugging {
  child: (fields: Record<string, string>) => Debugging
  readonly streams: ReadonlyArray<{ readonly stream: NodeJS.WritableStream }>
}
interface Bunyan { createLogger: (options: { name: string, streams: Array<{ level: string, path: string }> }) => BunyanLogger }

function bunyan (spec: VariantSpec, file: string, tag: string): Instrumentation {
  const b = require('bunyan') as Bunyan
  const root = b.createLogger({ name: 'oneapm', streams: [{ level: spec.level, path: file }] })
  const stream = root.streams[0]?.stream
  if (stream === undefined) throw new Error('bunyan: no stream')
  const loggers = {
    http: root.child({ component: 'instrumentation.http' }),
    transaction: root.child({ component: 'transaction' }),
    shim: root.child({ component: 'shim' })
  }
  return calls(loggers, tag, spec.level === 'debug', async () => {
    const finished = once(stream, 'finish')
    stream.end()
    await finished
  })
}

const NONE: Instrumentation = { request () {}, emitted: () => 0, close: async () => {} }

/** The app's instrumentation for a variant, logging to `file`; `tag` tells its records from another process's. */
export async function instrument (spec: VariantSpec, file: string, tag: string): Promise<Instrumentation> {
  switch (spec.kind) {
    case 'none': return NONE
    case 'oneapm': return oneapm(spec, file, tag)
    case 'pino': return await pino(spec, file, tag)
    case 'bunyan': return bunyan(spec, file, tag)
  }
}
