// doctor reports each log_ship destination: usable with its masked target,
// or the problem, with notes, in text and --json; never a header value or a
// URL password, from the config file or from OTEL_* variables.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { cleanEnv } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')
const HEADER = 'tok-Qm4Lw8Zx2Kc6Vb0NyT'
const OTEL_HEADER = 'otel-Jx7Rk2Wp9Hs4Fd1'
const PASSWORD = 'hunter2-Pw5Ty8'

interface Report {
  healthy: boolean
  shipping: { level: string, destinations: Array<{ given: string, target: string | null, problem: string | null, notes: string[] }> } | null
  findings: Array<{ severity: string, code: string, message: string }>
}

function doctor (configText: string, args: string[], env: Record<string, string> = {}): { status: number | null, stdout: string } {
  const dir = tmpDir()
  fs.chmodSync(dir, 0o700)
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, `[oneapm]\nlog_file = ${path.join(dir, 'agent.log')}\n${configText}`)
  const r = spawnSync(process.execPath, [CLI, 'doctor', '--config', file, ...args], { encoding: 'utf8', env: { ...cleanEnv(), ...env }, cwd: dir, timeout: 60_000 })
  fs.rmSync(dir, { recursive: true, force: true })
  return { status: r.status, stdout: r.stdout }
}

function assertNoSecret (out: string): void {
  for (const s of [HEADER, OTEL_HEADER, PASSWORD, HEADER.slice(4), OTEL_HEADER.slice(4), PASSWORD.slice(4)]) {
    assert.ok(!out.includes(s), `${s} found in\n${out}`)
  }
}

test('doctor: each log_ship destination usable with its masked target, or its problem; --json and text; no header value, no URL password', () => {
  const ship = [
    'syslog+tcp://relay.internal:601',
    'syslog+tls://relay.internal?facility=local3',
    'otlp+https://collector.internal:4318',
    'otlp',
    `otlp+http://user:${PASSWORD}@collector.internal:4318`,
    'syslog+tcp://relay.internal:65536',
    'syslog+unix://relative/sock'
  ].join(', ')
  const configText = `log_ship = ${ship}\nlog_ship_headers = authorization=Bearer%20${HEADER},x-scope-orgid=7\n`
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.internal:4318', OTEL_EXPORTER_OTLP_HEADERS: `api-key=${OTEL_HEADER}`, OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' }

  const json = doctor(configText, ['--json'], env)
  assertNoSecret(json.stdout)
  assert.equal(json.status, 1, json.stdout)
  const r = JSON.parse(json.stdout) as Report
  assert.equal(r.healthy, false)
  assert.equal(r.shipping?.level, 'info')
  const d = r.shipping?.destinations ?? []
  assert.equal(d.length, 7)
  assert.equal(d[0]?.target, 'syslog+tcp://relay.internal:601')
  assert.equal(d[1]?.target, 'syslog+tls://relay.internal:6514')
  assert.equal(d[2]?.target, 'otlp+https://collector.internal:4318/v1/logs [headers: api-key, authorization, x-scope-orgid; values hidden]')
  assert.match(d[3]?.target ?? '', /^otlp\+http:\/\/otel\.internal:4318\/v1\/logs \[/)
  // The bad OTEL timeout is a note on each OTLP destination (each reads it).
  assert.match(d[3]?.notes[0] ?? '', /OTEL_EXPORTER_OTLP_TIMEOUT="soon" ignored/)
  assert.equal(d[4]?.target, null)
  assert.match(d[4]?.problem ?? '', /user:password@ in the URL is not accepted/)
  assert.match(d[5]?.problem ?? '', /port "65536"/)
  assert.match(d[6]?.problem ?? '', /absolute socket path/)
  const codes = r.findings.map((f) => f.code)
  assert.equal(codes.filter((c) => c === 'SHIP_DESTINATION_INVALID').length, 3)
  // The note reads whole: naming the destination by its target's header list would let the free-text redaction take the note for a header value.
  const notes = r.findings.filter((f) => f.code === 'SHIP_SETTING_IGNORED').map((f) => f.message)
  assert.deepEqual(notes.map((m) => m.replace(/ignored: .*/, 'ignored')), [
    'log_ship destination otlp+https://collector.internal:4318: OTEL_EXPORTER_OTLP_TIMEOUT="soon" ignored',
    'log_ship destination otlp: OTEL_EXPORTER_OTLP_TIMEOUT="soon" ignored'
  ])

  const text = doctor(configText, [], env)
  assertNoSecret(text.stdout)
  assert.match(text.stdout, /Shipping \(log_ship_level info\):/)
  assert.match(text.stdout, /^ {2}syslog\+tcp:\/\/relay\.internal:601 {2}usable$/m)
  assert.match(text.stdout, /^ {2}otlp\+https:\/\/collector\.internal:4318\/v1\/logs \[headers: api-key, authorization, x-scope-orgid; values hidden\] {2}usable$/m)
  assert.match(text.stdout, /NOT usable: syslog\+tcp: port "65536"/)
  assert.match(text.stdout, /problem {2}log_ship destination otlp\+http:\/\/user:\*\*\*\*@collector\.internal:4318 would be left out/)
})

test('doctor: bad log_ship_headers are a problem (by position, never the value) even with no OTLP destination; healthy shipping is healthy', () => {
  const bad = doctor(`log_ship = syslog+udp://127.0.0.1:514\nlog_ship_headers = x-key=${HEADER}%0D%0Ax-evil:1\n`, ['--json'])
  assertNoSecret(bad.stdout)
  const r = JSON.parse(bad.stdout) as Report
  assert.equal(bad.status, 1)
  const f = r.findings.find((x) => x.code === 'SHIP_HEADERS_INVALID')
  assert.match(f?.message ?? '', /log_ship_headers: the value of header x-key holds a CR or LF/)
  assert.equal(r.shipping?.destinations[0]?.target, 'syslog+udp://127.0.0.1:514')

  const noShip = JSON.parse(doctor(`log_ship_headers = ${HEADER}\n`, ['--json']).stdout) as Report
  assert.equal(noShip.shipping, null)
  assert.ok(noShip.findings.some((x) => x.code === 'SHIP_HEADERS_INVALID'))

  const good = doctor('log_ship = syslog+tcp://127.0.0.1:601, otlp+http://127.0.0.1:4318\nlog_ship_level = warning\n', [])
  assert.equal(good.status, 0, good.stdout)
  assert.match(good.stdout, /Shipping \(log_ship_level warning\):\n {2}syslog\+tcp:\/\/127\.0\.0\.1:601 {2}usable\n {2}otlp\+http:\/\/127\.0\.0\.1:4318\/v1\/logs {2}usable\n/)
  assert.match(good.stdout, /Healthy\./)
})
