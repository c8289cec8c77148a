// Fuzz: log shipping's input surfaces.
// - Hostile records (nasty messages, fields named like the layout's and
//   OTLP's own keys, errors, a planted secret in a secret-named field and in
//   free text) go the real way: a logger with log_ship (destination down),
//   close() spools the JSON lines, each spooled line is parsed back and
//   encoded as syslog and as OTLP. One record = one syslog message (no LF,
//   CR or NUL, within the cap, a JSON MSG after the cookie) and one OTLP log
//   record; no output holds the secret.
// - Spool parsing of arbitrary text never throws and never yields more lines
//   than the text holds.
// - log_ship / log_ship_headers values never throw, in loadConfig and in
//   checkDestinations; no problem repeats a header value.
// - doctor's look at a destination (inspectDestination: a unix socket path,
//   a ca= file, OTEL_* variables) never throws, whatever the string.
// - /proc/net/unix text of any shape never throws and yields only listed paths.
// - A spool file cut anywhere (over the cap, within a budget) yields only
//   whole lines of it.
// - The secret forms of any header value never throw; a Basic value's
//   decoded password is one of them.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { createLogger, loadConfig } from '../../src/index'
import { checkDestinations } from '../../src/ship/destinations'
import { inspectDestination } from '../../src/ship/inspect'
import { parseProcNetUnix } from '../../src/ship/syslog/unix-socket'
import { headerSecretForms } from '../../src/config/header-secrets'
import { exportRequest } from '../../src/ship/otlp/encode'
import { shippedRecord } from '../../src/ship/shipped-record'
import { parseSpool, readSpools, type SpoolSection } from '../../src/ship/spool'
import { COOKIE, createSyslogFormatter } from '../../src/ship/syslog/format'
import type { ShipResource } from '../../src/ship/transport'
import { property } from './harness'
import { assertNoLeak, secret, SECRET_FIELDS } from './secrets'
import { inTempDir } from './session'
import { KEY_NAMES, nastyString } from './values'

const RESOURCE: ShipResource = { hostName: 'fuzz-host', pid: 4242, serviceName: 'svc', instanceId: 'i-1', runtimeName: 'nodejs', runtimeVersion: process.version, version: '0.0.0' }
const OWN_KEYS = ['time', 'level', 'name', 'pid', 'thread', 'msg', 'recorded', 'err', 'thread.name', 'exception.type', 'exception.message', 'exception.stacktrace', 'oneapm.recorded', '@cee:', 'oneapm_unsent']

const fieldName = fc.oneof(fc.constantFrom(...OWN_KEYS, ...KEY_NAMES), nastyString)
const call = fc.record({
  level: fc.constantFrom('trace', 'debug', 'info', 'warning', 'error', 'critical'),
  msg: nastyString,
  fields: fc.dictionary(fieldName, fc.oneof(nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), { maxKeys: 6 }),
  withError: fc.boolean(),
  name: fc.oneof(fc.constantFrom('collector', 'a.b', ''), nastyString)
})

