// A private rsyslogd for the syslog transport tests: its own config, work
// directory, pid file and loopback ports (never the system daemon or
// /etc/rsyslog.conf). It listens on UDP, TCP, TLS (imtcp with the gtls
// driver, a CA and server certificate made with openssl at test time) and a
// unix stream socket (imptcp path=), runs mmjsonparse on every message, and
// writes one JSON line per message with the fields rsyslog parsed. Messages
// from rsyslogd itself and the start-up probes are left out.
// rsyslogd missing is an error, not a skip: CI installs it (.ci/run).

import { spawn, type ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import fs from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import tls from 'node:tls'
import { makeCerts } from './servers'
import { tmpDir } from './tmp'

/** One message as rsyslog parsed it. */
export interface Received {
  readonly app: string
  readonly procid: string
  readonly msgid: string
  readonly sev: number
  readonly fac: number
  readonly host: string
  readonly time: string
  readonly sd: string
  /** What mmjsonparse made of MSG (`$!`), as JSON. */
  readonly cee: Record<string, unknown>
  /** MSG as received. */
  readonly raw: string
}

export interface Rsyslog {
  readonly dir: string
  readonly tcpPort: number
  readonly udpPort: number
  readonly tlsPort: number
  readonly unixPath: string
  /** A unix DATAGRAM socket (imuxsock), as /dev/log is: Node cannot send to it. */
  readonly dgramPath: string
  /** The CA file that verifies the TLS input's certificate. */
  readonly caFile: string
  /** Every message received so far, in order. */
  received (): Received[]
  /** Waits until at least `count` messages were received (or throws after timeoutMs). */
  waitFor (count: number, timeoutMs?: number): Promise<Received[]>
  /** Stops rsyslogd with `signal` and waits until it has exited. */
  stop (signal?: NodeJS.Signals): Promise<void>
  /** Starts it again, on the same ports and files. */
  start (): Promise<void>
  /** rsyslogd's own stderr (for failure messages). */
  log (): string
}

export function rsyslogdPath (): string {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/local/sbin', ...(process.env.PATH ?? '').split(':')]) {
    const p = path.join(dir, 'rsyslogd')
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return p
    } catch {}
  }
  throw new Error('rsyslogd not found: install rsyslog and rsyslog-gnutls (apt-get install -y rsyslog rsyslog-gnutls); CI does (.ci/run)')
}

async function freeTcpPort (): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => { resolve() }))
  return port
}

async function freeUdpPort (): Promise<number> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
  const port = s.address().port
  await new Promise<void>((resolve) => s.close(resolve))
  return port
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function config (dir: string, p: { tcp: number, udp: number, tls: number, unix: string, dgram: string }, certs: { ca: string, cert: string, key: string }): string {
  const q = JSON.stringify
  return `
global(workDirectory=${q(path.join(dir, 'work'))}
       defaultNetstreamDriverCAFile=${q(certs.ca)} defaultNetstreamDriverCertFile=${q(certs.cert)} defaultNetstreamDriverKeyFile=${q(certs.key)})
module(load="imtcp")
module(load="imudp")
module(load="imptcp")
module(load="mmjsonparse")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=${q(p.dgram)})
input(type="imudp" port="${p.udp}" address="127.0.0.1")
input(type="imtcp" port="${p.tcp}" address="127.0.0.1")
input(type="imtcp" port="${p.tls}" address="127.0.0.1" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imptcp" path=${q(p.unix)} unlink="on")
template(name="oneapm_test" type="list" option.jsonf="on") {
  property(outname="app" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sev" name="syslogseverity" format="jsonf")
  property(outname="fac" name="syslogfacility" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="time" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="cee" name="$!" format="jsonf")
  property(outname="raw" name="msg" format="jsonf")
}
if $app-name != "rsyslogd" then {
  action(type="mmjsonparse")
  if $app-name == "probe" then action(type="omfile" file=${q(path.join(dir, 'probes.jsonl'))} template="oneapm_test")
  else action(type="omfile" file=${q(path.join(dir, 'out.jsonl'))} template="oneapm_test")
}
`
}

function parseLine (line: string): Received {
  const o = JSON.parse(line) as Record<string, string>
  let cee: Record<string, unknown> = {}
  try { cee = JSON.parse(o.cee ?? '{}') as Record<string, unknown> } catch {}
  return {
    app: o.app ?? '', procid: o.procid ?? '', msgid: o.msgid ?? '', sev: Number(o.sev), fac: Number(o.fac),
    host: o.host ?? '', time: o.time ?? '', sd: o.sd ?? '', cee, raw: o.raw ?? ''
  }
}

function readJsonl (file: string): string[] {
  try {
    // Only whole lines: rsyslogd may be writing the last one as we read.
    const lines = fs.readFileSync(file, 'utf8').split('\n')
    lines.pop()
    return lines.filter((l) => l !== '')
  } catch {
    return []
  }
}

