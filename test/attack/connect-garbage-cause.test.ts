// doctor --connect: "each failure is mapped to a cause and a fix, in words an
// operator can act on". A collector that answers with a header over undici's
// limit, or with bytes that are not HTTP at all (HTTP/0.9-style garbage, a
// non-HTTP service on that port), is reported as network_other:
// "<host> could not be reached (UND_ERR_HEADERS_OVERFLOW)" -- it WAS reached
// -- with the fix "run oneapm-agent-log doctor --connect on this host",
// which is the command the operator just ran.
import assert from 'node:assert/strict'
import tls from 'node:tls'
import { test } from 'node:test'
import type { AddressInfo } from 'node:net'
import { agentConfig, connectCerts, runCli } from '../helpers/connect'

const KEY = 'Zq9XW3rT7uV1pL0kM8nB6cD5eF4gH2jA'

for (const [label, answer] of [
  ['a 100 KB response header', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(100_000)}\r\nContent-Length: 0\r\n\r\n`],
  ['garbage that is not HTTP', 'SSH-2.0-OpenSSH_9.2 this is not http\r\n\r\n']
] as const) {
  test(`doctor --connect: ${label} from the collector is named as such, with a fix that is not "run doctor --connect"`, async () => {
    const certs = connectCerts()
    const server = tls.createServer({ cert: certs.good.cert, key: certs.good.key }, (s) => {
      s.on('error', () => {})
      let got = ''
      s.on('data', (d: Buffer) => { got += d.toString(); if (got.includes('\r\n\r\n')) s.end(answer) })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const file = agentConfig([`license_key = ${KEY}`, `host = 127.0.0.1:${(server.address() as AddressInfo).port}`])
      const r = await runCli(['doctor', '--connect', '--config', file, '--json', '--timeout', '5s'], { NODE_EXTRA_CA_CERTS: certs.caFile })
      assert.equal(r.status, 1, r.stdout + r.stderr)
      const d = JSON.parse(r.stdout).diagnosis as { id: string, cause: string, fix: string }
      assert.ok(!/could not be reached/.test(d.cause), `the collector was reached and answered, but: ${d.cause}`)
      assert.ok(!/doctor --connect/.test(d.fix), `the fix sends the operator back to the command they ran: ${d.fix}`)
    } finally {
      server.close()
    }
  })
}
