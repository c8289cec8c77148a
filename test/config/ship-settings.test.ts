// Bad input for every shipping setting (log_ship, log_ship_level,
// log_ship_fields, log_ship_queue, log_ship_headers): each bad value is a
// config problem, in loadConfig().problems or, for what is checked in full
// when createLogger builds the destinations, a config_problem record under
// oneapm.config. Never a throw, and the good destinations still ship.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createLogger, loadConfig, type LogSettings } from '../../src/index'
import { readLines, tmpDir } from '../helpers/tmp'

function load (key: keyof LogSettings, value: unknown): ReturnType<typeof loadConfig> {
  return loadConfig({ overrides: { [key]: value }, env: {}, file: false })
}

/** A bad value: a problem naming the key, and the default (or the good part) used. */
function assertProblem (key: keyof LogSettings, value: unknown, used: unknown): void {
  let cfg: ReturnType<typeof loadConfig> | undefined
  assert.doesNotThrow(() => { cfg = load(key, value) }, `${key} = ${String(value)}`)
  const problems = cfg?.problems.filter((p) => p.key === key) ?? []
  assert.equal(problems.length, 1, `${key} = ${JSON.stringify(value)}: ${JSON.stringify(cfg?.problems)}`)
  assert.doesNotMatch(problems[0]?.message ?? '', /[\r\n]/)
  assert.deepEqual(cfg?.settings[key], used, `${key} = ${JSON.stringify(value)}`)
}

test('log_ship: unknown schemes and non-lists are problems; the destinations that remain are kept', () => {
  for (const v of ['ftp://x', 'http://collector:4318', 'otlp+grpc://h:4317', 'syslog+udp', 'syslog://h:514', 'otlpx', 'syslog+tcp://', 42, {}, ['syslog+tcp://h', 1], true]) {
    assertProblem('log_ship', v, [])
  }
  assertProblem('log_ship', 'syslog+tcp://h:601,ftp://x', ['syslog+tcp://h:601'])
  assertProblem('log_ship', ['gopher://h', 'otlp'], ['otlp'])
})

test('log_ship: more than 16 destinations is a problem naming how many were left out, never silently cut', () => {
  const list = Array.from({ length: 20 }, (_, i) => `syslog+udp://10.0.0.${i + 1}:514`)
  assertProblem('log_ship', list.join(','), list.slice(0, 16))
  const problem = load('log_ship', list.join(',')).problems[0]
  assert.match(problem?.message ?? '', /at most 16 destinations.*last 4 were left out/)
  // Repeats are one destination, not a reason to cut.
  assert.deepEqual(load('log_ship', Array(20).fill('otlp').join(',')).problems, [])
})

test('log_ship_level: unknown levels are problems; info is used', () => {
  for (const v of ['loud', '', 'warnings', 'info,debug', 42, null, {}, ['info']]) assertProblem('log_ship_level', v, 'info')
  assert.equal(load('log_ship_level', 'OFF').settings.log_ship_level, 'off')
})

test('log_ship_fields: non-lists are problems; "all" among names means all, with a note', () => {
  for (const v of [42, {}, ['event', 2], true]) assertProblem('log_ship_fields', v, 'all')
  assertProblem('log_ship_fields', 'all,event', 'all')
  assertProblem('log_ship_fields', ['event', 'ALL'], 'all')
  for (const v of ['', ',,,', ' , ', 'all', ' All ', ['all'], []]) {
    const cfg = load('log_ship_fields', v)
    assert.deepEqual(cfg.problems, [], JSON.stringify(v))
    assert.equal(cfg.settings.log_ship_fields, 'all', JSON.stringify(v))
  }
  // Odd but harmless names are names: the selection is a set lookup, never code.
  assert.deepEqual(load('log_ship_fields', '__proto__, constructor,"x",é').settings.log_ship_fields, ['__proto__', 'constructor', '"x"', 'é'])
})

test('log_ship_queue: out of range or unreadable sizes are problems; 1MB is used', () => {
  for (const v of ['0', '1', '-1', 'abc', '63KB', '65MB', '1e9', 'NaN', 'Infinity', 0, -1, 65535, 64 * 1024 * 1024 + 1, 65536.5, 1e20, NaN, Infinity, {}, null]) {
    assertProblem('log_ship_queue', v, 1024 * 1024)
  }
  assert.equal(load('log_ship_queue', '64KB').settings.log_ship_queue, 64 * 1024)
  assert.equal(load('log_ship_queue', '64MB').settings.log_ship_queue, 64 * 1024 * 1024)
})