export async function startRsyslog (): Promise<Rsyslog> {
  const bin = rsyslogdPath()
  const dir = tmpDir('oneapm-rsyslog-')
  fs.mkdirSync(path.join(dir, 'work'))
  const c = makeCerts()
  const certs = { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'srv.crt'), key: path.join(dir, 'srv.key') }
  fs.writeFileSync(certs.ca, c.caCert)
  fs.writeFileSync(certs.cert, c.cert)
  fs.writeFileSync(certs.key, c.key, { mode: 0o600 })
  const ports = { tcp: await freeTcpPort(), udp: await freeUdpPort(), tls: await freeTcpPort(), unix: path.join(dir, 'log.sock'), dgram: path.join(dir, 'dgram.sock') }
  const conf = path.join(dir, 'rsyslog.conf')
  fs.writeFileSync(conf, config(dir, ports, certs))
  const out = path.join(dir, 'out.jsonl')
  const stderrFile = path.join(dir, 'rsyslogd.log')
  let child: ChildProcess | undefined
  let watchdog: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let probes = 0

  const killNow = (): void => {
    try { child?.kill('SIGKILL') } catch {}
    try { watchdog?.kill('SIGKILL') } catch {}
  }
  process.on('exit', killNow)

  async function probe (): Promise<void> {
    // One message per input, then wait until all arrived: every input is up.
    const id = ++probes
    const msg = (via: string): Buffer => Buffer.from(`<134>1 2026-01-01T00:00:00.000Z probe probe ${id} ${via} - probe`)
    const framed = (m: Buffer): Buffer => Buffer.concat([Buffer.from(`${m.length} `), m])
    const deadline = Date.now() + 15_000
    const want = ['udp', 'tcp', 'tls', 'unix']
    for (;;) {
      const seen = new Set(readJsonl(path.join(dir, 'probes.jsonl')).map(parseLine).filter((r) => r.procid === String(id)).map((r) => r.msgid))
      const missing = want.filter((w) => !seen.has(w))
      if (missing.length === 0) return
      if (Date.now() > deadline) throw new Error(`rsyslogd did not start its inputs (${missing.join(', ')}): ${fs.existsSync(stderrFile) ? fs.readFileSync(stderrFile, 'utf8') : ''}`)
      if (child?.exitCode != null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${fs.readFileSync(stderrFile, 'utf8')}`)
      await Promise.all(missing.map((via) => send(via, framed(msg(via)), msg(via))))
      await sleep(100)
    }
  }

  async function send (via: string, framed: Buffer, plain: Buffer): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => { resolve() }
      if (via === 'udp') {
        const s = dgram.createSocket('udp4')
        s.on('error', () => { s.close(); done() })
        s.send(plain, ports.udp, '127.0.0.1', () => { s.close(); done() })
        return
      }
      let s: net.Socket
      if (via === 'tls') {
        s = tls.connect({ host: '127.0.0.1', port: ports.tls, ca: c.caCert }, () => { s.end(framed) })
      } else {
        s = via === 'unix' ? net.connect(ports.unix, () => { s.end(framed) }) : net.connect(ports.tcp, '127.0.0.1', () => { s.end(framed) })
      }
      s.on('error', done)
      s.on('close', done)
      s.resume()
    })
  }

  async function start (): Promise<void> {
    const pidFile = path.join(dir, 'rsyslogd.pid')
    fs.rmSync(pidFile, { force: true })
    const errFd = fs.openSync(stderrFile, 'a')
    child = spawn(bin, ['-n', '-C', '-f', conf, '-i', pidFile], { stdio: ['ignore', errFd, errFd], cwd: dir })
    fs.closeSync(errFd)
    const c = child
    exited = new Promise((resolve) => { c.once('exit', () => { resolve() }) })
    c.on('error', () => {})
    // If this process dies without its after() hooks (SIGKILL, a runner
    // killed mid-run), the watchdog's stdin closes and it kills rsyslogd.
    if (c.pid !== undefined) {
      const dog = spawn('sh', ['-c', `read _; kill -KILL ${c.pid} 2>/dev/null`], { stdio: ['pipe', 'ignore', 'ignore'] })
      dog.on('error', () => {})
      dog.unref();
      (dog.stdin as unknown as net.Socket).unref()
      watchdog = dog
    }
    await probe()
  }

  async function stop (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    watchdog?.kill('SIGKILL')
    watchdog = undefined
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    const timer = setTimeout(killNow, 10_000)
    await exited
    clearTimeout(timer)
  }

  await start()
  return {
    dir,
    tcpPort: ports.tcp,
    udpPort: ports.udp,
    tlsPort: ports.tls,
    unixPath: ports.unix,
    dgramPath: ports.dgram,
    caFile: certs.ca,
    received: () => readJsonl(out).map(parseLine),
    async waitFor (count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const got = readJsonl(out).map(parseLine)
        if (got.length >= count) return got
        if (Date.now() > deadline) throw new Error(`rsyslog received ${got.length} of ${count} messages in ${timeoutMs} ms`)
        await sleep(50)
      }
    },
    stop,
    start,
    log: () => { try { return fs.readFileSync(stderrFile, 'utf8') } catch { return '' } }
  }
}
