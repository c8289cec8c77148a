// What summary keeps per process and per failing cause is bounded, whatever
// the log holds: a log where every line names a new pid, or every
// collector_error a new cause with no recovery, once grew the summary's
// memory with the log (found by the attack pass). Past the bounds the
// records are still counted; the parallel scan gives what one thread gives.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { main } from '../../../src/cli/main'
import { describeFile, planFiles } from '../../../src/cli/logs/files'
import { summarize, summarizeParallel } from '../../../src/cli/logs/summarize'
import { PIDS_MAX, Tally } from '../../../src/cli/logs/tally'
import { tmpDir } from '../../helpers/tmp'

const T0 = Date.UTC(2026, 10, 21)

test('a tally follows the first PIDS_MAX processes and counts the records of later ones together; parts under the bound merge to the whole', () => {
  const pidOf = (i: number): number => 100_000 + (i % (PIDS_MAX + 1500))
  const n = 3 * (PIDS_MAX + 1500)
  const whole = new Tally()
  const parts = Array.from({ length: 6 }, () => new Tally())
  for (let i = 0; i < n; i++) {
    whole.add(T0 + i, 'info', pidOf(i))
    // Each part sees fewer than PIDS_MAX processes: exact to merge.
    ;(parts[Math.floor(i * 6 / n)] as Tally).add(T0 + i, 'info', pidOf(i))
  }
  assert.equal(whole.pids.size, PIDS_MAX)
  assert.equal(whole.otherRecords, 3 * 1500)
  assert.equal(whole.records, n)
  const merged = new Tally()
  for (const p of parts) {
    assert.equal(p.otherRecords, 0)
    merged.merge(p.part())
  }
  assert.deepEqual(merged.part(), whole.part())
})

function line (t: number, pid: number, body: string, level = 'INFO'): string {
  const d = new Date(t).toISOString()
  return `${d.slice(0, 10)} ${d.slice(11, 19)},${d.slice(20, 23)}+0000 (${pid}/main) oneapm.collector ${level} - ${body}\n`
}

/** Processes 1000 to 1000 + PIDS_MAX - 1, a plain line each from T0 on, one a millisecond: the list full. */
function listed (): string {
  let text = ''
  for (let i = 0; i < PIDS_MAX; i++) text += line(T0 + i, 1000 + i, `harvest ${i}`)
  return text
}

test('summary over a log of more processes than it lists: the first PIDS_MAX listed, the rest counted, the same on one thread and on two', async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const pids = PIDS_MAX + 700
  let text = ''
  for (let i = 0; i < pids * 2; i++) text += line(T0 + i * 10, 1000 + (i % pids), `harvest ${i}`)
  fs.writeFileSync(file, text)
  const planned = planFiles([describeFile(file)], -Infinity, Infinity)
  const range = { since: -Infinity, until: Infinity }
  const single = await summarize(planned, range, undefined, { threads: 1 })
  assert.equal(single.records, pids * 2)
  assert.equal(single.processes.length, PIDS_MAX)
  assert.equal(single.otherProcessRecords, 700 * 2)
  assert.equal(single.processes[0]?.pid, 1000)
  // Units small enough that a part sees fewer processes than the bound, and large enough that one sees more.
  for (const unitBytes of [200_000, 4_000_000]) {
    const par = await summarizeParallel(planned, range, undefined, { threads: 2, unitBytes })
    const got = par ?? await summarize(planned, range, undefined, { threads: 2, unitBytes })
    assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(single)))
  }
  let out = ''
  assert.equal(await main(['summary', file], (s) => { out += s }, () => {}), 0)
  assert.match(out, /and 1,400 records of processes past the first 10,000 \(not listed one by one\)/)
})

test('memory stays flat over a log where every line names a new process and every failure a new cause, with no recovery', () => {
  // In a child with --expose-gc: the live heap after 300,000 such records against after 30,000.
  const program = `
    const { SummaryBuilder } = require(${JSON.stringify(path.join(__dirname, '../../../src/cli/logs/summary.js'))})
    const { parseLine } = require(${JSON.stringify(path.join(__dirname, '../../../src/cli/logs/parse.js'))})
    const b = new SummaryBuilder(undefined)
    const used = () => { gc(); gc(); return process.memoryUsage().heapUsed }
    const add = (from, to) => {
      for (let i = from; i < to; i++) {
        const d = new Date(${T0} + i).toISOString()
        const l = d.slice(0, 10) + ' ' + d.slice(11, 19) + ',' + d.slice(20, 23) + '+0000 (' + (1000 + i) + '/main) oneapm.collector ' +
          (i % 2 === 0 ? 'WARNING - failed event=collector_error cause="HTTP 503 #' + i + '" status=503 url="https://c.example/x?method=m' + (i % 50) + '"' : 'INFO - harvest ' + i)
        b.add(parseLine(l, 'f'))
      }
    }
    add(0, 30000)
    const a = used()
    add(30000, 300000)
    const z = used()
    process.stdout.write(JSON.stringify({ a, z }))
  `
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', program], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(r.status, 0, r.stderr)
  const { a, z } = JSON.parse(r.stdout) as { a: number, z: number }
  // 270,000 more processes and 135,000 more causes: unbounded, that is tens of megabytes.
  assert.ok(z - a < 8 * 1024 * 1024, `heap grew ${((z - a) / 1048576).toFixed(1)} MB from ${(a / 1048576).toFixed(1)} MB`)
})

