// doctor's look at log_ship destinations given hostile values: a socket path
// or ca= path that %-decodes to a newline or an ANSI escape must not forge
// doctor's lines (it is refused as a destination, a config problem shown
// escaped); a ca= file with a PEM header around garbage is not a trust anchor
// (Node ignores it silently and every connection fails verification).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { cleanEnv } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

function doctor (ship: string, json: boolean): { status: number | null, stdout: string, stderr: string } {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, `[oneapm]\nlog_file = ${path.join(dir, 'agent.log')}\nlog_ship = ${ship}\n`)
  const r = spawnSync(process.execPath, [CLI, 'doctor', '--config', file, ...(json ? ['--json'] : [])], { encoding: 'utf8', env: cleanEnv(), cwd: dir, timeout: 60_000 })
  fs.rmSync(dir, { recursive: true, force: true })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('doctor text: a syslog+unix path or ca= path %-decoding to a newline or ESC forges no line and prints no control character', () => {
  for (const ship of ['syslog+unix:///tmp/a%0a  problem  forged%1b[31mX', 'syslog+tls://relay:6514?ca=/tmp/x%0a  problem  forged%1b[31m.pem', 'syslog+unix:///tmp/a%c2%85nel']) {
    const r = doctor(ship, false)
    assert.equal(r.stderr, '', ship)
    assert.ok(!r.stdout.split('\n').some((l) => l.startsWith('  problem  forged')), `${ship}: forged line\n${r.stdout}`)
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout, /[\u001b\u0085]/, ship)
    assert.equal(r.status, 1, ship)
  }
})

test('doctor: a ca= file with a PEM certificate header around garbage is a problem (no certificate in it parses), not "TLS verified"', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const ca = path.join(dir, 'ca.pem')
  fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n')
  const r = doctor(`syslog+tls://relay.internal:6514?ca=${ca}`, true)
  const report = JSON.parse(r.stdout) as { findings: Array<{ severity: string, code: string, message: string }> }
  const f = report.findings.filter((x) => x.code.startsWith('SHIP_'))
  assert.deepEqual(f.map((x) => [x.severity, x.code]), [['problem', 'SHIP_TLS_CA_UNREADABLE']])
  assert.match(f[0]?.message ?? '', /no certificate in it can be read/)
  assert.equal(r.status, 1)
})
