// Attack: a hostile OTLP receiver echoes part of our auth header back in its
// error message (`invalid token tok…`, without the `Bearer ` scheme, or the
// percent-decoded form of a log_ship_headers value). The transport masked the
// whole header value only, and the local Redactor knew log_ship_headers'
// values in their percent-encoded form only: the bare token reached the local
// log (ship_rejected's cause), and from there the shipped payload.
// Also: the destination's display `[authorization=****]` read as a secret
// assignment to the Redactor, which masked everything after it: every
// shipping notice lost its message ("…[authorization=****").
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import zlib from 'node:zlib'
import { createLogger } from '../../src/index'
import { httpServer } from '../helpers/servers'
import { tmpDir } from '../helpers/tmp'

const TOKEN = 'tok9Zq81secretVALUE'
const ENV_TOKEN = 'envTok77Hx2secret'

async function until (what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

test('a receiver echoing the bare token of a header (no scheme, decoded) never gets it into the local log, the shipped payload or stats()', async (t) => {
  const payloads: string[] = []
  const server = await httpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      payloads.push(zlib.gunzipSync(Buffer.concat(chunks)).toString())
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: `unknown principal ${TOKEN} (tenant ${ENV_TOKEN}) for Bearer` }))
    })
  })
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const before = process.env.OTEL_EXPORTER_OTLP_HEADERS
  process.env.OTEL_EXPORTER_OTLP_HEADERS = `x-tenant=key%3D${ENV_TOKEN}`
  const log = createLogger({ log_file: file, log_format: 'json', log_ship: `otlp+http://127.0.0.1:${server.port}`, log_ship_headers: `authorization=Bearer%20${TOKEN}` }, { global: false })
  t.after(async () => {
    if (before === undefined) delete process.env.OTEL_EXPORTER_OTLP_HEADERS
    else process.env.OTEL_EXPORTER_OTLP_HEADERS = before
    await log.close()
    await server.close()
  })
  log.info('first')
  await until('the rejection notice', () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('ship_rejected'))
  log.info('second, to ship the notice')
  await until('the notice shipped', () => payloads.some((p) => p.includes('ship_rejected')))
  log.flush()
  const text = fs.readFileSync(file, 'utf8')
  const stats = JSON.stringify(log.stats())
  for (const secret of [TOKEN, ENV_TOKEN]) {
    assert.ok(!text.includes(secret), `local log holds ${secret}:\n${text}`)
    assert.ok(!payloads.join('\n').includes(secret), `a shipped payload holds ${secret}`)
    assert.ok(!stats.includes(secret))
  }
  const notice = text.split('\n').find((l) => l.includes('"ship_rejected"')) as string
  assert.match(JSON.parse(notice).msg as string, /they are not sent again$/, notice)
})
