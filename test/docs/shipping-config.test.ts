// docs/shipping.md's rsyslog relay config works as printed: the block between
// its marker comments is run by a real rsyslogd (ports, certificate and output
// paths swapped for the test's own by plain substitution), records are
// shipped to it over TCP and TLS through createLogger, and they arrive parsed
// by mmjsonparse, one JSON object per message, with the syslog header fields.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createLogger } from '../../src/index'
import { rsyslogdPath } from '../helpers/rsyslog'
import { makeCerts } from '../helpers/servers'
import { tmpDir } from '../helpers/tmp'

const DOC = path.join(__dirname, '..', '..', '..', 'docs', 'shipping.md')

/** The fenced block between `<!-- rsyslog-config:start -->` and `<!-- rsyslog-config:end -->`. */
function docConfig (): string {
  const text = fs.readFileSync(DOC, 'utf8')
  const start = text.indexOf('<!-- rsyslog-config:start -->')
  const end = text.indexOf('<!-- rsyslog-config:end -->')
  assert.ok(start >= 0 && end > start, 'the rsyslog config markers are missing from docs/shipping.md')
  const block = text.slice(start, end)
  const open = block.indexOf('```')
  const body = block.indexOf('\n', open) + 1
  const close = block.lastIndexOf('```')
  assert.ok(open >= 0 && close > body, 'no fenced block between the markers')
  return block.slice(body, close)
}

/** Every placeholder must be there, or the substitution would test something else than the doc. */
function substitute (conf: string, map: ReadonlyArray<readonly [string, string]>): string {
  let out = conf
  for (const [from, to] of map) {
    assert.ok(out.includes(from), `docs/shipping.md's rsyslog config no longer holds ${from}`)
    out = out.split(from).join(to)
  }
  return out
}

async function freePort (): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => { resolve() }))
  return port
}

async function listening (port: number, child: ChildProcess, log: string): Promise<void> {
  const end = Date.now() + 15_000
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true) })
      s.on('error', () => { resolve(false) })
    })
    if (up) return
    if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${fs.readFileSync(log, 'utf8')}`)
    if (Date.now() > end) throw new Error(`rsyslogd did not listen on ${port}: ${fs.readFileSync(log, 'utf8')}`)
    await sleep(50)
  }
}

function jsonLines (file: string): Array<Record<string, unknown>> {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

test('docs/shipping.md: the rsyslog relay config takes records over TCP and TLS and writes them parsed, one JSON object per message', async (t) => {
  const dir = tmpDir('oneapm-docs-rsyslog-')
  const tls = path.join(dir, 'tls')
  const out = path.join(dir, 'out')
  fs.mkdirSync(tls)
  fs.mkdirSync(out)
  const certs = makeCerts()
  fs.writeFileSync(path.join(tls, 'ca.pem'), certs.caCert)
  fs.writeFileSync(path.join(tls, 'relay.pem'), certs.cert)
  fs.writeFileSync(path.join(tls, 'relay.key'), certs.key, { mode: 0o600 })
  const tcpPort = await freePort()
  const tlsPort = await freePort()
  const conf = substitute(docConfig(), [
    ['port="601"', `port="${tcpPort}" address="127.0.0.1"`],
    ['port="6514"', `port="${tlsPort}" address="127.0.0.1"`],
    ['/etc/rsyslog.d/oneapm-tls/', `${tls}/`],
    ['/var/log/oneapm/', `${out}/`]
  ])
  const confFile = path.join(dir, 'rsyslog.conf')
  fs.writeFileSync(confFile, conf)
  const logFile = path.join(dir, 'rsyslogd.log')
  const errFd = fs.openSync(logFile, 'a')
  const child = spawn(rsyslogdPath(), ['-n', '-C', '-f', confFile, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', errFd, errFd], cwd: dir })
  fs.closeSync(errFd)
  child.on('error', () => {})
  const kill = (): void => { try { child.kill('SIGKILL') } catch {} }
  process.on('exit', kill)
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      kill()
      await exited
    }
    process.off('exit', kill)
    fs.rmSync(dir, { recursive: true, force: true })
  })
  await listening(tcpPort, child, logFile)
  await listening(tlsPort, child, logFile)

  const agentLog = path.join(dir, 'agent.log')
  const log = createLogger({
    log_file: agentLog,
    log_ship: `syslog+tcp://127.0.0.1:${tcpPort}, syslog+tls://127.0.0.1:${tlsPort}?ca=${encodeURIComponent(path.join(tls, 'ca.pem'))}`,
    log_ship_level: 'warning',
    app_name: 'docs-test'
  }, { global: false })
  const collector = log.child('collector', { run_id: 'r1' })
  collector.warning({ status: 503, seq: 1 }, 'collector said 503\nsecond line, ünïcödé')
  collector.error(new Error('connection reset'), 'upload failed')
  log.info('below log_ship_level')

  const agents = path.join(out, 'agents.jsonl')
  const end = Date.now() + 15_000
  let got = jsonLines(agents)
  while (got.length < 4) {
    assert.ok(Date.now() < end, `the relay wrote ${got.length} of 4 records: ${fs.readFileSync(logFile, 'utf8')}`)
    await sleep(50)
    got = jsonLines(agents)
  }
  await log.close()
  assert.deepEqual(log.stats().ship.map((s) => [s.target, s.sent]), [
    [`syslog+tcp://127.0.0.1:${tcpPort}`, 2],
    [`syslog+tls://127.0.0.1:${tlsPort}`, 2]
  ])
  assert.equal(got.length, 4, JSON.stringify(got))
  // Each record twice (one per input), parsed: fields at the top, the syslog header under "syslog".
  for (const msg of ['collector said 503\nsecond line, ünïcödé', 'upload failed']) {
    const mine = got.filter((r) => r.msg === msg)
    assert.equal(mine.length, 2, `${msg}: ${JSON.stringify(got)}`)
    for (const r of mine) {
      const s = r.syslog as Record<string, string>
      assert.equal(s.app, 'oneapm')
      assert.equal(s.procid, String(process.pid))
      assert.equal(s.msgid, 'collector')
      assert.match(s.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}/)
      assert.equal(r.run_id, 'r1')
      if (msg === 'upload failed') {
        assert.equal(s.severity, 'err')
        assert.equal((r.err as Record<string, string>).message, 'connection reset')
      } else {
        assert.equal(s.severity, 'warning')
        assert.equal(r.status, 503)
      }
    }
  }
  assert.ok(!fs.existsSync(path.join(out, 'unparsed.log')), 'a record failed to parse')
})
