// doctor --connect against loopback collectors and proxies started here, with
// certificates made at test time: one test per cause. Each runs the CLI twice
// (text and --json) and checks the exit status, the cause and the fix, the
// JSON shape, and that neither the license key nor the proxy password is
// printed anywhere.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { closedPort } from '../helpers/servers'
import { agentConfig, authProxy, collector, connectCerts, runCli, silentServer, type CliRun } from '../helpers/connect'

const KEY = 'Zq9XW3rT7uV1pL0kM8nB6cD5eF4gH2jA'
const SHOWN_KEY = 'Zq9X****'
const PW = 'pa55:W0rd!Qx'
const WRONG_PW = 'n0t-the-Pa55'
const SECRETS = [KEY, KEY.slice(4), KEY.slice(0, 12), PW, WRONG_PW, encodeURIComponent(PW)]

interface Expect {
  readonly status: 0 | 1
  readonly id?: string
  readonly cause?: RegExp
  readonly fix?: RegExp
  /** Each step's status in order, e.g. ['ok', 'ok', 'failed', 'skipped']. */
  readonly steps: ReadonlyArray<[string, 'ok' | 'failed' | 'skipped']>
  readonly env?: Record<string, string>
  readonly args?: string[]
}

interface Report {
  collector: { host: string | null, origin: string | null, proxy: string | null, license: string | null }
  request: { kind: string, method: string, path: string }
  timeoutMs: number
  steps: Array<{ step: string, status: string, target: string, ms: number | null, summary: string, detail: Record<string, unknown>, error: { code: string, message: string } | null }>
  reachable: boolean
  diagnosis: { id: string, cause: string, fix: string } | null
  agentLog: string[]
}

function noSecrets (label: string, r: CliRun): void {
  const all = (r.stdout + r.stderr).toLowerCase()
  for (const secret of SECRETS) assert.ok(!all.includes(secret.toLowerCase()), `${label}: ${secret} printed in\n${r.stdout}${r.stderr}`)
}

/** Runs doctor --connect in text and --json; checks both against `e`; returns the JSON report and the text. */
async function connect (configLines: string[], e: Expect): Promise<{ report: Report, text: string }> {
  const file = agentConfig(configLines)
  const args = ['doctor', '--connect', '--config', file, ...(e.args ?? [])]
  const [text, json] = await Promise.all([runCli(args, e.env), runCli([...args, '--json'], e.env)])
  for (const [label, r] of [['text', text], ['json', json]] as const) {
    assert.equal(r.status, e.status, `${label} exit status\n${r.stdout}${r.stderr}`)
    assert.equal(r.stderr, '', `${label}: nothing on stderr`)
    noSecrets(label, r)
  }
  const report = JSON.parse(json.stdout) as Report
  assert.deepEqual(Object.keys(report).sort(), ['agentLog', 'collector', 'configFile', 'diagnosis', 'node', 'reachable', 'request', 'steps', 'timeoutMs', 'version'])
  assert.deepEqual(report.steps.map((s) => [s.step, s.status]), e.steps)
  for (const s of report.steps) {
    assert.deepEqual(Object.keys(s).sort(), ['detail', 'error', 'ms', 'status', 'step', 'summary', 'target'])
    assert.equal(s.ms === null, s.status === 'skipped', `${s.step}: timed unless skipped`)
    assert.equal(s.error !== null, s.status === 'failed', `${s.step}: an error exactly when failed`)
  }
  assert.equal(report.reachable, e.status === 0)
  assert.equal(report.request.kind, 'preconnect')
  assert.match(report.request.path, /^\/agent_listener\/invoke_raw_method\?method=preconnect&/)
  assert.match(text.stdout, /^Steps:$/m)
  if (e.status === 0) {
    assert.equal(report.diagnosis, null)
    assert.match(text.stdout, /^Reachable: /m)
  } else {
    assert.ok(report.diagnosis !== null)
    assert.deepEqual(Object.keys(report.diagnosis).sort(), ['cause', 'fix', 'id'])
    assert.equal(report.diagnosis.id, e.id)
    if (e.cause !== undefined) assert.match(report.diagnosis.cause, e.cause)
    if (e.fix !== undefined) assert.match(report.diagnosis.fix, e.fix)
    assert.match(text.stdout, /^NOT reachable\.$/m)
    // The text shows the same cause and fix, after the final masking pass.
    assert.ok(text.stdout.includes(`Cause: ${report.diagnosis.cause}`), text.stdout)
    assert.ok(text.stdout.includes(`Fix:   ${report.diagnosis.fix}`), text.stdout)
  }
  return { report, text: text.stdout }
}

const trusted = (): Record<string, string> => ({ NODE_EXTRA_CA_CERTS: connectCerts().caFile })
const DIRECT_OK: Expect['steps'] = [['dns', 'ok'], ['tcp', 'ok'], ['tls', 'ok'], ['http', 'ok']]

