// The syslog transport against a real rsyslogd (test/helpers/rsyslog.ts):
// what arrives, how rsyslog parses it, and what happens when it restarts.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { LevelValue } from '../../../src/record/levels'
import { createSyslogTransport, type SyslogTransport } from '../../../src/ship/syslog/transport'
import { parseSyslogUrl, type SyslogTarget } from '../../../src/ship/syslog/url'
import { startRsyslog, type Received, type Rsyslog } from '../../helpers/rsyslog'
import { deliver, numbered, record, RESOURCE, T0, total } from './records'

let rs: Rsyslog
const open: SyslogTransport[] = []
before(async () => { rs = await startRsyslog() })
after(async () => {
  for (const t of open) t.close()
  await rs?.stop('SIGKILL')
})

type Proto = 'udp' | 'tcp' | 'tls' | 'unix'
const FAST = { backoff: { minMs: 20, maxMs: 300 } }

function url (proto: Proto, query = ''): string {
  const q = query === '' ? '' : `?${query}`
  if (proto === 'unix') return `syslog+unix://${rs.unixPath}${q}`
  const port = proto === 'udp' ? rs.udpPort : proto === 'tcp' ? rs.tcpPort : rs.tlsPort
  const ca = proto === 'tls' ? `${q === '' ? '?' : '&'}ca=${encodeURIComponent(rs.caFile)}` : ''
  return `syslog+${proto}://127.0.0.1:${port}${q}${ca}`
}

function target (proto: Proto, query = ''): SyslogTarget {
  const r = parseSyslogUrl(url(proto, query))
  if (!r.ok) throw new Error(r.problem)
  return r.value
}

function transport (proto: Proto, query = '', options = FAST): SyslogTransport {
  const t = createSyslogTransport(target(proto, query), RESOURCE, options)
  open.push(t)
  return t
}

let runs = 0
const newRun = (proto: string): string => `${proto}-${++runs}-${process.hrtime.bigint()}`
const ofRun = (run: string): Received[] => rs.received().filter((r) => r.cee.run === run)

async function waitRun (run: string, count: number, timeoutMs = 15_000): Promise<Received[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const got = ofRun(run)
    if (got.length >= count || Date.now() > deadline) return got
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Indices (seq) received, and which came more than once. */
function seqs (got: readonly Received[]): { seen: Map<number, number>, dups: number[] } {
  const seen = new Map<number, number>()
  for (const r of got) seen.set(Number(r.cee.seq), (seen.get(Number(r.cee.seq)) ?? 0) + 1)
  return { seen, dups: [...seen].filter(([, n]) => n > 1).map(([s]) => s) }
}

function missing (seen: ReadonlyMap<number, number>, count: number): number[] {
  return Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i))
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

