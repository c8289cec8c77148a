// Planted secrets through shipping: a proxy password and OTLP header values
// (log_ship_headers and OTEL_EXPORTER_OTLP_HEADERS), each logged raw,
// %-encoded and base64-encoded (alone, as user:pass, as Proxy-Authorization:
// Basic …), must reach no output in full: the local log (records and the
// startup line), the records shipped over syslog and OTLP, the exit spool,
// stats(), and doctor (text and --json).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import zlib from 'node:zlib'
import { createLogger, loadConfig } from '../../src/index'
import { cleanEnv } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'
import { assertNoLeak } from '../fuzz/secrets'

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const unpadded = (s: string): string => s.replace(/=+$/, '')

// Each holds a character that %-encoding changes, so the encoded form is a form of its own.
const PROXY_PW = 'pXw7Qk2Lm9Vr4Tz8/Ns3+Bh6'
const HEADER = 'hDr5Gt8Yu2Io4Pa7@Sd1Fg3'
const BASIC_PW = 'bAs9Zx3Cv6Bn1Mq4=Wr7Ey0'
const ENV_HEADER = 'eNv2Hj5Kl8Qw1Er4/Ty7Ui3'

/** Every form of every secret a host may log, one record each. */
function plantedRecords (): string[] {
  const out: string[] = []
  for (const pw of [PROXY_PW, BASIC_PW, HEADER, ENV_HEADER]) {
    out.push(`raw ${pw} end`, `encoded ${encodeURIComponent(pw)} end`, `alone in base64 ${b64(pw)} end`, `base64url ${Buffer.from(pw).toString('base64url')} end`)
  }
  // A user:password pair (the proxy's, and the one inside the Basic header value) as it travels.
  for (const [user, pw] of [['agent', PROXY_PW], ['tenant', BASIC_PW]] as const) {
    out.push(
      `pair in base64 ${b64(`${user}:${pw}`)} end`,
      `Proxy-Authorization: Basic ${b64(`${user}:${pw}`)}`,
      `pair ${user}:${pw} and encoded ${encodeURIComponent(`${user}:${pw}`)}`
    )
  }
  return out
}

const NEEDLES = [
  PROXY_PW, HEADER, BASIC_PW, ENV_HEADER,
  ...[PROXY_PW, HEADER, BASIC_PW, ENV_HEADER].map((s) => unpadded(b64(s))),
  unpadded(b64(`agent:${PROXY_PW}`)), unpadded(b64(`tenant:${BASIC_PW}`)),
  ...[PROXY_PW, HEADER, BASIC_PW, ENV_HEADER].map((s) => encodeURIComponent(s))
]

test('planted proxy password and OTLP header values, raw, %-encoded and base64: in no record, startup line, shipped record (syslog, OTLP), spool, stats or doctor output', async (t) => {
  const dir = tmpDir()
  const syslogBytes: Buffer[] = []
  const syslog = net.createServer((s) => { s.on('data', (d: Buffer) => syslogBytes.push(d)) })
  await new Promise<void>((resolve) => syslog.listen(0, '127.0.0.1', resolve))
  const otlpBodies: string[] = []
  const otlp = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      otlpBodies.push((req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString())
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => otlp.listen(0, '127.0.0.1', resolve))
  process.env.OTEL_EXPORTER_OTLP_HEADERS = `x-env-key=${encodeURIComponent(ENV_HEADER)}`
  t.after(async () => {
    delete process.env.OTEL_EXPORTER_OTLP_HEADERS
    syslog.close()
    otlp.closeAllConnections()
    await new Promise<void>((resolve) => otlp.close(() => { resolve() }))
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const file = path.join(dir, 'agent.log')
  const spoolDir = path.join(dir, 'spool')
  fs.mkdirSync(spoolDir)
  const ship = [
    `syslog+tcp://127.0.0.1:${(syslog.address() as AddressInfo).port}`,
    `otlp+http://127.0.0.1:${(otlp.address() as AddressInfo).port}`,
    'syslog+tcp://127.0.0.1:9'
  ].join(', ')
  const config = path.join(dir, 'agent.config')
  fs.writeFileSync(config, [
    '[oneapm]',
    `log_file = ${file}`,
    'log_format = json',
    `proxy = http://agent:${encodeURIComponent(PROXY_PW)}@proxy.internal:3128`,
    `log_ship = ${ship}`,
    `log_ship_headers = x-api-key=${encodeURIComponent(HEADER)},authorization=Basic%20${b64(`tenant:${BASIC_PW}`)}`,
    ''
  ].join('\n'))

  const cfg = loadConfig({ file: config })
  assert.deepEqual(cfg.problems.map((p) => p.message), [])
  const log = createLogger(cfg, { global: false })
  const planted = plantedRecords()
  for (const msg of planted) log.info(msg)
  log.info({ auth: `Basic ${b64(`agent:${PROXY_PW}`)}`, note: `x ${b64(HEADER)} y`, url: `http://agent:${encodeURIComponent(PROXY_PW)}@p:1/` }, 'as fields')
  log.error(new Error(`upstream said 407 for ${b64(`agent:${PROXY_PW}`)} and ${encodeURIComponent(HEADER)}`), 'as an error')
  const shipped = (): string => Buffer.concat(syslogBytes).toString() + otlpBodies.join('\n')
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline && !(shipped().includes('as an error') && otlpBodies.join('').includes('as an error'))) await sleep(25)
  assert.ok(shipped().includes('raw '), 'records were shipped')
  const stats = JSON.stringify(log.stats())
  // The down destination's queue goes to the spool at close.
  log.flush()
  await log.close()
  const spools = fs.readdirSync(dir).filter((n) => n.startsWith('oneapm-unsent-'))
  assert.ok(spools.length > 0, 'a spool was written')
  const spoolText = spools.map((n) => fs.readFileSync(path.join(dir, n), 'utf8')).join('\n')
  assert.ok(spoolText.includes('raw '))

  const localLog = fs.readFileSync(file, 'utf8')
  assert.ok(localLog.includes('raw ') && localLog.includes('as an error'))
  assertNoLeak('the local log', localLog, NEEDLES)
  assertNoLeak('syslog', Buffer.concat(syslogBytes).toString(), NEEDLES)
  assertNoLeak('OTLP', otlpBodies.join('\n'), NEEDLES)
  assertNoLeak('the spool', spoolText, NEEDLES)
  assertNoLeak('stats()', stats, NEEDLES)

  for (const args of [[], ['--json']]) {
    const r = spawnSync(process.execPath, [CLI, 'doctor', '--config', config, ...args], {
      encoding: 'utf8', env: { ...cleanEnv(), OTEL_EXPORTER_OTLP_HEADERS: `x-env-key=${encodeURIComponent(ENV_HEADER)}` }, timeout: 60_000
    })
    assert.match(r.stdout, /Shipping|"shipping"/)
    assertNoLeak(`doctor ${args.join(' ')}`, r.stdout + r.stderr, NEEDLES)
  }
})
