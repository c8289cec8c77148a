// The loopback receivers of the shipping workloads (11 to 13), each in a
// process of its own so that its work is not on the logger's thread:
// `fork('ship-receiver.js', ['syslog' | 'otlp', marker])`.
//
// - syslog: a node:net server that reads octet-counted frames (RFC 6587,
//   `LEN SP MSG`) and counts them, for a machine without rsyslogd.
// - otlp: a node:http server that takes OTLP/HTTP JSON posts (gzip or not),
//   counts the logRecords in each and answers 200 `{}`.
//
// Over IPC it says `listening` with its port, and answers each `count` with
// what it has received so far (all messages, and those whose text holds the
// marker). It exits when the parent disconnects.

import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import zlib from 'node:zlib'

export type ReceiverMode = 'syslog' | 'otlp'

export type ReceiverMessage =
  | { readonly type: 'listening', readonly port: number }
  | { readonly type: 'count', readonly total: number, readonly marked: number, readonly bad: number }

let total = 0
let marked = 0
/** Frames or payloads that could not be parsed. */
let bad = 0

const SP = 0x20

/** Counts the octet-counted frames of one connection; keeps at most one partial frame. */
function frameCounter (marker: Buffer): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0)
  return (chunk) => {
    let buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    let at = 0
    for (;;) {
      const sp = buf.indexOf(SP, at)
      if (sp === -1 || sp - at > 10) {
        if (sp - at > 10) {
          // Not a length: the stream is not octet-counted; count it once and drop the rest.
          bad++
          buf = Buffer.alloc(0)
          at = 0
        }
        break
      }
      const len = Number(buf.toString('latin1', at, sp))
      if (!Number.isInteger(len) || len <= 0) {
        bad++
        buf = Buffer.alloc(0)
        at = 0
        break
      }
      if (buf.length < sp + 1 + len) break
      total++
      const end = sp + 1 + len
      const m = buf.indexOf(marker, sp + 1)
      if (m !== -1 && m + marker.length <= end) marked++
      at = end
    }
    pending = at === 0 ? buf : buf.subarray(at)
    // A copy, so the chunk the partial frame came from is not kept alive whole.
    if (pending.length > 0 && pending.length < buf.length) pending = Buffer.from(pending)
  }
}

function syslogServer (marker: string): net.Server {
  const m = Buffer.from(marker)
  return net.createServer((sock) => {
    const count = frameCounter(m)
    sock.on('data', count)
    sock.on('error', () => {})
  })
}

interface OtlpBody {
  resourceLogs?: Array<{ scopeLogs?: Array<{ logRecords?: Array<{ body?: { stringValue?: string } }> }> }>
}

function otlpServer (marker: string): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => { chunks.push(c) })
    req.on('end', () => {
      try {
        const raw = Buffer.concat(chunks)
        const text = (req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString('utf8')
        const body = JSON.parse(text) as OtlpBody
        for (const rl of body.resourceLogs ?? []) {
          for (const sl of rl.scopeLogs ?? []) {
            for (const lr of sl.logRecords ?? []) {
              total++
              if (lr.body?.stringValue?.includes(marker) === true) marked++
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      } catch {
        bad++
        res.writeHead(400, { 'content-type': 'application/json' }).end('{}')
      }
    })
  })
}

function main (): void {
  const mode = process.argv[2] as ReceiverMode
  const marker = process.argv[3] ?? ''
  const server: net.Server = mode === 'otlp' ? otlpServer(marker) : syslogServer(marker)
  const send = (m: ReceiverMessage): void => { process.send?.(m) }
  server.listen(0, '127.0.0.1', () => { send({ type: 'listening', port: (server.address() as AddressInfo).port }) })
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'count') send({ type: 'count', total, marked, bad })
  })
  process.on('disconnect', () => {
    server.close()
    if (server instanceof http.Server) server.closeAllConnections()
    // Sockets a client left open must not keep this process alive.
    setTimeout(() => { process.exit(0) }, 200).unref()
  })
}

if (require.main === module) main()
