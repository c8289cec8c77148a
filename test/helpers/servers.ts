// Loopback servers for collector tests: HTTP, HTTPS with a certificate made
// at test time (a private CA and a leaf for 127.0.0.1), and a CONNECT proxy.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { tmpDir } from './tmp'

export interface Running {
  readonly port: number
  readonly origin: string
  close (): Promise<void>
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

async function listen (server: net.Server, protocol: string, port = 0): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const p = (server.address() as AddressInfo).port
  return {
    port: p,
    origin: `${protocol}://127.0.0.1:${p}`,
    close: async () => {
      (server as http.Server).closeAllConnections?.()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

export function httpServer (handler: Handler, port?: number): Promise<Running> {
  return listen(http.createServer(handler), 'http', port)
}

export interface Certs { readonly caCert: string, readonly cert: string, readonly key: string }

let certs: Certs | undefined

/** A CA and a server certificate it signed, for 127.0.0.1 (CN collector.test), made with openssl once per process. */
export function makeCerts (): Certs {
  if (certs !== undefined) return certs
  const dir = tmpDir('oneapm-certs-')
  const run = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }) }
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=OneAPM Test CA')
  run('req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=collector.test')
  fs.writeFileSync(path.join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  run('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '2', '-extfile', 'ext')
  const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8')
  certs = { caCert: read('ca.crt'), cert: read('srv.crt'), key: read('srv.key') }
  return certs
}

export function httpsServer (handler: Handler): Promise<Running> {
  const { cert, key } = makeCerts()
  return listen(https.createServer({ cert, key }, handler), 'https')
}

/** An HTTP proxy that tunnels CONNECT requests; counts them. */
export async function connectProxy (): Promise<Running & { readonly tunnels: string[] }> {
  const tunnels: string[] = []
  const server = http.createServer((_req, res) => { res.writeHead(405).end() })
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(`${req.url ?? ''} auth=${req.headers['proxy-authorization'] === undefined ? 'no' : 'yes'}`)
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
  const running = await listen(server, 'http')
  return { ...running, tunnels }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort (): Promise<number> {
  const s = await httpServer(() => {})
  await s.close()
  return s.port
}

/** A JSON answer, as the collector gives. */
export const ok: Handler = (req, res) => {
  req.resume()
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"return_value":{"agent_run_id":"run-1"}}') })
}
