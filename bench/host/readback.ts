// Reads back what a host app wrote (the log and, for this logger, its
// rotated files) and matches every record's id (`hostrec#<tag>:<n>`, see
// bench/host/instrument.ts) against what the app says it emitted: each id
// must be found exactly once.

import fs from 'node:fs'
import { listRotated } from '../../src/index'
import { TOKEN } from './instrument'

export interface Readback {
  /** The log existed (a missing log is an anomaly even with nothing emitted). */
  readonly exists: boolean
  /** Files read: the log and its rotated files. */
  readonly files: number
  readonly rotated: number
  /** The largest file, bytes. */
  readonly maxFileBytes: number
  readonly emitted: number
  /** Ids found, each counted once however often. */
  readonly found: number
  /** Ids emitted and not found. */
  readonly lost: number
  /** Extra copies of ids found more than once. */
  readonly duplicated: number
  /** Ids that were never emitted (an unknown tag, or a number past what the tag emitted). */
  readonly unknown: number
  /** Lines holding more than one id (two records run together). */
  readonly joined: number
}

/** Scans `paths` for ids; `emitted` says how many each tag emitted. */
export function matchIds (paths: readonly string[], emitted: Readonly<Record<string, number>>): Omit<Readback, 'exists' | 'files' | 'rotated' | 'maxFileBytes'> {
  const seen = new Map<string, Uint8Array>()
  for (const [tag, n] of Object.entries(emitted)) seen.set(tag, new Uint8Array(n))
  let unknown = 0
  let joined = 0
  const line = (text: string): void => {
    let ids = 0
    for (let at = text.indexOf(TOKEN); at !== -1; at = text.indexOf(TOKEN, at + TOKEN.length)) {
      ids++
      // `<tag>:<digits>`, read by hand: no regex on what the loggers wrote.
      const colon = text.indexOf(':', at + TOKEN.length)
      const tag = colon === -1 ? '' : text.slice(at + TOKEN.length, colon)
      let end = colon + 1
      while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++
      const n = colon === -1 || end === colon + 1 ? -1 : Number(text.slice(colon + 1, end))
      const counts = seen.get(tag)
      if (counts === undefined || n < 0 || n >= counts.length) unknown++
      else if (counts[n] as number < 255) counts[n] = (counts[n] as number) + 1
    }
    if (ids > 1) joined++
  }
  const buf = Buffer.alloc(1 << 20)
  for (const p of paths) {
    const fd = fs.openSync(p, 'r')
    let carry = ''
    try {
      for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) {
        const parts = (carry + buf.toString('latin1', 0, n)).split('\n')
        carry = parts.pop() as string
        for (const part of parts) line(part)
      }
    } finally {
      fs.closeSync(fd)
    }
    if (carry !== '') line(carry)
  }
  let total = 0
  let found = 0
  let duplicated = 0
  for (const counts of seen.values()) {
    total += counts.length
    for (const c of counts) {
      if (c > 0) found++
      if (c > 1) duplicated += c - 1
    }
  }
  return { emitted: total, found, lost: total - found, duplicated, unknown, joined }
}

/** Reads back `file` (and, when it `rotates`, the files it rotated to). */
export function readBack (file: string, emitted: Readonly<Record<string, number>>, rotates: boolean): Readback {
  const exists = fs.existsSync(file)
  const rotated = rotates ? listRotated(file).map((f) => f.path) : []
  const paths = [...(exists ? [file] : []), ...rotated]
  const maxFileBytes = paths.reduce((m, p) => Math.max(m, fs.statSync(p).size), 0)
  return { exists, files: paths.length, rotated: rotated.length, maxFileBytes, ...matchIds(paths, emitted) }
}

/** What is wrong with a readback; empty when every id is there once. `logs`: false for the app without a logger. */
export function readbackProblems (r: Readback, logs = true): string[] {
  const out: string[] = []
  if (logs && !r.exists) out.push('no log file')
  if (!logs && r.exists) out.push('a log file from the app without a logger')
  if (r.lost > 0) out.push(`${r.lost} of ${r.emitted} records lost`)
  if (r.duplicated > 0) out.push(`${r.duplicated} records duplicated`)
  if (r.unknown > 0) out.push(`${r.unknown} ids that were never emitted`)
  if (r.joined > 0) out.push(`${r.joined} lines hold more than one record`)
  return out
}