property('shipped records: one record = one syslog message and one OTLP record; no planted secret in either', { runs: 25 }, [
  fc.array(call, { minLength: 1, maxLength: 8 }), secret, fc.constantFrom(...SECRET_FIELDS), fc.constantFrom(480, 2048, 8096)
], async (calls, planted, secretField, maxBytes) => {
  await inTempDir(async (dir) => {
    const log = createLogger({ log_file: path.join(dir, 'agent.log'), log_ship: 'syslog+tcp://127.0.0.1:9', log_ship_level: 'trace', log_level: 'trace' }, { global: false })
    for (const c of calls) {
      const fields = { ...c.fields, [secretField]: planted }
      const target = c.name === '' ? log : log.child(c.name)
      const err = c.withError ? Object.assign(new Error(`failed: password=${planted} ${c.msg}`), { code: c.msg }) : undefined
      target[c.level as 'info'](err === undefined ? fields : { ...fields, err }, `%s Authorization: Bearer ${planted}`, c.msg)
    }
    await log.close()
    const read = readSpools(dir, 1)
    const lines = read.sections.flatMap((s) => s.lines)
    assert.ok(lines.length >= calls.length, `${lines.length} spooled lines for ${calls.length} calls`)
    const format = createSyslogFormatter(RESOURCE, { facility: 16, maxBytes })
    const records = lines.map((l) => shippedRecord(l, 'all'))
    for (const r of records) {
      const m = format(r).message
      assert.ok(m.length <= maxBytes, `${m.length} bytes over a cap of ${maxBytes}`)
      for (const b of [0x0a, 0x0d, 0x00]) assert.equal(m.indexOf(b), -1, `byte ${b} in a syslog message: ${m.toString()}`)
      const text = m.toString('utf8')
      const at = text.indexOf(COOKIE)
      assert.ok(at > 0)
      const body = JSON.parse(text.slice(at + COOKIE.length)) as { msg: unknown }
      assert.equal(typeof body.msg, 'string')
      assertNoLeak('a syslog message', text, [planted])
    }
    const req = exportRequest(records, RESOURCE, Date.now())
    const count = req.resourceLogs.reduce((n, rl) => n + rl.scopeLogs.reduce((k, sl) => k + sl.logRecords.length, 0), 0)
    assert.equal(count, records.length)
    assertNoLeak('an OTLP request', JSON.stringify(req), [planted])
    assertNoLeak('the spool', lines.join('\n'), [planted])
  })
})

const spoolText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.array(fc.oneof(
    fc.constantFrom('{"oneapm_unsent":1,"destination":"d","count":2}', '{"oneapm_unsent":1,"destination":"d","count":-1}', '{"oneapm_unsent":1,"destination":"d","count":1e300}',
      '{"oneapm_unsent":1,"destination":7,"count":1}', '{"oneapm_unsent":1', '{"msg":"a"}', '{', '', '\r', '\u2028', '\ud800'),
    nastyString
  ), { maxLength: 20 }).map((a) => a.join('\n'))
)

property('spool parsing: arbitrary text never throws and yields no more lines than it holds, each one a line of it', { runs: 300 }, [spoolText], (text) => {
  const into: SpoolSection[] = []
  const skipped = parseSpool(text, into)
  const lines = into.flatMap((s) => s.lines)
  const held = text.split('\n').filter((l) => l !== '')
  assert.ok(lines.length + skipped <= held.length)
  for (const l of lines) assert.ok(held.includes(l))
})

property('spool files: arbitrary bytes in a spool file never throw; the file is consumed', { runs: 40 }, [fc.uint8Array({ maxLength: 2000 })], async (bytes) => {
  await inTempDir((dir) => {
    fs.writeFileSync(path.join(dir, 'oneapm-unsent-77.jsonl'), bytes)
    const r = readSpools(dir, 1)
    assert.equal(r.files.length, 1)
    assert.ok(!fs.existsSync(path.join(dir, 'oneapm-unsent-77.jsonl')))
  })
})

const HEADER_SECRET = 'hdrS3cretValue9'
const destination = fc.oneof(
  nastyString,
  fc.constantFrom('otlp', 'OTLP', 'otlp+http://', 'otlp+https://[::1', 'otlp+http://h:0', 'otlp+http://h:65536', 'otlp+http://u:p@h', 'syslog+udp://', 'syslog+tcp://h:1?max=1',
    'syslog+tls://h?ca=rel.pem', 'syslog+unix://rel', 'syslog+unix:///dev/log?facility=99', 'syslog+tcp://[zz]:1', 'otlp+http://h/x?key=v#f', 'ftp://h'),
  fc.tuple(fc.constantFrom('syslog+udp://', 'syslog+tcp://', 'syslog+tls://', 'otlp+http://', 'otlp+https://'), nastyString).map(([s, r]) => s + r)
)

