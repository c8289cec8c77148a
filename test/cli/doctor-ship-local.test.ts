// doctor looks at each log_ship destination on this machine: what is at a
// syslog+unix path (nothing, not a socket, a datagram socket as /dev/log, a
// stream socket with or without a listener) against a real rsyslogd's
// imuxsock (datagram) and imptcp path= (stream) sockets; and how a TLS
// destination verifies its peer (ca=, or the system store: a warning naming
// the setting).
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { parseProcNetUnix, inspectUnixSocket } from '../../src/ship/syslog/unix-socket'
import { cleanEnv } from '../helpers/child'
import { startRsyslog, type Rsyslog } from '../helpers/rsyslog'
import { tmpDir } from '../helpers/tmp'

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

interface Dest { given: string, target: string | null, facts: string[], socket: { state: string, kind?: string, bound?: boolean } | null }
interface Report {
  healthy: boolean
  shipping: { destinations: Dest[] } | null
  findings: Array<{ severity: string, code: string, message: string }>
}

function doctor (ship: string, env: Record<string, string> = {}, json = true): { status: number | null, stdout: string, report: Report | undefined } {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, `[oneapm]\nlog_file = ${path.join(dir, 'agent.log')}\nlog_ship = ${ship}\n`)
  const base = cleanEnv()
  delete base.NODE_EXTRA_CA_CERTS
  const r = spawnSync(process.execPath, [CLI, 'doctor', '--config', file, ...(json ? ['--json'] : [])], { encoding: 'utf8', env: { ...base, ...env }, cwd: dir, timeout: 60_000 })
  fs.rmSync(dir, { recursive: true, force: true })
  return { status: r.status, stdout: r.stdout, report: json ? JSON.parse(r.stdout) as Report : undefined }
}

const shipFindings = (r: Report): Array<{ severity: string, code: string, message: string }> => r.findings.filter((f) => f.code.startsWith('SHIP_'))

let rs: Rsyslog
before(async () => { rs = await startRsyslog() })
after(async () => { await rs?.stop('SIGKILL') })

test('doctor, syslog+unix to rsyslog imuxsock (a datagram socket, as /dev/log): a problem saying it is a datagram socket log_ship cannot reach, with what to use', () => {
  const d = doctor(`syslog+unix://${rs.dgramPath}`)
  const r = d.report as Report
  assert.equal(d.status, 1)
  const dest = r.shipping?.destinations[0]
  assert.equal(dest?.socket?.kind, 'dgram')
  assert.match(dest?.facts[0] ?? '', /unix dgram socket, NOT reachable/)
  const f = shipFindings(r)
  assert.deepEqual(f.map((x) => [x.severity, x.code]), [['problem', 'SHIP_UNIX_DATAGRAM']])
  assert.match(f[0]?.message ?? '', /is a datagram socket .*only unix stream sockets.*rejected and counted.*imptcp.*syslog\+udp:\/\/127\.0\.0\.1:514/)
  const text = doctor(`syslog+unix://${rs.dgramPath}`, {}, false)
  assert.match(text.stdout, /usable\n {4}unix dgram socket, NOT reachable \(stream sockets only\)\n/)
})

test('doctor, syslog+unix to rsyslog imptcp path= (a stream socket with a listener): reachable, no finding, healthy', () => {
  const d = doctor(`syslog+unix://${rs.unixPath}`)
  const r = d.report as Report
  assert.deepEqual(shipFindings(r), [])
  assert.equal(r.shipping?.destinations[0]?.socket?.kind, 'stream')
  assert.equal(r.shipping?.destinations[0]?.socket?.bound, true)
  assert.deepEqual(r.shipping?.destinations[0]?.facts, ['unix stream socket, listening, reachable'])
  assert.equal(d.status, 0, d.stdout)
})

test('doctor, syslog+unix: a missing path is a warning (retried), a regular file a problem, a symlink to the socket is followed', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const missing = doctor(`syslog+unix://${path.join(dir, 'nope.sock')}`).report as Report
  assert.deepEqual(shipFindings(missing).map((x) => [x.severity, x.code]), [['warning', 'SHIP_UNIX_SOCKET_MISSING']])
  assert.match(shipFindings(missing)[0]?.message ?? '', /does not exist now.*retried/)
  const file = path.join(dir, 'file.sock')
  fs.writeFileSync(file, '')
  const notSocket = doctor(`syslog+unix://${file}`).report as Report
  assert.deepEqual(shipFindings(notSocket).map((x) => [x.severity, x.code]), [['problem', 'SHIP_UNIX_NOT_SOCKET']])
  // /dev/log is usually a symlink to the path journald bound: listed there.
  const link = path.join(dir, 'log')
  fs.symlinkSync(rs.dgramPath, link)
  const viaLink = doctor(`syslog+unix://${link}`).report as Report
  assert.equal(viaLink.shipping?.destinations[0]?.socket?.kind, 'dgram')
  assert.deepEqual(shipFindings(viaLink).map((x) => x.code), ['SHIP_UNIX_DATAGRAM'])
})

