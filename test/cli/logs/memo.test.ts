// The summary's memos (redact-output.ts's field memo, summary.ts's
// collector_error and request-kind memos) must give what working each line
// out afresh gives: the memo key holds everything the result depends on.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { main } from '../../../src/cli/main'
import { Memo } from '../../../src/cli/logs/memo'
import { outputRedactor } from '../../../src/cli/logs/redact-output'
import { MASK } from '../../../src/tools'
import { tmpDir } from '../../helpers/tmp'

async function summaryJson (file: string): Promise<{ connectivity: Array<{ pid: number, state: string, diagnosis?: { id: string, cause: string } }>, lastStatus: Record<string, { status: number }> }> {
  let out = ''
  let err = ''
  const status = await main(['summary', '--json', file], (s) => { out += s }, (s) => { err += s })
  assert.equal(status, 0, err)
  return JSON.parse(out)
}

test('a field value is remembered with its key: the same value under a secret name and an ordinary one, and a key and value that spell the same text', () => {
  const r = outputRedactor(undefined)
  assert.equal(r.field('password', 'hunter2x'), MASK)
  assert.equal(r.field('note', 'hunter2x'), 'hunter2x')
  assert.equal(r.field('password', 'hunter2x'), MASK)
  // 'apikey' + 's3cretvalue' and 'a' + 'pikeys3cretvalue' are the same characters.
  assert.equal(r.field('a', 'pikeys3cretvalue'), 'pikeys3cretvalue')
  assert.equal(r.field('apikey', 's3cretvalue'), MASK)
  assert.equal(r.field('a', 'pikeys3cretvalue'), 'pikeys3cretvalue')
})

test('a field value memo that fills up starts over and keeps answering as the rules do', () => {
  const r = outputRedactor(undefined)
  for (let i = 0; i < 5000; i++) {
    assert.equal(r.field('note', `value ${i}`), `value ${i}`)
    if (i % 1000 === 0) assert.equal(r.field('token', `value ${i}`), MASK)
  }
  assert.equal(r.field('note', 'Authorization: Bearer abcdefghijklmnop0123456789'), r.field('note', 'Authorization: Bearer abcdefghijklmnop0123456789'))
  assert.ok(!r.field('note', 'Authorization: Bearer abcdefghijklmnop0123456789').includes('abcdefghijklmnop0123456789'))
})

test('identical collector_error lines of two processes with different proxies are diagnosed each with its own proxy', async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const start = (pid: number, proxy: string): string =>
    `2026-11-21 13:18:00,000+0000 (${pid}/main) oneapm INFO - started event=agent_start version=1.0.0 node=v20 settings="{\\"proxy\\":\\"${proxy} (file)\\"}"`
  const failure = (pid: number, s: number): string =>
    `2026-11-21 13:18:${String(s).padStart(2, '0')},000+0000 (${pid}/main) oneapm.collector WARNING - collector answered 407 event=collector_error cause="HTTP 407" method=POST url="https://collector.example/agent_listener/invoke_raw_method?method=metric_data" status=407`
  const lines = [start(1, 'http://proxy-a.internal:3128'), start(2, 'http://proxy-b.internal:3128')]
  for (let s = 1; s < 40; s++) lines.push(failure(1 + (s % 2), s))
  fs.writeFileSync(file, lines.join('\n') + '\n')
  const sum = await summaryJson(file)
  const failing = sum.connectivity.filter((c) => c.state === 'failing')
  assert.equal(failing.length, 39)
  for (const c of failing) {
    assert.equal(c.diagnosis?.id, 'proxy_auth')
    const own = c.pid === 1 ? 'proxy-a' : 'proxy-b'
    const other = c.pid === 1 ? 'proxy-b' : 'proxy-a'
    assert.ok(c.diagnosis?.cause.includes(own), `pid ${c.pid}: ${c.diagnosis?.cause}`)
    assert.ok(!c.diagnosis.cause.includes(other), `pid ${c.pid}: ${c.diagnosis.cause}`)
  }
  assert.equal(sum.lastStatus.metric_data?.status, 407)
})

