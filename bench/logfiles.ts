// Reads back what the rotation workloads wrote: the current log and every
// rotated file next to it, line by line, so the bench can say that every
// record is there, once, whole, and how large the files grew.

import fs from 'node:fs'
import path from 'node:path'
import { listRotated } from '../src/index'

export interface LogScan {
  /** Files holding lines: the current log and the rotated ones. */
  readonly files: number
  /** Rotated files, as listRotated() names them. */
  readonly rotated: number
  /** The largest of those files, in bytes, and all of them together. */
  readonly maxFileBytes: number
  readonly totalBytes: number
  readonly lines: number
  /** Lines holding the marker once: the records of the workload. */
  readonly records: number
  /** Lines holding the marker more than once: two writes interleaved. */
  readonly doubled: number
  /** This logger's own lines: one startup record per process, one notice per rotation. */
  readonly startups: number
  readonly notices: number
  /** Any other line, and how many of them carry each \`event=\` name ('none' for none). */
  readonly other: number
  readonly otherEvents: Readonly<Record<string, number>>
  /** Empty lines, and other lines that do not begin with a timestamp (torn). */
  readonly blank: number
  readonly malformed: number
  /** Files whose last line has no newline. */
  readonly unterminated: number
  /** Files next to the log that are neither it, a rotated file, nor the rotation lock or state. */
  readonly strangers: readonly string[]
  /** Up to three of the other (one per event name) and malformed lines, cut to 200 characters. */
  readonly samples: readonly string[]
}

const TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[.,]\d{3}/
const COORDINATION = /\.rotate-v\d+\.(lock|state)$/

/** Scans `file` and its rotated files for lines holding `marker` (ASCII). */
export function scanLog (file: string, marker: string): LogScan {
  const dir = path.dirname(file)
  const base = path.basename(file)
  const rotated = listRotated(file).map((f) => f.path)
  const known = new Set([file, ...rotated])
  const strangers = fs.readdirSync(dir).filter((n) => n.startsWith(base) && !known.has(path.join(dir, n)) && !COORDINATION.test(n))
  const paths = [...(fs.existsSync(file) ? [file] : []), ...rotated]

  let maxFileBytes = 0
  let totalBytes = 0
  let lines = 0
  let records = 0
  let doubled = 0
  let startups = 0
  let notices = 0
  let other = 0
  const otherEvents: Record<string, number> = {}
  let blank = 0
  let malformed = 0
  let unterminated = 0
  const samples: string[] = []
  const line = (text: string): void => {
    lines++
    if (text === '') {
      blank++
      return
    }
    if (!TIMESTAMP.test(text)) {
      malformed++
      if (samples.length < 3) samples.push(text.slice(0, 200))
      return
    }
    const at = text.indexOf(marker)
    if (at !== -1) {
      if (text.indexOf(marker, at + marker.length) === -1) records++
      else doubled++
    } else if (text.includes(' event=agent_start')) {
      startups++
    } else if (text.includes(' event=log_rotated')) {
      notices++
    } else {
      other++
      const event = / event=(\S+)/.exec(text)?.[1] ?? 'none'
      otherEvents[event] = (otherEvents[event] ?? 0) + 1
      // One example of each kind.
      if (otherEvents[event] === 1 && samples.length < 3) samples.push(text.slice(0, 200))
    }
  }

  const buf = Buffer.alloc(1 << 20)
  for (const p of paths) {
    const fd = fs.openSync(p, 'r')
    let size = 0
    let carry = ''
    try {
      for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) {
        size += n
        const parts = (carry + buf.toString('latin1', 0, n)).split('\n')
        carry = parts.pop() as string
        for (const part of parts) line(part)
      }
    } finally {
      fs.closeSync(fd)
    }
    if (carry !== '') {
      unterminated++
      line(carry)
    }
    maxFileBytes = Math.max(maxFileBytes, size)
    totalBytes += size
  }
  return { files: paths.length, rotated: rotated.length, maxFileBytes, totalBytes, lines, records, doubled, startups, notices, other, otherEvents, blank, malformed, unterminated, strangers, samples }
}

/**
 * What is wrong with a scan, given the records and processes expected and the
 * size limit (0: none): missing or extra records, torn lines, lines nobody
 * logged, a rotation without its notice. Empty when all is well. A file over
 * the size limit is not listed here: the caller reports the largest file.
 */
export function scanProblems (s: LogScan, expected: number, processes: number): string[] {
  const out: string[] = []
  if (s.records !== expected) out.push(`${s.records} records across ${s.files} files, ${expected} expected (${s.records < expected ? 'fewer' : 'more'})`)
  if (s.doubled > 0) out.push(`${s.doubled} lines hold two records (interleaved writes)`)
  if (s.blank > 0) out.push(`${s.blank} empty lines`)
  if (s.malformed > 0) out.push(`${s.malformed} lines do not begin with a timestamp (torn)`)
  if (s.unterminated > 0) out.push(`${s.unterminated} files end without a newline`)
  if (s.startups !== processes) out.push(`${s.startups} startup records, ${processes} expected`)
  if (s.notices !== s.rotated) out.push(`${s.notices} rotation notices for ${s.rotated} rotated files`)
  if (s.other > 0) out.push(`${s.other} other lines (${Object.entries(s.otherEvents).map(([e, n]) => `${n} event=${e}`).join(', ')})`)
  if (s.strangers.length > 0) out.push(`unexpected files next to the log: ${s.strangers.slice(0, 5).join(', ')}`)
  if (s.samples.length > 0) out.push(`e.g. ${s.samples.map((x) => JSON.stringify(x)).join('; ')}`)
  return out
}