test('doctor, syslog+unix: a socket file nobody is bound to any more (its process was killed) is a socket of unknown kind: a note saying only stream sockets are reached', async (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const sock = path.join(dir, 'stale.sock')
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.stdout.write('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve) => { child.stdout.once('data', () => { resolve() }) })
  child.kill('SIGKILL')
  await new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
  assert.ok(fs.statSync(sock).isSocket(), 'the socket file stays')
  const r = doctor(`syslog+unix://${sock}`).report as Report
  assert.deepEqual(shipFindings(r).map((x) => [x.severity, x.code]), [['note', 'SHIP_UNIX_SOCKET_KIND_UNKNOWN']])
  assert.equal(r.shipping?.destinations[0]?.socket?.kind, undefined)
})

test('inspectUnixSocket: a node:net server on a path is a listening stream socket; /proc/net/unix lines that are not entries are skipped', async (t) => {
  const dir = tmpDir()
  const sock = path.join(dir, 's.sock')
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(sock, resolve))
  t.after(() => { server.close(); fs.rmSync(dir, { recursive: true, force: true }) })
  const i = inspectUnixSocket(sock)
  assert.deepEqual([i.state, i.kind, i.bound, i.writable], ['socket', 'stream', true, true])
  const proc = [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '0000000000000000: 00000002 00000000 00010000 0001 01 11 /run/a b.sock',
    '0000000000000000: 00000003 00000000 00000000 0001 03 12 /run/a b.sock',
    '0000000000000000: 00000002 00000000 00000000 0002 01 13 /dev/log',
    '0000000000000000: 00000002 00000000 00000000 0005 01 14 /run/seq',
    'garbage: 1 2 3',
    '0000000000000000: 00000002 00000000 zz 0001 01 15 /run/bad',
    '0000000000000000: 00000002 00000000 00000000 0001 01 16',
    ''
  ].join('\n')
  const m = parseProcNetUnix(proc, new Set(['/run/a b.sock', '/dev/log', '/run/seq', '/run/bad', '/nope']))
  assert.deepEqual(Object.fromEntries(m), {
    '/run/a b.sock': { kind: 'stream', listening: true },
    '/dev/log': { kind: 'dgram', listening: false },
    '/run/seq': { kind: 'seqpacket', listening: false }
  })
})

test('doctor, syslog+tls without ca=: a warning naming ca= (a note when NODE_EXTRA_CA_CERTS is set); an unreadable or non-PEM ca= file is a problem; a good one is a fact', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const none = doctor('syslog+tls://relay.internal:6514').report as Report
  const f = shipFindings(none)
  assert.deepEqual(f.map((x) => [x.severity, x.code]), [['warning', 'SHIP_TLS_SYSTEM_CA']])
  assert.match(f[0]?.message ?? '', /syslog\+tls:\/\/relay\.internal:6514 has no ca= setting: .*Node's trust store\. .*add \?ca=\/path\/to\/relay-ca\.pem/)
  assert.deepEqual(none.shipping?.destinations[0]?.facts, ["TLS verified with Node's trust store"])

  const extra = doctor('syslog+tls://relay.internal:6514', { NODE_EXTRA_CA_CERTS: rs.caFile }).report as Report
  assert.deepEqual(shipFindings(extra).map((x) => [x.severity, x.code]), [['note', 'SHIP_TLS_SYSTEM_CA']])
  assert.ok(extra.healthy)

  const good = doctor(`syslog+tls://relay.internal:6514?ca=${rs.caFile}`)
  assert.deepEqual(shipFindings(good.report as Report), [])
  assert.equal(good.status, 0, good.stdout)
  assert.deepEqual(good.report?.shipping?.destinations[0]?.facts, [`TLS verified with ca=${rs.caFile}`])

  const notPem = path.join(dir, 'ca.pem')
  fs.writeFileSync(notPem, 'not a certificate')
  for (const [ca, why] of [[path.join(dir, 'missing.pem'), /cannot be read \(ENOENT\)/], [notPem, /holds no PEM certificate/], [dir, /not a regular file/]] as const) {
    const bad = doctor(`syslog+tls://relay.internal:6514?ca=${ca}`).report as Report
    const b = shipFindings(bad)
    assert.deepEqual(b.map((x) => [x.severity, x.code]), [['problem', 'SHIP_TLS_CA_UNREADABLE']], ca)
    assert.match(b[0]?.message ?? '', why)
  }
})

test('doctor, otlp+https: a note naming NODE_EXTRA_CA_CERTS (OTLP takes no CA setting); OTEL_EXPORTER_OTLP_CERTIFICATE is said to be ignored; otlp+http has none', () => {
  const https = doctor('otlp+https://collector.internal:4318')
  const f = shipFindings(https.report as Report)
  assert.deepEqual(f.map((x) => [x.severity, x.code]), [['note', 'SHIP_TLS_SYSTEM_CA']])
  assert.match(f[0]?.message ?? '', /Node's trust store; OTLP destinations take no CA setting.*NODE_EXTRA_CA_CERTS=/)
  assert.equal(https.status, 0)
  const bare = doctor('otlp', { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.internal:4318', OTEL_EXPORTER_OTLP_CERTIFICATE: '/etc/otel/ca.pem' }).report as Report
  assert.deepEqual(shipFindings(bare).map((x) => [x.severity, x.code]), [['note', 'SHIP_TLS_SYSTEM_CA'], ['warning', 'SHIP_SETTING_IGNORED']])
  assert.match(shipFindings(bare)[1]?.message ?? '', /OTEL_EXPORTER_OTLP_CERTIFICATE is not honoured; set NODE_EXTRA_CA_CERTS/)
  assert.deepEqual(shipFindings(doctor('otlp+http://collector.internal:4318').report as Report), [])
})
