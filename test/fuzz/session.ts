// A file logger in a temp dir, driven through the public API, and what it wrote.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createLogger, type Logger } from '../../src/index'

export interface Written {
  readonly content: string
  /** What reached the caller: a throw from createLogger, a log call, flush or close. */
  readonly thrown: unknown[]
}

/**
 * Creates an independent logger writing to a fresh temp file with `settings`,
 * runs `body`, flushes, closes, and returns the file's content. The dir is
 * removed before returning.
 */
export async function logToFile (settings: Record<string, unknown>, body: (log: Logger) => void): Promise<Written> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneapm-fuzz-'))
  const file = path.join(dir, 'agent.log')
  const thrown: unknown[] = []
  try {
    let log: Logger | undefined
    try {
      log = createLogger({ log_file: file, ...settings }, { global: false })
    } catch (err) {
      thrown.push(err)
    }
    if (log !== undefined) {
      try { body(log) } catch (err) { thrown.push(err) }
      try { log.flush() } catch (err) { thrown.push(err) }
      try { await log.close() } catch (err) { thrown.push(err) }
    }
    return { content: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '', thrown }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** A temp dir for `fn`, removed afterwards whatever happens. */
export async function inTempDir<T> (fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneapm-fuzz-'))
  try {
    return await fn(dir)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
