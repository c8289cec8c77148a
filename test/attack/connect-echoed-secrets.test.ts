// doctor --connect promises no secret in any line of text or --json,
// "a last pass over the finished output masks any of the config's secrets
// that a step quoted". Two echoes get through:
// - the collector's answer is cut to 512 bytes BEFORE it is redacted, so a
//   body that echoes the license key across that cut leaves the key's
//   first characters (20 of 32 here) in clear in --json's `excerpt`;
// - a proxy that echoes the Proxy-Authorization it got in its 407 reason
//   phrase: base64("user:password") is printed in the text and in --json.
import assert from 'node:assert/strict'
import net from 'node:net'
import tls from 'node:tls'
import { test } from 'node:test'
import type { AddressInfo } from 'node:net'
import { agentConfig, collector, connectCerts, runCli } from '../helpers/connect'

const KEY = 'Zq9XW3rT7uV1pL0kM8nB6cD5eF4gH2jA'
const PW = 'pa55:W0rd@Qx'

function listen (server: net.Server): Promise<{ port: number, close: () => void }> {
  const sockets = new Set<net.Socket>()
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('error', () => {}) })
  server.on('secureConnection', (s: net.Socket) => { s.on('error', () => {}) })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ port: (server.address() as AddressInfo).port, close: () => { for (const s of sockets) s.destroy(); server.close() } })
  }))
}

function onHead (s: net.Socket, cb: (head: string) => void): void {
  let got = ''
  s.on('data', (d: Buffer) => {
    got += d.toString('latin1')
    if (got.includes('\r\n\r\n')) { cb(got); got = '' }
  })
}

test('doctor --connect --json: a 403 body echoing the license key across the 512-byte excerpt cut prints no part of the key', async () => {
  const certs = connectCerts()
  const body = 'y'.repeat(512 - 20) + KEY + ' is not a valid key'
  const srv = await listen(tls.createServer({ cert: certs.good.cert, key: certs.good.key }, (s) => {
    onHead(s, () => { s.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`) })
  }))
  try {
    const file = agentConfig([`license_key = ${KEY}`, `host = 127.0.0.1:${srv.port}`])
    const r = await runCli(['doctor', '--connect', '--config', file, '--json', '--timeout', '5s'], { NODE_EXTRA_CA_CERTS: certs.caFile })
    assert.equal(r.status, 1, r.stdout + r.stderr)
    assert.equal(JSON.parse(r.stdout).diagnosis.id, 'license_rejected')
    // The prefix shown on purpose is 4 characters; anything longer is the key.
    const all = (r.stdout + r.stderr).toLowerCase()
    assert.ok(!all.includes(KEY.slice(0, 12).toLowerCase()), `the key's first characters are printed:\n${r.stdout.split('\n').filter((l) => l.includes(KEY.slice(0, 12))).join('\n')}`)
  } finally {
    srv.close()
  }
})

test('doctor --connect: a proxy echoing the Proxy-Authorization it got in its 407 reason does not print the credentials (base64)', async () => {
  const col = await collector(200)
  const proxy = await listen(net.createServer((s) => {
    onHead(s, (head) => {
      const m = /Proxy-Authorization: Basic (\S+)/i.exec(head)
      s.end(`HTTP/1.1 407 Bad credentials ${m?.[1] ?? ''}\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n`)
    })
  }))
  try {
    const file = agentConfig([`license_key = ${KEY}`, `host = 127.0.0.1:${col.port}`, `proxy = http://bob:${PW}@127.0.0.1:${proxy.port}`])
    const b64 = Buffer.from(`bob:${PW}`).toString('base64')
    for (const args of [[], ['--json']]) {
      const r = await runCli(['doctor', '--connect', '--config', file, '--timeout', '5s', ...args], { NODE_EXTRA_CA_CERTS: connectCerts().caFile })
      assert.equal(r.status, 1, r.stdout + r.stderr)
      assert.ok(!(r.stdout + r.stderr).includes(b64), `${args.join('') || 'text'}: base64(user:password) of the proxy printed:\n${r.stdout.split('\n').filter((l) => l.includes(b64)).join('\n')}`)
      assert.ok(!(r.stdout + r.stderr).toLowerCase().includes(PW.toLowerCase()))
    }
  } finally {
    proxy.close()
    await col.close()
  }
})
