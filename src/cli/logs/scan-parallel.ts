// summary's scan on several cores: the planned files are cut into units
// (a gzipped file whole, since deflate cannot be entered midway; a plain
// file in byte ranges cut at line starts), worker threads read the units
// into partial summaries (scan-part.ts), and this thread folds the parts in
// reading order into one SummaryBuilder (SummaryBuilder.merge), so the
// result is exactly what the single-thread in-order read gives: counts add
// up, error kinds keep their order of first sight, the events table takes
// the last rows, and the events whose effect depends on what came before
// (timeline, findings, identity, last HTTP status) are read here, in order.
//
// The same checks as read-in-order.ts decide whether the files may be read
// in order at all; when they overlap, or a part overflows its bounds, or a
// plain file was replaced (rotated) while its ranges were read, or a worker
// dies, the caller scans on one thread instead. Workers are
// terminated (and unref()ed) when done: they never keep the CLI alive.

import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { PlannedFile } from './files'
import type { FileRead, Summary } from './model'
import { countOverlong, fileRead, type Counts, type ReadRange } from './read'
import { mtimesOverlap, nextLower, type ByteRange } from './read-in-order'
import { readUnit, type UnitRead } from './scan-part'
import type { UnitRequest, WorkerSetup } from './scan-worker'
import { SummaryBuilder, type RecordRedaction } from './summary'

export interface ScanOptions {
  /** 1: one thread; 2 or more: that many workers whatever the input; none: by input size and cores. */
  readonly threads?: number | undefined
  /** Plain files are cut into ranges of about this many bytes (default: about four units a thread, UNIT_MIN to UNIT_MAX). */
  readonly unitBytes?: number | undefined
  /** How a worker makes the redaction this thread was given: outputRedactor(config). None: no redaction. */
  readonly redact?: { readonly config: string | undefined, readonly source?: string | undefined } | undefined
}

/**
 * Below this much to read (gzip counted at GZIP_WEIGHT), one thread. A worker costs its start
 * and its own JIT warm-up (about 0.5 s of CPU), and one thread already keeps a second core partly
 * busy (inflating, GC, compiling): measured on 2 cores, two threads were slower than one at
 * 107 MB (one plain file) and at 256 MB (10 files), and 16 % faster at 1 GB.
 */
const PARALLEL_MIN_BYTES = 384 * 1024 * 1024
/** A compressed byte inflates to several and costs as much to read as about this many plain ones. */
const GZIP_WEIGHT = 6
/**
 * Plain-file units: small enough that the threads end together (a worker starts late and cold,
 * so it reads its first units slower), big enough that a unit's own cost (its part) stays small.
 */
const UNIT_MIN = 4 * 1024 * 1024
const UNIT_MAX = 32 * 1024 * 1024
const MAX_THREADS = 4

interface Unit {
  readonly file: PlannedFile
  readonly bytes: ByteRange | undefined
}

/** How many workers the scan of `files` should use; 1: scan on this thread. */
export function scanThreads (files: readonly PlannedFile[], scan: ScanOptions): number {
  const all = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
  // Asked for: no more than the cores (a worker is 50-100 MB of heap, and more threads than cores
  // only take turns), but two when asked for two or more, so workers can be forced on one core.
  if (scan.threads !== undefined) return Math.max(1, Math.min(Math.floor(scan.threads), Math.max(2, all)))
  const cores = Math.min(MAX_THREADS, all)
  if (cores < 2) return 1
  return weight(files) >= PARALLEL_MIN_BYTES ? cores : 1
}

/** What reading the files costs, in plain bytes. */
function weight (files: readonly PlannedFile[]): number {
  let w = 0
  for (const f of files) if (!f.skip) w += f.gzip ? f.size * GZIP_WEIGHT : f.size
  return w
}

function units (pending: readonly PlannedFile[], unitBytes: number): Unit[] {
  const out: Unit[] = []
  for (const f of pending) {
    if (f.gzip || f.size <= unitBytes) {
      out.push({ file: f, bytes: undefined })
      continue
    }
    const n = Math.ceil(f.size / unitBytes)
    const step = Math.ceil(f.size / n)
    // The last range runs to the end, whatever the file holds by then (plainChunks stops at the listed size).
    for (let k = 0; k < n; k++) out.push({ file: f, bytes: { from: k * step, to: k === n - 1 ? Infinity : (k + 1) * step } })
  }
  return out
}

type Outcome = { summary: Summary } | { fallback: 'overlap' | 'single' }

/**
 * The summary of `files` read by `threads` workers, equal to the single-thread one; or why not:
 * 'overlap' (the files overlap in time: merge them by time) or 'single' (scan on one thread).
 */