property('log_ship and log_ship_headers values never throw; a header value is never repeated', { runs: 200 }, [
  fc.array(destination, { maxLength: 20 }), fc.oneof(nastyString, fc.constantFrom(`authorization=Bearer%20${HEADER_SECRET}`, `x=${HEADER_SECRET},bad`, `content-type=${HEADER_SECRET}`, `a=%ZZ${HEADER_SECRET}`, `\n=${HEADER_SECRET}`))
], (list, headers) => {
  const cfg = loadConfig({ file: false, env: { ONEAPM_LOG_SHIP: list.join(','), ONEAPM_LOG_SHIP_HEADERS: headers } })
  const checks = checkDestinations(cfg.settings.log_ship, cfg.settings.log_ship_headers, {})
  const shown = JSON.stringify([cfg.problems, checks])
  if (headers.includes(HEADER_SECRET)) assert.ok(!shown.includes(HEADER_SECRET), shown)
})

property('doctor\'s look at a destination never throws, whatever the string and OTEL_* values', { runs: 200 }, [
  destination, fc.constantFrom('syslog+unix://', 'syslog+tls://h?ca=', 'otlp+https://h', 'otlp'), nastyString, fc.dictionary(fc.constantFrom('OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_CERTIFICATE', 'NODE_EXTRA_CA_CERTS'), nastyString)
], (d, prefix, rest, env) => {
  for (const given of [d, prefix + rest, prefix + '/' + rest]) {
    const i = inspectDestination(given, 'shown', env, () => rest)
    for (const f of i.findings) assert.ok(['problem', 'warning', 'note'].includes(f.severity) && f.code.startsWith('SHIP_'))
  }
})

const hex = (n: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { maxLength: n }).map((a) => a.join(''))
const procLine = fc.tuple(hex(16), hex(9), fc.constantFrom('0001', '0002', '0005', '0003', 'zz', ''), fc.oneof(fc.constantFrom('/run/a.sock', '/dev/log', '@abstract'), nastyString))
  .map(([num, flags, type, p]) => `${num}: 00000002 00000000 ${flags} ${type} 01 1234 ${p}`)
property('/proc/net/unix of any shape never throws and yields only the paths asked for', { runs: 300 }, [fc.array(fc.oneof(procLine, nastyString), { maxLength: 30 })], (lines) => {
  const paths = new Set(['/run/a.sock', '/dev/log'])
  const m = parseProcNetUnix(lines.join('\n'), paths)
  for (const [k, v] of m) {
    assert.ok(paths.has(k))
    assert.ok(v.kind === undefined || ['stream', 'dgram', 'seqpacket'].includes(v.kind))
  }
})

property('a spool file over the cap or the budget, cut anywhere: only whole lines of it come back, never a throw', { runs: 30 }, [
  fc.array(fc.oneof(fc.constant('{"msg":"m"}'), nastyString, fc.constant('{"oneapm_unsent":1,"destination":"x","count":3}')), { maxLength: 40 }), fc.integer({ min: 0, max: 4096 })
], async (lines, budget) => {
  await inTempDir((dir) => {
    const text = lines.join('\n')
    fs.writeFileSync(path.join(dir, 'oneapm-unsent-78.jsonl'), text)
    const r = readSpools(dir, 1, budget)
    // As the file holds them: UTF-8 has no lone surrogates (each is written as U+FFFD).
    const held = Buffer.from(text).toString().split('\n')
    for (const l of r.sections.flatMap((x) => x.lines)) assert.ok(held.includes(l), l)
    assert.ok(r.dropped.bytes >= 0 && r.dropped.records >= 0)
  })
})

property('secret forms of any header value never throw; a Basic value\'s decoded password is among them', { runs: 300 }, [nastyString, secret], (value, pw) => {
  assert.ok(Array.isArray(headerSecretForms(value)))
  const forms = headerSecretForms(`Basic ${Buffer.from(`user:${pw}`).toString('base64')}`)
  assert.ok(forms.includes(pw) && forms.includes(encodeURIComponent(`user:${pw}`)), forms.join(' '))
})