for (const proto of ['udp', 'tcp', 'tls', 'unix'] as const) {
  describe(`syslog+${proto} to rsyslog`, () => {
    test(`${proto}: 500 records arrive exactly once, parsed by rsyslog (header fields and @cee JSON)`, async () => {
      const t = transport(proto)
      const run = newRun(proto)
      // UDP has no flow control: small batches, so rsyslog's socket buffer keeps up.
      const outcomes = await deliver(t, numbered(run, 500), proto === 'udp' ? 25 : 100)
      assert.equal(total(outcomes, 'sent'), 500)
      const got = await waitRun(run, 500)
      const { seen, dups } = seqs(got)
      assert.deepEqual(missing(seen, 500), [], 'nothing missing')
      assert.deepEqual(dups, [], 'nothing twice')
      assert.equal(got.length, 500)
      const first = got.find((r) => r.cee.seq === 0)!
      assert.equal(first.app, 'oneapm')
      assert.equal(first.procid, '4242')
      assert.equal(first.msgid, 'collector')
      assert.equal(first.host, 'test-host')
      assert.equal(first.sev, 6)
      assert.equal(first.fac, 16)
      assert.equal(first.sd, '-')
      assert.equal(first.time, new Date(T0).toISOString())
      assert.equal(first.cee.msg, 'record 0')
      assert.equal(first.cee.thread, 'main')
      assert.ok(first.raw.startsWith('@cee:{"msg":"record 0"'), first.raw)
      t.close()
    })

    test(`${proto}: multi-line, Unicode, hostile and over-long messages arrive as one message each, the long one cut with the marker`, async () => {
      const t = transport(proto)
      const run = newRun(proto)
      const cap = proto === 'udp' ? 2048 : 8096
      const err = { type: 'TypeError', message: 'bad\nthing', stack: 'TypeError: bad\n    at x (/a.js:1:1)\n'.repeat(500) }
      const recs = [
        record({ msg: 'line 1\nline 2\r\nline 3', fields: { run, seq: 0 } }),
        record({ msg: 'héllo 世界 🎉 \u2028 sep \u0000 nul ] " \\ end', fields: { run, seq: 1, 'k"]': 'v\n]' } }),
        record({ msg: 'x'.repeat(20_000) + 'é'.repeat(5000), fields: { run, seq: 2 }, err, level: 50 as LevelValue }),
        record({ msg: 'after the long one', fields: { run, seq: 3 } })
      ]
      const [o] = await deliver(t, recs, 10)
      assert.equal(o!.sent, 4)
      assert.equal(o!.truncated, 1)
      const got = await waitRun(run, 4)
      await sleep(200)
      const all = ofRun(run)
      assert.deepEqual(all.map((r) => r.cee.seq).sort(), [0, 1, 2, 3], rs.log().slice(-2000))
      const by = new Map(all.map((r) => [Number(r.cee.seq), r]))
      assert.equal(by.get(0)!.cee.msg, 'line 1\nline 2\r\nline 3')
      // NUL travels as U+FFFD: rsyslog's JSON parser ends a string at \u0000.
      assert.equal(by.get(1)!.cee.msg, 'héllo 世界 🎉 \u2028 sep \ufffd nul ] " \\ end')
      assert.equal(by.get(1)!.cee['k"]'], 'v\n]')
      const long = by.get(2)!
      assert.match(String(long.cee.msg).slice(-40), /x…\[truncated \d+ bytes\]$/)
      assert.equal(long.cee.run, run, 'the fields survive the cut')
      assert.equal(long.sev, 3)
      assert.deepEqual(Object.keys(long.cee.err as object), ['type', 'message', 'stack'])
      assert.equal((long.cee.err as { type: string }).type, 'TypeError')
      // The header is about 80 bytes: MSG plus header within the cap, and not cut by rsyslog.
      const bytes = Buffer.byteLength(long.raw)
      assert.ok(bytes <= cap - 60 && bytes > cap - 200, `${bytes} bytes`)
      assert.equal(by.get(3)!.cee.msg, 'after the long one')
      assert.equal(got.length >= 4, true)
      t.close()
    })
  })
}

test('severity mapping and facility=local3 as rsyslog reads them', async () => {
  const t = transport('tcp', 'facility=local3')
  const run = newRun('sev')
  const levels = [60, 50, 40, 30, 20, 10] as LevelValue[]
  await deliver(t, levels.map((level, seq) => record({ level, logger: seq === 0 ? 'oneapm' : 'oneapm.collector.http', fields: { run, seq } })))
  const got = await waitRun(run, 6)
  const sev = new Map(got.map((r) => [Number(r.cee.seq), r]))
  assert.deepEqual(levels.map((_, i) => sev.get(i)!.sev), [2, 3, 4, 6, 7, 7])
  assert.ok(got.every((r) => r.fac === 19))
  assert.equal(sev.get(0)!.msgid, '-')
  assert.equal(sev.get(1)!.msgid, 'collector.http')
  t.close()
})

test('TLS verifies the server: without the CA (Node\'s trust store only), nothing is sent and the reason says why', async () => {
  const r = parseSyslogUrl(`syslog+tls://127.0.0.1:${rs.tlsPort}`)
  assert.ok(r.ok)
  const t = createSyslogTransport(r.value, RESOURCE, FAST)
  open.push(t)
  const o = await t.send([record()])
  assert.equal(o.retry, 1)
  assert.equal(o.sent, 0)
  assert.match(o.reason ?? '', /certificate|self.signed|verify/i)
  t.close()
})

