// Issue 9 audit of the bundle: environment.json holds only the allowlisted
// variables (ONEAPM_*, NODE_OPTIONS, *_PROXY in either case), redacted, and
// the version of every package the agent depends on; debug/ holds the
// control file, the state files and the session logs, redacted; the manifest
// names the pids of the session files.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { formatControl } from '../../src/logger/session/control'
import { BEARER, KEY, PROXY_PW, fixture, holds, members, runBundleIn } from '../helpers/bundle'

const PLANTS: Record<string, string> = {
  ONEAPM_LICENSE_KEY: KEY,
  ONEAPM_PROXY: `http://bob:${PROXY_PW}@proxy.example:3128`,
  NODE_OPTIONS: `--max-old-space-size=512 --header=Authorization:Bearer_x --api-token=${BEARER}`,
  https_proxy: `http://alice:${PROXY_PW}@proxy.example:3128`,
  NO_PROXY: 'localhost,127.0.0.1',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-not-allowed-0123456789',
  MY_APP_SETTING: 'not-allowed-at-all'
}

async function withEnv<T> (vars: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  Object.assign(process.env, vars)
  try {
    return await run()
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

test('bundle environment.json: only the allowlisted variables, redacted; Node, OS, CPU, memory, every dependency\'s version', async () => {
  const f = fixture()
  fs.writeFileSync(f.log, '2026-01-01T00:00:00.000Z INFO (1/main) oneapm.collector: hello\n')
  const r = await withEnv(PLANTS, async () => await runBundleIn(['--config', f.config, '--out', f.out]))
  assert.equal(r.status, 0, r.stderr)
  const text = members(r.archive as string).get('environment.json') as string
  for (const secret of [KEY, PROXY_PW, BEARER, 'aws-secret-not-allowed', 'not-allowed-at-all']) assert.ok(!holds(text, secret), `environment.json holds ${secret}`)
  const env = JSON.parse(text) as { env: Record<string, string>, node: { version: string }, os: { platform: string }, cpu: { count: number }, memory: { total: number }, packages: Record<string, string> }
  assert.deepEqual(Object.keys(env.env).filter((k) => k in PLANTS).sort(), ['NODE_OPTIONS', 'NO_PROXY', 'ONEAPM_LICENSE_KEY', 'ONEAPM_PROXY', 'https_proxy'])
  for (const k of Object.keys(env.env)) assert.ok(k.startsWith('ONEAPM_') || k === 'NODE_OPTIONS' || k.toUpperCase().endsWith('_PROXY'), `${k} is not allowlisted`)
  assert.equal(env.env.ONEAPM_LICENSE_KEY, '****')
  assert.equal(env.env.https_proxy, 'http://alice:****@proxy.example:3128')
  assert.equal(env.env.NO_PROXY, 'localhost,127.0.0.1')
  assert.match(env.env.NODE_OPTIONS ?? '', /^--max-old-space-size=512 /)
  assert.equal(env.node.version, process.version)
  assert.equal(typeof env.os.platform, 'string')
  assert.ok(env.cpu.count > 0 && env.memory.total > 0)
  const deps = Object.keys((JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies)
  for (const d of deps) assert.match(env.packages[d] ?? 'missing', /^\d+\.\d+\.\d+/, `${d}: ${env.packages[d]}`)
})

test('bundle debug/: the control file, each state file and each session log, redacted; their pids in the manifest', async () => {
  // A relative log_debug_dir is read against the config file's directory.
  const f = fixture('log_debug_dir = debug\n')
  fs.writeFileSync(f.log, '2026-01-01T00:00:00.000Z INFO (1/main) oneapm.collector: hello\n')
  const debug = path.join(path.dirname(f.config), 'debug')
  fs.mkdirSync(debug)
  const now = Date.now()
  fs.writeFileSync(path.join(debug, 'oneapm-debug-session.json'), formatControl({ id: 'ds-audit', level: 'debug', only: ['collector'], started: now - 60_000, expires: now + 60_000, maxSize: 1 << 20, reason: 'case 9', source: 'cli', state: 'active' }))
  fs.writeFileSync(path.join(debug, 'oneapm-debug-4711.state.json'), JSON.stringify({ pid: 4711, session: 'ds-audit', since: new Date(now).toISOString(), records: 2, bytes: 300, dropped: 0, file: path.join(debug, 'oneapm-debug-4711.log'), state: 'active', updated: new Date(now).toISOString() }) + '\n')
  fs.writeFileSync(path.join(debug, 'oneapm-debug-4711.log'),
    `{"time":"2026-12-01T00:00:00.000Z","level":"debug","name":"oneapm.collector","pid":4711,"msg":"connect license_key=${KEY}","debug_session":"ds-audit"}\n` +
    `2026-12-01T00:00:01.000Z DEBUG (4711/main) oneapm.collector: proxy http://bob:${PROXY_PW}@proxy.example:3128 Authorization: Bearer ${BEARER} debug_session=ds-audit\n`)
  const r = await runBundleIn(['--config', f.config, '--out', f.out])
  assert.equal(r.status, 0, r.stderr)
  const m = members(r.archive as string)
  assert.deepEqual([...m.keys()].filter((k) => k.startsWith('debug/')).sort(), ['debug/oneapm-debug-4711.log', 'debug/oneapm-debug-4711.state.json', 'debug/oneapm-debug-session.json'])
  for (const [name, text] of m) for (const secret of [KEY, PROXY_PW, BEARER]) assert.ok(!holds(text, secret), `${name} holds a planted secret`)
  assert.match(m.get('debug/oneapm-debug-4711.log') as string, /"debug_session":"ds-audit"/)
  assert.equal((JSON.parse(m.get('debug/oneapm-debug-session.json') as string) as { id: string }).id, 'ds-audit')
  const manifest = JSON.parse(m.get('manifest.json') as string) as { pids_seen: number[] }
  assert.ok(manifest.pids_seen.includes(4711), JSON.stringify(manifest.pids_seen))
  assert.match(r.stdout, /debug\/oneapm-debug-4711\.log/)
})

test('bundle environment.json: the license key in an allowlisted variable is masked in every encoding the redaction knows', async () => {
  const f = fixture()
  fs.writeFileSync(f.log, '2026-01-01T00:00:00.000Z INFO (1/main) oneapm.collector: hello\n')
  const encoded: Record<string, string> = {
    ONEAPM_AUDIT_UPPER: `key ${KEY.toUpperCase()} end`,
    ONEAPM_AUDIT_HEX: `x ${Buffer.from(KEY).toString('hex')} y`,
    ONEAPM_AUDIT_B64: `x ${Buffer.from(KEY).toString('base64')} y`,
    ONEAPM_AUDIT_URL: `https://h/?k=${[...KEY].map((c) => '%' + c.charCodeAt(0).toString(16)).join('')}`,
    NODE_OPTIONS: `--require ./x.js --license-key=${KEY}`
  }
  const r = await withEnv(encoded, async () => await runBundleIn(['--config', f.config, '--out', f.out]))
  assert.equal(r.status, 0, r.stderr)
  const env = (JSON.parse(members(r.archive as string).get('environment.json') as string) as { env: Record<string, string> }).env
  for (const [name, value] of Object.entries(encoded)) {
    assert.ok(name in env, name)
    assert.notEqual(env[name], value, `${name} kept as given: ${env[name]}`)
    assert.ok(!holds(env[name] as string, KEY), `${name}: ${env[name]}`)
    for (const enc of [Buffer.from(KEY).toString('hex'), Buffer.from(KEY).toString('base64')]) assert.ok(!holds(env[name] as string, enc), `${name}: ${env[name]}`)
  }
})
