// Writers in real processes and an exactly-once audit of what they left:
// every (process, seq) once, no unparsable line, no NUL byte, order kept
// per process within each file, every file within the size bound.

import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { cleanEnv } from './child'
import { LIB } from './tmp'

export interface WriterOptions {
  readonly file: string
  readonly id: number
  readonly records: number
  /** Settings passed to createLogger, merged over json format and a 16KB line cap. */
  readonly settings?: Record<string, unknown>
  /** createLogger's rotation hooks (checkMs, graceMs, staleLockMs, periodMs). */
  readonly rotation?: Record<string, number>
  /** Yield to the event loop every this many records (a batch per turn). */
  readonly batch?: number
  /** Sleep this many ms at each yield, to spread the writing over time. */
  readonly pauseMs?: number
  /** Stay alive this long after the last record (for retention). */
  readonly lingerMs?: number
}

/** Padding sizes cycle from tiny to past 4 KiB to just under the 16 KiB line cap. */
export const PAD_SIZES = [0, 10, 80, 200, 1200, 4500, 9000, 15_500]

export function writerProgram (o: WriterOptions): string {
  return `
    const lib = require(${JSON.stringify(LIB)})
    const log = lib.createLogger(Object.assign({ log_file: ${JSON.stringify(o.file)}, log_format: 'json', log_max_line: '16KB' }, ${JSON.stringify(o.settings ?? {})}),
      { hooks: { rotation: ${JSON.stringify(o.rotation ?? {})} } })
    const sizes = ${JSON.stringify(PAD_SIZES)}
    const pad = sizes.map((n) => 'x'.repeat(n))
    const sleep = (ms) => new Promise((r) => ms > 0 ? setTimeout(r, ms) : setImmediate(r))
    ;(async () => {
      for (let s = 0; s < ${o.records}; s++) {
        // Mostly small records, now and then a large one.
        const k = s % 97 === 0 ? 7 : s % 13 === 0 ? 5 + (s % 2) : s % 4
        log.info({ p: ${o.id}, s, x: pad[k] }, 'stress')
        if (s === 100 && process.send) process.send('under way')
        if ((s + 1) % ${o.batch ?? 20} === 0) await sleep(${o.pauseMs ?? 0})
      }
      await sleep(${o.lingerMs ?? 0})
      // An IPC channel (fork, cluster) would keep the process alive.
      if (process.connected) process.disconnect()
    })()
  `
}

export function startWriter (o: WriterOptions): ChildProcess {
  return spawn(process.execPath, ['-e', writerProgram(o)], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
}

/** Resolves once the writer has logged 100 records. */
export function underWay (child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once('message', () => { resolve() }))
}

export function exited (child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.on('exit', (code) => { resolve(code) }))
}

export interface Audit {
  /** Per process, the seqs seen (sorted). */
  readonly seqs: Map<number, number[]>
  readonly files: number
  readonly lines: number
  readonly unparsable: number
  /** Of those, lines that end a rotated file (not the current one): where a copy can cut a line a writer was still writing. */
  readonly unparsableAtCopyEnd: number
  readonly nulBytes: number
  readonly duplicates: number
  readonly outOfOrder: number
  readonly largestFile: number
  /** Other records (startup lines, rotation notices), by event. */
  readonly events: Map<string, number>
}

/** Every file the log left next to `file`: the current one, rotated ones, gzipped ones. */
export function logFiles (file: string): string[] {
  const dir = path.dirname(file)
  const base = path.basename(file)
  return fs.readdirSync(dir)
    .filter((n) => n === base || (n.startsWith(base + '.') && !/\.(lock|state|tmp)$|\.rotate-|\.compressing-|\.tmp-/.test(n)))
    .map((n) => path.join(dir, n))
}

export function audit (file: string): Audit {
  const seqs = new Map<number, number[]>()
  const seen = new Set<string>()
  const events = new Map<string, number>()
  let lines = 0
  let unparsable = 0
  let unparsableAtCopyEnd = 0
  let nulBytes = 0
  let duplicates = 0
  let outOfOrder = 0
  let largestFile = 0
  const files = logFiles(file)
  for (const f of files) {
    let buf = fs.readFileSync(f)
    if (f.endsWith('.gz')) buf = zlib.gunzipSync(buf)
    else largestFile = Math.max(largestFile, buf.length)
    for (const byte of buf) if (byte === 0) nulBytes++
    const last = new Map<number, number>()
    const all = buf.toString('utf8').split('\n')
    let lastLine = all.length - 1
    while (lastLine >= 0 && all[lastLine] === '') lastLine--
    for (let i = 0; i < all.length; i++) {
      const line = all[i] as string
      if (line === '') continue
      lines++
      let rec: { p?: number, s?: number, event?: string }
      try {
        rec = JSON.parse(line) as typeof rec
      } catch {
        unparsable++
        if (i === lastLine && f !== file) unparsableAtCopyEnd++
        continue
      }
      if (rec.p === undefined || rec.s === undefined) {
        const e = rec.event ?? 'other'
        events.set(e, (events.get(e) ?? 0) + 1)
        continue
      }
      const key = `${rec.p}:${rec.s}`
      if (seen.has(key)) duplicates++
      seen.add(key)
      const list = seqs.get(rec.p) ?? []
      list.push(rec.s)
      seqs.set(rec.p, list)
      if ((last.get(rec.p) ?? -1) > rec.s) outOfOrder++
      last.set(rec.p, rec.s)
    }
  }
  for (const list of seqs.values()) list.sort((a, b) => a - b)
  return { seqs, files: files.length, lines, unparsable, unparsableAtCopyEnd, nulBytes, duplicates, outOfOrder, largestFile, events }
}

/** No loss, no duplicate, no torn line, order kept: the common assertions. */
export function assertClean (a: Audit): void {
  assert.equal(a.unparsable, 0, 'unparsable lines')
  assert.equal(a.nulBytes, 0, 'NUL bytes')
  assert.equal(a.duplicates, 0, 'duplicated records')
  assert.equal(a.outOfOrder, 0, 'records out of order within a file')
}

export function assertExact (a: Audit, writers: number, records: number): void {
  assertClean(a)
  for (let p = 0; p < writers; p++) assertPrefix(a, p, records, records)
}

/** Process p's records are 0..n-1 with no gap, and n is at least `min`. */
export function assertPrefix (a: Audit, p: number, min: number, max: number): number {
  const list = a.seqs.get(p) ?? []
  assert.ok(list.length >= min && list.length <= max, `process ${p}: ${list.length} records, expected ${min}..${max}`)
  list.forEach((s, i) => { assert.equal(s, i, `process ${p}: gap before seq ${s}`) })
  return list.length
}
