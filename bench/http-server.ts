// The loopback collector stand-in of workload 10: reads each request's body,
// answers 200 with a small JSON body, keeps connections alive.
//
// Two ways to run it: `serve()` in the worker's own process, or its own
// process (`node build/bench/http-server.js`, forked by bench/run.ts with an
// IPC channel), which says { type: 'listening', port } once listening and
// exits when the parent disconnects (or is gone).

import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type ServerMessage = { readonly type: 'listening', readonly port: number }

/** What a collector says to a data post: small, as the real one's answers are. */
export const ANSWER = Buffer.from('{"return_value":[]}')

export interface Serving {
  readonly port: number
  close (): Promise<void>
}

export function serve (): Promise<Serving> {
  const server = http.createServer((req, res) => {
    req.on('data', () => {})
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length })
      res.end(ANSWER)
    })
  })
  // Longer than undici's own idle timeout, so the client is the one that closes idle connections.
  server.keepAliveTimeout = 30_000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((resolve) => {
          server.close(() => { resolve() })
          server.closeAllConnections()
        })
      })
    })
  })
}

if (require.main === module) {
  serve().then((s) => {
    process.send?.({ type: 'listening', port: s.port } satisfies ServerMessage)
    process.on('disconnect', () => { void s.close() })
  }, (err: unknown) => {
    process.stderr.write(`http-server: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
    process.disconnect?.()
  })
}