test('reachable: every step ok, the preconnect request carries the key as the agent sends it, exit 0', async (t) => {
  const c = await collector(200)
  t.after(() => c.close())
  const { report, text } = await connect([`host = 127.0.0.1:${c.port}`, `license_key = ${KEY}`], { status: 0, steps: DIRECT_OK, env: trusted() })
  assert.equal(report.collector.origin, `https://127.0.0.1:${c.port}`)
  assert.equal(report.collector.license, SHOWN_KEY)
  assert.ok(report.request.path.endsWith(`license_key=${SHOWN_KEY}`), report.request.path)
  const tls = report.steps[2]?.detail as Record<string, unknown>
  assert.equal(tls.verification, 'ok')
  assert.equal(tls.subject, 'CN=collector.test')
  assert.match(String(tls.issuer), /CN=OneAPM Test CA/)
  assert.match(String(tls.protocol), /^TLSv1\.[23]$/)
  assert.equal((report.steps[3]?.detail as Record<string, unknown>).status, 200)
  assert.match(text, /DNS .* 127\.0\.0\.1 is an IP address/)
  assert.match(text, /HTTP .* POST preconnect → HTTP 200/)
  // Both runs reached the collector, through the agent's dispatcher, with the full key.
  assert.equal(c.requests.length, 2)
  for (const r of c.requests) assert.equal(r, `POST /agent_listener/invoke_raw_method?method=preconnect&marshal_format=json&protocol_version=17&license_key=${KEY}`)
  // What the agent's collector logger said is part of the report.
  assert.ok(report.agentLog.some((l) => l.startsWith('info collector_connected:')), report.agentLog.join('\n'))
})

test('reachable through a proxy with credentials: the proxy CONNECT step is shown, the password never', async (t) => {
  const c = await collector(200)
  const proxy = await authProxy('agent', PW)
  t.after(async () => { await c.close(); await proxy.close() })
  const { report } = await connect([`host = 127.0.0.1:${c.port}`, `license_key = ${KEY}`, `proxy = http://agent:${encodeURIComponent(PW)}@127.0.0.1:${proxy.port}`], {
    status: 0,
    steps: [['dns', 'ok'], ['tcp', 'ok'], ['proxy', 'ok'], ['tls', 'ok'], ['http', 'ok']],
    env: trusted()
  })
  assert.equal(report.collector.proxy, `http://agent:****@127.0.0.1:${proxy.port}`)
  assert.equal(report.steps[1]?.target, `127.0.0.1:${proxy.port}`, 'TCP goes to the proxy')
  assert.match(report.steps[2]?.summary ?? '', new RegExp(`CONNECT 127\\.0\\.0\\.1:${c.port} → 200`))
  // The probe's tunnel and the agent dispatcher's tunnel, for each of the two runs.
  assert.deepEqual(proxy.tunnels, Array(4).fill(`127.0.0.1:${c.port} open`))
})

test('DNS failure: a name under .invalid', async () => {
  const { report } = await connect(['host = collector.oneapm.invalid', `license_key = ${KEY}`], {
    status: 1,
    id: 'dns_failure',
    cause: /the name collector\.oneapm\.invalid could not be resolved \((ENOTFOUND|EAI_AGAIN)/,
    fix: /getent hosts/,
    steps: [['dns', 'failed'], ['tcp', 'skipped'], ['tls', 'skipped'], ['http', 'skipped']]
  })
  assert.equal(report.collector.origin, 'https://collector.oneapm.invalid')
})

test('refused connection: a closed port', async () => {
  const port = await closedPort()
  await connect([`host = 127.0.0.1:${port}`, `license_key = ${KEY}`], {
    status: 1,
    id: 'connection_refused',
    cause: new RegExp(`127\\.0\\.0\\.1:${port} refused the connection`),
    fix: /port in host/,
    steps: [['dns', 'ok'], ['tcp', 'failed'], ['tls', 'skipped'], ['http', 'skipped']]
  })
})

test('firewall that drops traffic: TCP is accepted, TLS never answered; --timeout bounds the probe', async (t) => {
  const s = await silentServer()
  t.after(() => s.close())
  const { report } = await connect([`host = 127.0.0.1:${s.port}`, `license_key = ${KEY}`], {
    status: 1,
    id: 'timeout',
    cause: /did not answer the TLS handshake in time \(ETIMEDOUT\): a firewall or proxy/,
    fix: /firewall/,
    args: ['--timeout', '1s'],
    steps: [['dns', 'ok'], ['tcp', 'ok'], ['tls', 'failed'], ['http', 'skipped']]
  })
  assert.equal(report.timeoutMs, 1000)
  assert.equal(report.steps[2]?.error?.code, 'ETIMEDOUT')
})

test('unknown CA (an intercepting proxy): the issuer is named and NODE_EXTRA_CA_CERTS is the fix', async (t) => {
  const c = await collector(200, connectCerts().intercepted)
  t.after(() => c.close())
  const { report, text } = await connect([`host = 127.0.0.1:${c.port}`, `license_key = ${KEY}`], {
    status: 1,
    id: 'unknown_ca',
    cause: /issued by "CN=Corp Intercept CA, O=Test" is not from a trusted CA .*intercepting TLS/,
    fix: /NODE_EXTRA_CA_CERTS=/,
    env: trusted(),
    steps: [['dns', 'ok'], ['tcp', 'ok'], ['tls', 'failed'], ['http', 'skipped']]
  })
  assert.match(String(report.steps[2]?.detail.verification), /UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT)/)
  assert.match(text, /issued by CN=Corp Intercept CA/)
  assert.equal(c.requests.length, 0, 'nothing was sent to a server that is not trusted')
})

