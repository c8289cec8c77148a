// For `doctor --connect` tests: certificates made with openssl at test time
// (a CA the CLI is told to trust through NODE_EXTRA_CA_CERTS, a certificate
// for 127.0.0.1 and one for another name signed by it, and an "intercepting
// proxy" CA the CLI does not trust, with its own certificate for 127.0.0.1),
// loopback collectors and proxies, and the CLI run in a child process
// (asynchronously: the servers live in this process).

import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { cleanEnv } from './child'
import { tmpDir } from './tmp'

export interface ConnectCerts {
  /** The trusted CA's PEM file, for NODE_EXTRA_CA_CERTS. */
  readonly caFile: string
  /** For 127.0.0.1 and localhost, by the trusted CA. */
  readonly good: { readonly cert: string, readonly key: string }
  /** For wrong.example only, by the trusted CA. */
  readonly wrongName: { readonly cert: string, readonly key: string }
  /** For 127.0.0.1, by "Corp Intercept CA", which the CLI does not trust. */
  readonly intercepted: { readonly cert: string, readonly key: string }
}

let made: ConnectCerts | undefined

export function connectCerts (): ConnectCerts {
  if (made !== undefined) return made
  const dir = tmpDir('oneapm-connect-certs-')
  const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }) }
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  const ca = (name: string, cn: string): void => { run('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}/O=Test`) }
  const leaf = (name: string, ca: string, cn: string, san: string): void => {
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`)
    fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\n`)
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`)
  }
  ca('ca', 'OneAPM Test CA')
  ca('corp', 'Corp Intercept CA')
  leaf('good', 'ca', 'collector.test', 'IP:127.0.0.1,DNS:localhost')
  leaf('wrong', 'ca', 'wrong.example', 'DNS:wrong.example')
  leaf('intercepted', 'corp', 'collector.test', 'IP:127.0.0.1,DNS:localhost')
  const pair = (name: string): { cert: string, key: string } => ({
    cert: fs.readFileSync(path.join(dir, `${name}.crt`), 'utf8'),
    key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8')
  })
  made = { caFile: path.join(dir, 'ca.crt'), good: pair('good'), wrongName: pair('wrong'), intercepted: pair('intercepted') }
  return made
}

export interface Server {
  readonly port: number
  /** Each request the collector got: `METHOD path`. */
  readonly requests: string[]
  close (): Promise<void>
}

async function listening (server: net.Server, requests: string[]): Promise<Server> {
  const sockets = new Set<net.Socket>()
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => { sockets.delete(s) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

/** An HTTPS collector answering every request with `status` (and a small JSON body). */
export function collector (status: number, pair: { cert: string, key: string } = connectCerts().good): Promise<Server> {
  const requests: string[] = []
  const server = https.createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`)
    req.resume()
    req.on('end', () => {
      const body = status === 200 ? '{"return_value":{"redirect_host":"127.0.0.1"}}' : `{"exception":{"message":"answer ${status}"}}`
      res.writeHead(status, { 'content-type': 'application/json' }).end(body)
    })
  })
  return listening(server, requests)
}

/**
 * A firewall that drops traffic, made deterministic on loopback: the TCP
 * connection is accepted (by the kernel and Node), then nothing is ever
 * sent back, so the TLS handshake waits until the probe's deadline. (A
 * real black hole drops the SYN; on loopback nothing does that without
 * root and iptables, and the probe's timeout path is the same.)
 */
export function silentServer (): Promise<Server> {
  const requests: string[] = []
  return listening(net.createServer((s) => { s.on('data', () => {}) }), requests)
}

/** An HTTP proxy that tunnels CONNECT for user:password only, and answers 407 otherwise. */
export function authProxy (user: string, password: string): Promise<Server & { readonly tunnels: string[] }> {
  const tunnels: string[] = []
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
  const server = http.createServer((_req, res) => { res.writeHead(405).end() })
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    if (req.headers['proxy-authorization'] !== expected) {
      tunnels.push(`${req.url ?? ''} refused`)
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n')
      return
    }
    tunnels.push(`${req.url ?? ''} open`)
    const [host, port] = (req.url ?? '').split(':')
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => { client.destroy() })
    client.on('error', () => { upstream.destroy() })
  })
  return listening(server, []).then((s) => ({ ...s, tunnels }))
}

export interface CliRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

/** The CLI in a child process, killed after `timeoutMs` (a hang fails the test, not the suite). */
export function runCli (args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolve) => {
    // Only the CA a test names is trusted beyond Node's own store.
    const base = cleanEnv()
    delete base.NODE_EXTRA_CA_CERTS
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, ...env }, cwd: tmpDir() })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

/** An agent.config with these lines under [oneapm], in a fresh temp dir. */
export function agentConfig (lines: string[]): string {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, ['[oneapm]', ...lines, `log_file = ${path.join(dir, 'agent.log')}`].join('\n') + '\n')
  return file
}