/** A plain TCP listener on loopback: what a syslog relay would be handed. */
async function tcpSink (): Promise<{ port: number, text: () => string, close: () => Promise<void> }> {
  let text = ''
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('data', (d: Buffer) => { text += d.toString() })
    s.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    text: () => text,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

interface Line { name: string, msg: string, event?: string, key?: string, value?: string }

async function until (what: string, ok: () => boolean): Promise<void> {
  const end = Date.now() + 15_000
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

const SECRET = 'hunter2-Zq9XW3rT7uV1'
const HEADER_VALUE = 'Bearer%20tok-Qm4Lw8Zx2Kc6Vb0N'

test('log_ship, deep checks at createLogger: bad hosts, ports, paths, options and headers are config_problem records; never a throw; the good destination still ships', async (t) => {
  const relay = await tcpSink()
  const dir = tmpDir()
  t.after(async () => { await relay.close(); fs.rmSync(dir, { recursive: true, force: true }) })
  const bad = [
    'syslog+tcp://:601', 'syslog+udp://:514', 'syslog+tcp://relay:0', 'syslog+tcp://relay:65536', 'syslog+tcp://relay:-1', 'syslog+tls://relay:abc',
    'syslog+unix://dev/log', 'syslog+unix://relative/sock', 'syslog+tcp://relay:601/path', 'syslog+tcp://relay:601?facility=local9',
    'syslog+udp://relay?max=10', 'syslog+tcp://relay?ca=/etc/ca.pem', 'syslog+tls://relay?ca=relative.pem', 'syslog+tcp://relay?frob=1',
    'syslog+tcp://[::1:601', 'syslog+tcp://re lay:601', `syslog+tcp://user:${SECRET}@relay:601`, `otlp+http://user:${SECRET}@collector:4318`,
    'otlp+http://:4318', 'otlp+https://collector:99999', 'otlp+http://collector:4318/v1/logs\u0001'
  ]
  const good = `syslog+tcp://127.0.0.1:${relay.port}`
  // log_ship takes 16 destinations: two loggers, the good destination last in each.
  for (const [i, group] of [bad.slice(0, 11), bad.slice(11)].entries()) {
    const file = path.join(dir, `agent-${i}.log`)
    let log: ReturnType<typeof createLogger> | undefined
    assert.doesNotThrow(() => {
      log = createLogger({ log_file: file, log_format: 'json', log_ship: [...group, good], log_ship_headers: `authorization=${HEADER_VALUE}` }, { global: false })
    })
    assert.ok(log !== undefined)
    log.info('shipped despite the rest %d', i)
    await until('the record at the relay', () => relay.text().includes(`shipped despite the rest ${i}`))
    log.flush()
    const lines = readLines(file).map((l) => JSON.parse(l) as Line)
    const problems = lines.filter((l) => l.name === 'oneapm.config' && l.event === 'config_problem' && l.key === 'log_ship')
    assert.equal(problems.length, group.length, problems.map((p) => p.msg).join('\n'))
    for (const p of problems) assert.match(p.msg, /^log_ship destination .* left out: /)
    const text = fs.readFileSync(file, 'utf8') + relay.text()
    assert.ok(!text.includes(SECRET), 'a URL password reached an output')
    assert.ok(!text.includes('tok-Qm4Lw8Zx2Kc6Vb0N'), 'a header value reached an output')
    assert.equal(log.stats().ship.length, 1)
    await log.close()
  }
})

test('log_ship_headers: no "=", no name, CR/LF, controls, bad name characters, transport-owned names, bad percent-encoding: each a problem without its value; never a throw', async (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const cases = [
    `${SECRET}`, `=${SECRET}`, `x-key=${SECRET}\r\nx-evil: 1`, `x-key=${SECRET}%0D%0Ax-evil:1`, `x-key=${SECRET}\u0007`, `bad name=${SECRET}`,
    `x(key)=${SECRET}`, `content-type=${SECRET}`, `x-key=${SECRET}%zz`, `x-key=${SECRET}\u0100`, `ok=1,${SECRET}`
  ]
  for (const [i, headers] of cases.entries()) {
    // Syslog only, OTLP, and no log_ship at all: the bad value is said in every case, once.
    for (const ship of ['syslog+udp://127.0.0.1:9', 'otlp+http://127.0.0.1:9', '']) {
      const file = path.join(dir, `agent-${i}-${ship === '' ? 'none' : ship.slice(0, 4)}.log`)
      let log: ReturnType<typeof createLogger> | undefined
      assert.doesNotThrow(() => { log = createLogger({ log_file: file, log_format: 'json', log_ship: ship, log_ship_headers: headers }, { global: false }) })
      assert.ok(log !== undefined)
      log.info('after')
      await log.close()
      const lines = readLines(file).map((l) => JSON.parse(l) as Line)
      const problems = lines.filter((l) => l.event === 'config_problem' && /log_ship_headers/.test(l.msg))
      assert.equal(problems.length, 1, `${JSON.stringify(headers)} with ${JSON.stringify(ship)}:\n${lines.map((l) => l.msg).join('\n')}`)
      assert.ok(lines.some((l) => l.msg === 'after'))
      assert.ok(!fs.readFileSync(file, 'utf8').includes(SECRET), `${JSON.stringify(headers)}: the header value reached the log`)
      // The syslog destination is not affected by OTLP headers.
      if (ship.startsWith('syslog')) assert.equal(log.stats().ship.length, 1)
    }
  }
})

test('OTEL_EXPORTER_OTLP_* variables with bad values: a config problem for bare otlp, never a throw', async (t) => {
  const dir = tmpDir()
  const saved = { ...process.env }
  t.after(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_')) delete process.env[k]
    Object.assign(process.env, saved)
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const cases: Array<Record<string, string>> = [
    { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'ftp://collector:4318' },
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://:4318' },
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:70000' },
    { OTEL_EXPORTER_OTLP_HEADERS: `${SECRET}` },
    { OTEL_EXPORTER_OTLP_LOGS_HEADERS: `x-key=${SECRET}%0Ax-evil:1` }
  ]
  for (const [i, env] of cases.entries()) {
    for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_')) delete process.env[k]
    Object.assign(process.env, env)
    const file = path.join(dir, `agent-${i}.log`)
    let log: ReturnType<typeof createLogger> | undefined
    assert.doesNotThrow(() => { log = createLogger({ log_file: file, log_format: 'json', log_ship: 'otlp' }, { global: false }) })
    assert.ok(log !== undefined)
    await log.close()
    const lines = readLines(file).map((l) => JSON.parse(l) as Line)
    const problems = lines.filter((l) => l.event === 'config_problem' && l.key === 'log_ship')
    assert.equal(problems.length, 1, `${JSON.stringify(env)}: ${lines.map((l) => l.msg).join('\n')}`)
    assert.match(problems[0]?.msg ?? '', /OTEL_EXPORTER_OTLP_/)
    assert.ok(!fs.readFileSync(file, 'utf8').includes(SECRET))
    assert.equal(log.stats().ship.length, 0)
  }
})

test('an OTEL_* setting ignored for a destination with headers: the config_problem says so whole (the header list does not swallow it)', async (t) => {
  const dir = tmpDir()
  t.after(() => {
    delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT
    fs.rmSync(dir, { recursive: true, force: true })
  })
  process.env.OTEL_EXPORTER_OTLP_TIMEOUT = 'soon'
  const file = path.join(dir, 'agent.log')
  const log = createLogger({ log_file: file, log_format: 'json', log_ship: 'otlp+http://127.0.0.1:9', log_ship_headers: `authorization=${HEADER_VALUE}` }, { global: false })
  await log.close()
  const lines = readLines(file).map((l) => JSON.parse(l) as Line)
  const notes = lines.filter((l) => l.event === 'config_problem' && l.key === 'log_ship')
  assert.equal(notes.length, 1)
  assert.match(notes[0]?.msg ?? '', /^log_ship destination otlp\+http:\/\/127\.0\.0\.1:9: OTEL_EXPORTER_OTLP_TIMEOUT="soon" ignored: a whole number of milliseconds/)
  assert.equal(log.stats().ship.length, 1)
})