test('unix: a datagram socket (imuxsock, as /dev/log) is refused with a reason, never a crash', async () => {
  const r = parseSyslogUrl(`syslog+unix://${rs.dgramPath}`)
  assert.ok(r.ok)
  const t = createSyslogTransport(r.value, RESOURCE, FAST)
  open.push(t)
  const o = await t.send([record(), record()])
  assert.deepEqual([o.sent, o.rejected, o.retry], [0, 2, 0])
  assert.match(o.reason ?? '', /EPROTOTYPE.*not a stream socket/)
  t.close()
})

// Restarts last: they stop the shared rsyslogd.
for (const proto of ['tcp', 'tls', 'unix'] as const) {
  test(`${proto}: rsyslog stopped while idle and restarted: sends while it is down return retry at once, then all arrive exactly once`, async () => {
    const t = transport(proto)
    const run = newRun(`idle-${proto}`)
    const recs = numbered(run, 300)
    await deliver(t, recs.slice(0, 100), 20)
    await waitRun(run, 100)
    await sleep(1200) // past the resend window: the last batch is known to have been read
    await rs.stop('SIGTERM')
    const down1 = await t.send(recs.slice(100, 120))
    const down2 = await t.send(recs.slice(100, 120))
    assert.deepEqual([down1.sent, down1.retry], [0, 20], JSON.stringify(down1))
    assert.deepEqual([down2.sent, down2.retry], [0, 20], JSON.stringify(down2))
    assert.ok((down2.retryAfterMs ?? 0) > 0, 'backing off: the queue is told when to come back')
    await rs.start()
    await deliver(t, recs.slice(100), 20)
    const got = await waitRun(run, 300)
    await sleep(300)
    const { seen, dups } = seqs(ofRun(run))
    assert.deepEqual(missing(seen, 300), [])
    assert.deepEqual(dups, [])
    assert.equal(t.counters.resentBatches, 0)
    assert.equal(t.counters.connects, 2)
    assert.ok(got.length >= 300)
    t.close()
  })

  test(`${proto}: rsyslog stopped mid-stream and restarted: nothing lost; duplicates only from the resent batch`, async () => {
    const t = transport(proto)
    const run = newRun(`busy-${proto}`)
    const recs = numbered(run, 500)
    const sending = deliver(t, recs, 10, 30_000, 5)
    await waitRun(run, 150)
    await rs.stop('SIGTERM')
    await sleep(300)
    await rs.start()
    const outcomes = await sending
    const got = await waitRun(run, 500)
    await sleep(300)
    const { seen, dups } = seqs(ofRun(run))
    assert.deepEqual(missing(seen, 500), [], `missing; counters ${JSON.stringify(t.counters)}`)
    assert.ok(dups.length <= t.counters.resentRecords, `${dups.length} duplicates, ${t.counters.resentRecords} resent`)
    assert.ok(total(outcomes, 'retry') > 0, 'the queue was asked to retry while rsyslog was down')
    assert.ok(got.length >= 500)
    t.close()
  })
}

test('udp: rsyslog stopped and restarted: about one datagram lost per refused attempt, never a duplicate, the rest arrive', async () => {
  const t = transport('udp')
  const run = newRun('udp-restart')
  const recs = numbered(run, 300)
  await deliver(t, recs.slice(0, 100), 20)
  await waitRun(run, 100)
  await rs.stop('SIGTERM')
  const down: Array<{ retry: number, reason?: string }> = []
  let i = 100
  for (let k = 0; k < 5; k++) {
    const o = await t.send(recs.slice(i, i + 20))
    down.push(o)
    i += 20 - o.retry
    await sleep(Math.min(o.retryAfterMs ?? 20, 300))
  }
  await rs.start()
  await deliver(t, recs.slice(i), 20)
  await waitRun(run, 300, 3000)
  await sleep(300)
  const { seen, dups } = seqs(ofRun(run))
  const refused = down.filter((o) => /ECONNREFUSED/.test(o.reason ?? '')).length
  assert.ok(refused > 0, `a stopped receiver is noticed: ${JSON.stringify(down)}`)
  assert.deepEqual(dups, [])
  const lost = missing(seen, 300)
  assert.ok(lost.length <= refused + 1, `lost ${lost.length} (${lost.join(',')}), refused ${refused}`)
  assert.ok(lost.every((s) => s >= 100 && s < i), 'only datagrams sent while it was down')
  t.close()
})