export async function scanParallel (files: readonly PlannedFile[], range: ReadRange, redaction: RecordRedaction | undefined, scan: ScanOptions, threads: number): Promise<Outcome> {
  const pending = files.filter((f) => !f.skip)
  if (mtimesOverlap(pending)) return { fallback: 'overlap' }
  // A held fd (tail -f's) cannot be sent to another thread.
  if (pending.some((f) => f.fd !== undefined)) return { fallback: 'single' }
  const list = units(pending, Math.max(1, scan.unitBytes ?? Math.min(UNIT_MAX, Math.max(UNIT_MIN, Math.ceil(weight(pending) / (4 * threads))))))
  const builder = new SummaryBuilder(redaction)
  const counts = new Map<PlannedFile, Counts>()
  const overlong = new Map<PlannedFile, number>()
  let prevMax = -Infinity
  let fileAt = -1
  let bound = Infinity
  let fileFirst = true
  /** Folds unit `i`'s read in; a reason when the parts cannot make the single-thread summary. */
  const fold = (u: Unit, r: UnitRead): 'overlap' | 'single' | undefined => {
    if (r.part.overflow || r.replaced) return 'single'
    const f = u.file
    if (pending[fileAt] !== f) {
      fileAt = pending.indexOf(f, fileAt + 1)
      bound = Number.isNaN(f.lower) ? -Infinity : nextLower(pending, fileAt)
      fileFirst = true
    }
    // read-in-order.ts's check, a unit at a time: no record past the next file's first, and a
    // file's first record no earlier than any before it.
    if (r.records > 0) {
      if ((fileFirst && r.first < prevMax) || r.max > bound) return 'overlap'
      fileFirst = false
      if (r.max > prevMax) prevMax = r.max
    }
    builder.merge(r.part, f.path)
    let c = counts.get(f)
    if (c === undefined) {
      c = { records: 0, otherLines: 0, problem: undefined }
      counts.set(f, c)
    }
    c.records += r.records
    c.otherLines += r.otherLines
    c.problem ??= r.problem
    overlong.set(f, (overlong.get(f) ?? 0) + r.overlong)
    return undefined
  }
  const failed = await runUnits(list, Math.min(threads, list.length), { redact: scan.redact }, range, redaction, fold)
  if (failed !== undefined) return { fallback: failed }
  for (const [f, c] of counts) countOverlong(overlong.get(f) ?? 0, c)
  const read: FileRead[] = files.map((f) => fileRead(f, counts.get(f)))
  return { summary: builder.finish(read, range.since, range.until) }
}

/**
 * Reads `list` on `threads` threads (this one and threads - 1 workers), handing each unit's read
 * to `fold` in list order (reads that come early wait, at most one per thread). A reason to give
 * up, or undefined when all were folded. This thread reads units too: it has the code loaded
 * already, and a worker more would cost its start and its own warm-up.
 */
function runUnits (list: readonly Unit[], threads: number, setup: WorkerSetup, range: ReadRange, redaction: RecordRedaction | undefined, fold: (u: Unit, r: UnitRead) => 'overlap' | 'single' | undefined): Promise<'overlap' | 'single' | undefined> {
  if (list.length === 0) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    const workers: Worker[] = []
    const done = new Map<number, UnitRead>()
    let next = 0
    let folded = 0
    let over = false
    const finish = (why: 'overlap' | 'single' | undefined): void => {
      if (over) return
      over = true
      // Not awaited: a worker mid-read ends at terminate(), and unref()ed it holds nothing up meanwhile.
      for (const w of workers) {
        w.unref()
        void w.terminate().catch(() => {})
      }
      resolve(why)
    }
    /** Unit `id` read: fold what is due; false when the scan is over. */
    const arrived = (id: number, read: UnitRead): boolean => {
      done.set(id, read)
      while (done.has(folded)) {
        const r = done.get(folded) as UnitRead
        done.delete(folded)
        const why = fold(list[folded] as Unit, r)
        folded++
        if (why !== undefined) { finish(why); return false }
      }
      if (folded === list.length) { finish(undefined); return false }
      return true
    }
    const send = (w: Worker): void => {
      if (next >= list.length) return
      const id = next++
      const u = list[id] as Unit
      const m: UnitRequest = { id, file: u.file, range, bytes: u.bytes }
      w.postMessage(m)
    }
    const file = path.join(__dirname, 'scan-worker.js')
    for (let k = 1; k < threads; k++) {
      let w: Worker
      try {
        w = new Worker(file, { workerData: setup, stdout: true, stderr: true })
      } catch {
        finish('single')
        return
      }
      workers.push(w)
      w.on('message', (m: { id: number, read?: UnitRead, error?: string }) => {
        if (over) return
        if (m.read === undefined) { finish('single'); return }
        if (arrived(m.id, m.read)) send(w)
      })
      w.on('error', () => { finish('single') })
      w.on('exit', () => { if (!over) finish('single') })
      // Its first unit when it can start on it (a worker takes 50-300 ms to start): meanwhile this
      // thread reads from the first unit on, and the folding in order never waits on a starting worker.
      w.once('online', () => { if (!over) send(w) })
    }
    const local = async (): Promise<void> => {
      while (!over && next < list.length) {
        const id = next++
        const u = list[id] as Unit
        const read = await readUnit(u.file, range, u.bytes, redaction)
        if (over || !arrived(id, read)) return
      }
    }
    local().catch(() => { finish('single') })
  })
}