test('certificate for another host name', async (t) => {
  const c = await collector(200, connectCerts().wrongName)
  t.after(() => c.close())
  await connect([`host = 127.0.0.1:${c.port}`, `license_key = ${KEY}`], {
    status: 1,
    id: 'wrong_host_certificate',
    cause: new RegExp(`not for 127\\.0\\.0\\.1:${c.port} \\(it is for "CN=wrong\\.example \\(DNS:wrong\\.example\\)"\\) \\(ERR_TLS_CERT_ALTNAME_INVALID\\)`),
    fix: /check host/,
    env: trusted(),
    steps: [['dns', 'ok'], ['tcp', 'ok'], ['tls', 'failed'], ['http', 'skipped']]
  })
})

test('proxy answers 407: credentials belong in proxy; the password sent is not shown', async (t) => {
  const c = await collector(200)
  const proxy = await authProxy('agent', PW)
  t.after(async () => { await c.close(); await proxy.close() })
  const { report } = await connect([`host = 127.0.0.1:${c.port}`, `license_key = ${KEY}`, `proxy = http://agent:${WRONG_PW}@127.0.0.1:${proxy.port}`], {
    status: 1,
    id: 'proxy_auth',
    cause: new RegExp(`the proxy http://agent:\\*\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port} asked for credentials \\(HTTP 407\\)`),
    fix: /proxy = http:\/\/user:password@proxy:3128/,
    env: trusted(),
    steps: [['dns', 'ok'], ['tcp', 'ok'], ['proxy', 'failed'], ['tls', 'skipped'], ['http', 'skipped']]
  })
  assert.equal(report.steps[2]?.detail.status, 407)
  assert.equal(c.requests.length, 0)
})

for (const status of [401, 403]) {
  test(`license key rejected (${status}): its masked prefix is shown`, async (t) => {
    const c = await collector(status)
    t.after(() => c.close())
    const { report } = await connect([`host = 127.0.0.1:${c.port}`, `license_key = ${KEY}`], {
      status: 1,
      id: 'license_rejected',
      cause: new RegExp(`rejected the license key Zq9X\\*\\*\\*\\* \\(HTTP ${status} to preconnect\\)`),
      fix: /check license_key/,
      env: trusted(),
      steps: [['dns', 'ok'], ['tcp', 'ok'], ['tls', 'ok'], ['http', 'failed']]
    })
    assert.equal(report.steps[3]?.detail.status, status)
    assert.match(String(report.steps[3]?.detail.excerpt), new RegExp(`answer ${status}`))
  })
}

test('payload too large (413)', async (t) => {
  const c = await collector(413)
  t.after(() => c.close())
  await connect([`host = 127.0.0.1:${c.port}`, `license_key = ${KEY}`], {
    status: 1,
    id: 'payload_too_large',
    cause: /answered 413 to preconnect: the payload is too large/,
    fix: /smaller batches/,
    env: trusted(),
    steps: [['dns', 'ok'], ['tcp', 'ok'], ['tls', 'ok'], ['http', 'failed']]
  })
})

test('collector error (5xx)', async (t) => {
  const c = await collector(503)
  t.after(() => c.close())
  await connect([`host = 127.0.0.1:${c.port}`, `license_key = ${KEY}`], {
    status: 1,
    id: 'collector_error',
    cause: new RegExp(`127\\.0\\.0\\.1:${c.port} answered HTTP 503 to preconnect`),
    fix: /retries with backoff/,
    env: trusted(),
    steps: [['dns', 'ok'], ['tcp', 'ok'], ['tls', 'ok'], ['http', 'failed']]
  })
})

test('no host set: nothing is tried, host is the fix', async () => {
  await connect([`license_key = ${KEY}`], {
    status: 1,
    id: 'host_not_set',
    cause: /no collector host is set/,
    fix: /set host/,
    steps: [['dns', 'skipped'], ['tcp', 'skipped'], ['tls', 'skipped'], ['http', 'skipped']]
  })
})
