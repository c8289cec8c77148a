// One small adapter per logger: the same four calls, written the way each
// library's own documentation writes them, to a file. Peers are loaded with
// require() and described by the few members used here.

import { once, type EventEmitter } from 'node:events'
import fs from 'node:fs'
import util from 'node:util'
import { createLogger } from '../src/index'

export interface Peer {
  /** Workload 1: a message with two printf arguments. */
  info2: () => void
  /** Workload 2: five fields and a message. */
  info5: () => void
  /** Workload 3: a debug call at level info (disabled). */
  debugDisabled: (arg: string) => void
  /** Workload 4: an Error and a message. */
  error: (err: Error) => void
  /** Everything written and the file closed. */
  end: () => Promise<void>
  /** This logger only: what its flight recorder holds and has pushed out (zeros when it is off). */
  recorder?: () => { held: number, evicted: number }
}

export const PEERS = ['oneapm-text', 'oneapm-json', 'pino', 'winston', 'bunyan', 'log4js', 'debug'] as const
export type PeerName = typeof PEERS[number]

/** Text each record of a workload contains exactly once: what the worker counts in the file. */
export const MARKERS = { info2: 'took 42 ms', info5: 'request done', error: 'request failed' } as const

const FIELDS = { method: 'GET', url: '/api/v1/users', status: 200, duration: 12.5, user: 'u-123' }

type LogFn = (...args: unknown[]) => void
interface Leveled { info: LogFn, debug: LogFn, error: LogFn }

/** Settings for this logger beyond file, format and level (rotation, flight recorder); other loggers ignore them. */
export type ExtraSettings = Readonly<Record<string, string>>

function oneapm (format: 'text' | 'json', file: string, extra: ExtraSettings): Peer {
  const log = createLogger({ ...extra, log_file: file, log_format: format, log_level: 'info' }, { global: false })
  return {
    info2: () => { log.info('request %s took %d ms', '/api/v1/users', 42) },
    info5: () => { log.info(FIELDS, 'request done') },
    debugDisabled: (arg) => { log.debug('x %s', arg) },
    error: (err) => { log.error(err, 'request failed') },
    end: async () => {
      log.flush()
      await log.close()
    },
    recorder: () => {
      const { held, evicted } = log.stats().flightRecorder
      return { held, evicted }
    }
  }
}

interface SonicBoom extends EventEmitter { end: () => void }
interface Pino {
  (options: { level: string }, dest: SonicBoom): Leveled
  destination: (options: { dest: string, sync: boolean }) => SonicBoom
}

async function pino (file: string): Promise<Peer> {
  const p = require('pino') as Pino
  const dest = p.destination({ dest: file, sync: false })
  await once(dest, 'ready')
  const log = p({ level: 'info' }, dest)
  return {
    info2: () => { log.info('request %s took %d ms', '/api/v1/users', 42) },
    info5: () => { log.info(FIELDS, 'request done') },
    debugDisabled: (arg) => { log.debug('x %s', arg) },
    error: (err) => { log.error(err, 'request failed') },
    end: async () => {
      // end() writes what sonic-boom still buffers, then closes the fd.
      const closed = once(dest, 'close')
      dest.end()
      await closed
    }
  }
}

interface WinstonFormat { transform: unknown }
interface Winston {
  createLogger: (options: { level: string, format: WinstonFormat, transports: unknown[] }) => Leveled & { end: () => void, readonly readableLength: number }
  format: {
    combine: (...formats: WinstonFormat[]) => WinstonFormat
    errors: (options: { stack: boolean }) => WinstonFormat
    splat: () => WinstonFormat
    timestamp: () => WinstonFormat
    json: () => WinstonFormat
  }
  transports: { File: new (options: { filename: string }) => EventEmitter }
}

