// summary's fast path (files read one after another, lines parsed in place)
// against the general one (records merged by time across files): over
// generated log sets, with several pids per file, text and JSON lines, events,
// garbage and gzip, disjoint in time or overlapping, both give the same
// Summary, and the fast path is taken whenever the files do not overlap.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { test } from 'node:test'
import fc from 'fast-check'
import { describeFile, planFiles } from '../../../src/cli/logs/files'
import { summarizeInOrder, summarizeMerged } from '../../../src/cli/logs/summarize'
import { tmpDir } from '../../helpers/tmp'

const T0 = Date.UTC(2026, 10, 21, 8, 0, 0)
const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

function textTime (ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}+0000`
}

interface Rec { dt: number, pid: number, kind: number, json: boolean, n: number }

const LEVELS = ['INFO', 'DEBUG', 'WARNING', 'ERROR', 'CRITICAL', 'TRACE'] as const

/** One line: a plain record, an event the summary reads fields of, or garbage. */
function line (time: number, r: Rec): string {
  const level = LEVELS[r.n % LEVELS.length] as string
  let body: string
  switch (r.kind) {
    case 0: body = `harvest cycle ${r.n} done in ${r.n % 50} ms records=${r.n}`; break
    case 1: body = `collector answered 503 event=collector_error cause="HTTP ${500 + (r.n % 4)}" url="http://c.example/x?method=metric_data" status=${500 + (r.n % 4)}`; break
    case 2: body = `recovered event=collector_recovered failures=${r.n % 9} seconds=3`; break
    case 3: body = `started event=agent_start version=1.${r.n % 3}.0 node=v20 settings="{\\"proxy\\":\\"(unset) (default)\\"}"`; break
    case 4: body = `failed err.type=Error err.code=E${r.n % 5} event=records_dropped reason=full dropped=${r.n}`; break
    case 5: return `garbage ${r.n} \u0000 not a record\n`
    default: body = `short ${r.n}`
  }
  if (r.json) {
    return JSON.stringify({ time: new Date(time).toISOString(), level: level.toLowerCase(), name: 'oneapm.json', pid: r.pid, thread: 'main', msg: `json ${r.n}`, ...(r.kind === 1 ? { event: 'collector_error', cause: 'HTTP 413', url: 'http://c.example/?method=span_data', status: 413 } : {}) }) + '\n'
  }
  return `${textTime(time)} (${r.pid}/main) oneapm.${r.kind === 6 ? 'x' : 'collector'} ${level} - ${body}\n`
}

const recArb = fc.record({
  dt: fc.integer({ min: 0, max: 5000 }),
  pid: fc.constantFrom(100, 200, 300),
  kind: fc.integer({ min: 0, max: 6 }),
  json: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  n: fc.nat(1000)
})

const setArb = fc.record({
  files: fc.array(fc.record({ recs: fc.array(recArb, { maxLength: 40 }), gzip: fc.boolean() }), { minLength: 1, maxLength: 5 }),
  /** 0: times rise across files (rotated files); 1: each file starts over (overlap); 2: times shuffled within each file, files disjoint. */
  layout: fc.integer({ min: 0, max: 2 }),
  since: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined })
})

type LogSet = fc.Arbitrary<typeof setArb extends fc.Arbitrary<infer S> ? S : never>

function write (dir: string, set: LogSet extends fc.Arbitrary<infer S> ? S : never): string[] {
  let t = T0
  return set.files.map((f, k) => {
    if (set.layout === 1) t = T0
    const times = f.recs.map((r) => (t += r.dt))
    if (set.layout === 2) times.reverse()
    // The last file is the current one; the others rotated, oldest first.
    const p = path.join(dir, k === set.files.length - 1 ? 'agent.log' : `agent.log.${k}${f.gzip ? '.gz' : ''}`)
    const text = f.recs.map((r, i) => line(times[i] as number, r)).join('')
    fs.writeFileSync(p, k < set.files.length - 1 && f.gzip ? zlib.gzipSync(text) : text)
    const mtime = (times.length === 0 ? T0 : Math.max(...times)) / 1000
    fs.utimesSync(p, mtime, mtime)
    // Each file its own t: the next file starts later.
    t += 1
    return p
  })
}

test('the in-order summary equals the merged one, and is taken when the files do not overlap', async () => {
  const dir = tmpDir()
  let fast = 0
  await fc.assert(fc.asyncProperty(setArb, async (set) => {
    const sub = fs.mkdtempSync(path.join(dir, 'set-'))
    try {
      const paths = write(sub, set)
      const since = set.since === undefined ? -Infinity : T0 + set.since
      const planned = planFiles(paths.map(describeFile), since, Infinity)
      const range = { since, until: Infinity }
      const inOrder = await summarizeInOrder(planned, range)
      const merged = await summarizeMerged(planned, range)
      if (inOrder !== undefined) {
        fast++
        assert.deepEqual(inOrder, merged)
      }
      // Rising times across files (layout 0) with each file in time order: the fast path must hold.
      if (set.layout === 0) assert.notEqual(inOrder, undefined, 'files in time order were not read in order')
    } finally {
      fs.rmSync(sub, { recursive: true, force: true })
    }
  }), { numRuns: 150 })
  assert.ok(fast > 20, `fast path taken ${fast} times`)
})