test('collector_error lines that differ only in status or url get their own diagnosis and request kind', async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const line = (s: number, status: number, method: string): string =>
    `2026-11-21 13:18:${String(s).padStart(2, '0')},000+0000 (7/main) oneapm.collector WARNING - collector failed event=collector_error cause="HTTP ${status}" method=POST url="https://collector.example/agent_listener/invoke_raw_method?method=${method}" status=${status}`
  const lines: string[] = []
  for (let s = 0; s < 30; s++) lines.push(line(s, s % 3 === 0 ? 413 : 503, s % 2 === 0 ? 'metric_data' : 'error_data'))
  fs.writeFileSync(file, lines.join('\n') + '\n')
  const sum = await summaryJson(file)
  const failing = sum.connectivity.filter((c) => c.state === 'failing')
  assert.equal(failing.length, 30)
  failing.forEach((c, s) => {
    assert.equal(c.diagnosis?.id, s % 3 === 0 ? 'payload_too_large' : 'collector_error', `line ${s}`)
    assert.ok(c.diagnosis?.cause.includes(s % 2 === 0 ? 'metric_data' : 'error_data'), `line ${s}: ${c.diagnosis?.cause}`)
  })
  // The last line (s = 29): 503 to error_data; the last metric_data one (s = 28): 503.
  assert.equal(sum.lastStatus.error_data?.status, 503)
  assert.equal(sum.lastStatus.metric_data?.status, 503)
})

test('Memo answers what was set, keeps at most max entries and no key longer than maxKey', () => {
  const m = new Memo<number>(3, 10)
  for (let i = 0; i < 3; i++) m.set(`k${i}`, i)
  for (let i = 0; i < 3; i++) assert.equal(m.get(`k${i}`), i)
  // A fourth entry starts it over.
  m.set('k3', 3)
  assert.equal(m.get('k0'), undefined)
  assert.equal(m.get('k3'), 3)
  m.set('a'.repeat(11), 11)
  assert.equal(m.get('a'.repeat(11)), undefined)
})

test('Memo pauses where lookups keep missing (every value distinct), and tries again later', () => {
  const m = new Memo<number>(1024, 100)
  let i = 0
  // 256 lookups that all miss: paused.
  for (; i < 256; i++) {
    assert.equal(m.on, true)
    assert.equal(m.get(`distinct ${i}`), undefined)
    m.set(`distinct ${i}`, i)
  }
  let off = 0
  while (!m.on) off++
  assert.equal(off, 256 * 16)
  // Nothing was kept meanwhile, and it remembers again now.
  assert.equal(m.get('distinct 5'), undefined)
  m.set('again', 1)
  assert.equal(m.get('again'), 1)
})

test('Memo stays on where most lookups hit (an outage repeating a few lines)', () => {
  const m = new Memo<number>(1024, 100)
  for (let i = 0; i < 10_000; i++) {
    assert.equal(m.on, true, `lookup ${i}`)
    const k = `url ${i % 7}`
    if (m.get(k) === undefined) m.set(k, i % 7)
    assert.equal(m.get(k), i % 7)
  }
})

test('request kinds named like Object.prototype members (__proto__, constructor, toString) each get their last status', async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const lines = ['__proto__', 'constructor', 'toString', 'metric_data'].map((m, i) =>
    `2026-11-21 13:18:0${i},000+0000 (7/main) oneapm.collector DEBUG - sent event=collector_request method=POST url="https://collector.example/agent_listener/invoke_raw_method?method=${m}" status=${200 + i}`)
  fs.writeFileSync(file, lines.join('\n') + '\n')
  const sum = await summaryJson(file)
  assert.deepEqual(Object.entries(sum.lastStatus).map(([k, v]) => [k, v.status]), [['__proto__', 200], ['constructor', 201], ['toString', 202], ['metric_data', 203]])
})
