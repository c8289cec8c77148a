// A private rsyslogd for workload 11 (adapted from test/helpers/rsyslog.ts,
// which the tests keep): its own config, work directory, pid file and
// loopback TCP port, never the system daemon or /etc/rsyslog.conf. One TCP
// input (imtcp, octet counting); every message's MSG goes to one line of a
// file, which count() reads back. Start-up probes go to another file.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'

export interface BenchRsyslog {
  readonly port: number
  /** `rsyslogd 8.2302.0`: what ran. */
  readonly version: string
  /** Messages written to the output file so far: all, and those whose MSG holds `marker`. */
  count (marker: string): { total: number, marked: number }
  /** Stops rsyslogd (its directory is the caller's). */
  stop (): Promise<void>
}

/** The rsyslogd binary, or undefined when it is not installed. */
export function findRsyslogd (): string | undefined {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/local/sbin', ...(process.env.PATH ?? '').split(':')]) {
    const p = path.join(dir, 'rsyslogd')
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return p
    } catch {}
  }
  return undefined
}

async function freePort (): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => { resolve() }))
  return port
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function config (dir: string, port: number): string {
  const q = JSON.stringify
  return `
global(workDirectory=${q(path.join(dir, 'work'))} maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" port="${port}" address="127.0.0.1")
template(name="oneapm_bench" type="string" string="%msg%\\n")
if $app-name == "probe" then action(type="omfile" file=${q(path.join(dir, 'probes.log'))} template="oneapm_bench")
else if $app-name != "rsyslogd" then action(type="omfile" file=${q(path.join(dir, 'out.log'))} template="oneapm_bench")
`
}

function countIn (file: string, marker: string): { total: number, marked: number } {
  let text: string
  try {
    text = fs.readFileSync(file, 'latin1')
  } catch {
    return { total: 0, marked: 0 }
  }
  let total = 0
  let marked = 0
  let start = 0
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    total++
    const m = text.indexOf(marker, start)
    if (m !== -1 && m < nl) marked++
    start = nl + 1
  }
  return { total, marked }
}

function probe (port: number): Promise<void> {
  const msg = Buffer.from('<134>1 2026-01-01T00:00:00.000Z probe probe - - - probe')
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.end(Buffer.concat([Buffer.from(`${msg.length} `), msg])) })
    s.on('error', () => { resolve() })
    s.on('close', () => { resolve() })
    s.resume()
  })
}

export async function startBenchRsyslog (bin: string, dir: string): Promise<BenchRsyslog> {
  fs.mkdirSync(path.join(dir, 'work'), { recursive: true })
  const port = await freePort()
  const conf = path.join(dir, 'rsyslog.conf')
  fs.writeFileSync(conf, config(dir, port))
  const errFile = path.join(dir, 'rsyslogd.log')
  const errFd = fs.openSync(errFile, 'a')
  const child: ChildProcess = spawn(bin, ['-n', '-C', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', errFd, errFd], cwd: dir })
  fs.closeSync(errFd)
  child.on('error', () => {})
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
  // If this process dies before stop(), the watchdog's stdin closes and it kills rsyslogd.
  const dog = spawn('sh', ['-c', `read _; kill -KILL ${child.pid ?? 0} 2>/dev/null`], { stdio: ['pipe', 'ignore', 'ignore'] })
  dog.on('error', () => {})
  dog.unref();
  (dog.stdin as unknown as net.Socket).unref()
  const stop = async (): Promise<void> => {
    dog.kill('SIGKILL')
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
      await exited
      clearTimeout(timer)
    }
  }
  try {
    const deadline = Date.now() + 15_000
    while (countIn(path.join(dir, 'probes.log'), 'probe').marked === 0) {
      if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${fs.readFileSync(errFile, 'utf8')}`)
      if (Date.now() > deadline) throw new Error(`rsyslogd did not take a message within 15 s: ${fs.readFileSync(errFile, 'utf8')}`)
      await probe(port)
      await sleep(100)
    }
  } catch (err) {
    await stop()
    throw err
  }
  const version = /rsyslogd\s+([\d.]+)/.exec(spawnVersion(bin))?.[1]
  return {
    port,
    version: `rsyslogd ${version ?? '?'}`,
    count: (marker) => countIn(path.join(dir, 'out.log'), marker),
    stop
  }
}

function spawnVersion (bin: string): string {
  // -v prints the version and the features it was built with; the first line is enough.
  const r = spawnSync(bin, ['-v'], { encoding: 'utf8', timeout: 5000 })
  return (r.stdout ?? '').split('\n')[0] ?? ''
}