async function winston (file: string): Promise<Peer> {
  const w = require('winston') as Winston
  const transport = new w.transports.File({ filename: file })
  const { combine, errors, splat, timestamp, json } = w.format
  const log = w.createLogger({ level: 'info', format: combine(errors({ stack: true }), splat(), timestamp(), json()), transports: [transport] })
  await once(transport, 'open')
  return {
    info2: () => { log.info('request %s took %d ms', '/api/v1/users', 42) },
    info5: () => { log.info('request done', FIELDS) },
    debugDisabled: (arg) => { log.debug('x %s', arg) },
    error: (err) => { log.error('request failed', err) },
    end: async () => {
      // The logger ends its transports when its input is done, even if records it has
      // formatted are still waiting for the transport ("write after end"): let them go first.
      while (log.readableLength > 0) await new Promise((resolve) => { setImmediate(resolve) })
      // The transport's 'finish' waits for its file stream; the logger's own can come sooner.
      const finished = once(transport, 'finish')
      log.end()
      await finished
    }
  }
}

interface Bunyan {
  createLogger: (options: { name: string, streams: Array<{ level: string, path: string }> }) => Leveled & { streams: Array<{ stream: NodeJS.WritableStream }> }
}

async function bunyan (file: string): Promise<Peer> {
  const b = require('bunyan') as Bunyan
  const log = b.createLogger({ name: 'bench', streams: [{ level: 'info', path: file }] })
  const stream = log.streams[0]?.stream
  if (stream === undefined) throw new Error('bunyan: no stream')
  return {
    info2: () => { log.info('request %s took %d ms', '/api/v1/users', 42) },
    info5: () => { log.info(FIELDS, 'request done') },
    debugDisabled: (arg) => { log.debug('x %s', arg) },
    error: (err) => { log.error(err, 'request failed') },
    end: async () => {
      const finished = once(stream, 'finish')
      stream.end()
      await finished
    }
  }
}

interface Log4js {
  configure: (config: object) => void
  getLogger: (category?: string) => Leveled
  shutdown: (cb: (err?: Error) => void) => void
}

async function log4js (file: string): Promise<Peer> {
  const l = require('log4js') as Log4js
  l.configure({ appenders: { file: { type: 'file', filename: file } }, categories: { default: { appenders: ['file'], level: 'info' } } })
  const log = l.getLogger('bench')
  return {
    info2: () => { log.info('request %s took %d ms', '/api/v1/users', 42) },
    // log4js has no structured fields: the object is formatted after the message.
    info5: () => { log.info('request done', FIELDS) },
    debugDisabled: (arg) => { log.debug('x %s', arg) },
    error: (err) => { log.error('request failed', err) },
    end: async () => {
      await new Promise<void>((resolve, reject) => { l.shutdown((err) => { err === undefined || err === null ? resolve() : reject(err) }) })
    }
  }
}

interface Debugger { (...args: unknown[]): void, log: LogFn, useColors: boolean }
interface Debug { (namespace: string): Debugger, enable: (namespaces: string) => void }

async function debug (file: string): Promise<Peer> {
  const d = require('debug') as Debug
  d.enable('bench:info,bench:error') // bench:debug stays disabled
  const stream = fs.createWriteStream(file, { flags: 'a' })
  await once(stream, 'open')
  const make = (ns: string): Debugger => {
    const fn = d(ns)
    fn.useColors = false
    fn.log = (...args) => { stream.write(util.format(...args) + '\n') }
    return fn
  }
  const info = make('bench:info')
  const dbg = make('bench:debug')
  const error = make('bench:error')
  return {
    info2: () => { info('request %s took %d ms', '/api/v1/users', 42) },
    info5: () => { info('request done %o', FIELDS) },
    debugDisabled: (arg) => { dbg('x %s', arg) },
    error: (err) => { error('request failed %o', err) },
    end: async () => {
      const finished = once(stream, 'finish')
      stream.end()
      await finished
    }
  }
}

export async function createPeer (name: PeerName, file: string, extra: ExtraSettings = {}): Promise<Peer> {
  switch (name) {
    case 'oneapm-text': return oneapm('text', file, extra)
    case 'oneapm-json': return oneapm('json', file, extra)
    case 'pino': return await pino(file)
    case 'winston': return await winston(file)
    case 'bunyan': return await bunyan(file)
    case 'log4js': return await log4js(file)
    case 'debug': return await debug(file)
  }
}