test('failures of processes past PIDS_MAX do not use up the causes followed for the processes listed', async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  let t = T0
  let text = ''
  // Processes 1000..10999 fill the list of processes whose connection is followed (a still_failing line
  // of no cause known makes a process's state and nothing else); 1000 then fails with cause X.
  for (let i = 0; i < PIDS_MAX; i++) text += line(t++, 1000 + i, 'still failing event=collector_still_failing cause=none count=1', 'WARNING')
  const failure = (pid: number, cause: string): string => line(t++, pid, `failed event=collector_error cause="${cause}" status=503`, 'WARNING')
  text += failure(1000, 'HTTP 503 X')
  // 4,999 processes past the list, each failing with a cause of its own.
  for (let i = 0; i < 4999; i++) text += failure(50_000 + i, `HTTP 503 #${i}`)
  // 1000 fails with a second cause, then recovers after 10 failures: 2 counted, 8 go to the cause failing last (Y), not X.
  text += failure(1000, 'HTTP 503 Y')
  text += line(t++, 1000, 'recovered event=collector_recovered failures=10 seconds=60')
  fs.writeFileSync(file, text)
  const planned = planFiles([describeFile(file)], -Infinity, Infinity)
  const s = await summarize(planned, { since: -Infinity, until: Infinity }, undefined, { threads: 1 })
  const x = s.connectivity[0]
  assert.equal(x?.pid, 1000)
  assert.equal(x?.cause, 'HTTP 503 X')
  assert.equal(x?.count, 1)
})

test('a listed process keeps what agent_start says of it and its outage, whatever processes past PIDS_MAX wrote before; one thread = two', async () => {
  const file = path.join(tmpDir(), 'agent.log')
  let t = T0 + PIDS_MAX
  // Processes 1000..10999 fill the list (plain lines), then 10,000 processes past it write events:
  // one that no part sends in order (harvest_done), one that it does (a still_failing line of no cause known).
  let text = listed()
  for (let i = 0; i < PIDS_MAX; i++) text += line(t++, 50_000 + i, 'done event=harvest_done')
  for (let i = 0; i < PIDS_MAX; i++) text += line(t++, 70_000 + i, 'still failing event=collector_still_failing cause=none count=1', 'WARNING')
  // Listed process 1000 starts, fails, and still fails 5 more times.
  text += line(t++, 1000, 'started event=agent_start version=9.9.9 node=v20.1.0')
  text += line(t++, 1000, 'failed event=collector_error cause="HTTP 503 X" status=503', 'WARNING')
  text += line(t++, 1000, 'still failing event=collector_still_failing cause="HTTP 503 X" count=5', 'WARNING')
  fs.writeFileSync(file, text)
  const planned = planFiles([describeFile(file)], -Infinity, Infinity)
  const range = { since: -Infinity, until: Infinity }
  const single = await summarize(planned, range, undefined, { threads: 1 })
  const p = single.processes.find((q) => q.pid === 1000)
  assert.equal(p?.version, '9.9.9')
  const failing = single.connectivity.find((c) => c.pid === 1000 && c.state === 'failing')
  assert.equal(failing?.count, 6, JSON.stringify(single.connectivity.filter((c) => c.pid === 1000)))
  assert.equal(single.otherProcessRecords, 2 * PIDS_MAX)
  for (const unitBytes of [100_000, 400_000]) {
    const par = await summarizeParallel(planned, range, undefined, { threads: 2, unitBytes })
    assert.ok(par !== undefined)
    assert.deepEqual(JSON.parse(JSON.stringify(par)), JSON.parse(JSON.stringify(single)))
  }
})

test('a process past PIDS_MAX that keeps requesting is not a new connection on every line: the changes of the listed ones still fit', async () => {
  const file = path.join(tmpDir(), 'agent.log')
  let t = T0 + PIDS_MAX
  let text = listed()
  // Two processes past the list, 3,000 requests each (one a minute for two days).
  for (let i = 0; i < 6000; i++) text += line(t++, 50_000 + (i % 2), 'sent event=collector_request url="https://c.example/x?method=metric_data" status=200')
  text += line(t++, 1000, 'failed event=collector_error cause="HTTP 503 X" status=503', 'WARNING')
  fs.writeFileSync(file, text)
  const planned = planFiles([describeFile(file)], -Infinity, Infinity)
  const range = { since: -Infinity, until: Infinity }
  const single = await summarize(planned, range, undefined, { threads: 1 })
  assert.ok(single.connectivity.length <= 3, JSON.stringify(single.connectivity.length))
  assert.equal(single.connectivity.find((c) => c.pid === 1000)?.cause, 'HTTP 503 X')
  const par = await summarizeParallel(planned, range, undefined, { threads: 2, unitBytes: 100_000 })
  assert.deepEqual(JSON.parse(JSON.stringify(par)), JSON.parse(JSON.stringify(single)))
})
