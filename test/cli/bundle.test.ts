// `oneapm-agent-log bundle`: members listed and parsed back, secrets planted
// in the config, the current log and an old gzipped rotated log masked,
// --max-size honoured, flags checked, errors recorded.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { main } from '../../src/cli/main'
import { BEARER, KEY, PROXY_PW, fixture, holds, members, plantedLines, runBundleIn, writeGz } from '../helpers/bundle'

test('bundle: writes the archive with every member, each parsed back, and prints its path and a table', async () => {
  const f = fixture()
  fs.writeFileSync(f.log, 'hello from the app (4242/main)\n 2026 INFO (4242/main) oneapm: started\n')
  const r = await runBundleIn(['--config', f.config, '--out', f.out])
  assert.equal(r.status, 0, r.stderr)
  assert.ok(r.archive !== undefined && fs.existsSync(r.archive), r.stdout)
  assert.match(path.basename(r.archive), /^oneapm-support-[A-Za-z0-9._-]+-\d{8}T\d{6}Z\.tar\.gz$/)
  assert.deepEqual(fs.readdirSync(f.out), [path.basename(r.archive)], 'no staging or partial file is left next to it')
  const m = members(r.archive)
  assert.deepEqual([...m.keys()].sort(), ['config.json', 'doctor.json', 'environment.json', 'logs/agent.log', 'manifest.json', 'redaction-report.json', 'report.html', 'summary.txt'])
  for (const [name, text] of m) if (name.endsWith('.json')) JSON.parse(text)
  const manifest = JSON.parse(m.get('manifest.json') as string)
  assert.equal(manifest.format, 1)
  assert.equal(typeof manifest.redaction_rules, 'string')
  assert.deepEqual(manifest.errors, [])
  assert.ok(manifest.pids_seen.includes(4242))
  const config = JSON.parse(m.get('config.json') as string)
  assert.equal(config.settings.log_file.value, f.log)
  assert.match(config.settings.log_file.source, /agent\.config:4/)
  for (const name of ['manifest.json', 'config.json', 'logs/agent.log']) assert.ok(r.stdout.includes(name), `table lists ${name}`)
  assert.ok(!r.stdout.includes('upload') || r.stdout.includes('Nothing was uploaded'))
})

test('bundle: a license key, proxy password and bearer token planted in the config, the current log and an old gzipped rotated log are all masked', async () => {
  const f = fixture(`my_service_token = ${BEARER}\n`)
  fs.writeFileSync(f.log, plantedLines().join('\n') + '\n')
  // Written "before redaction existed": raw lines, gzipped as rotation leaves them.
  writeGz(path.join(f.logs, 'agent.log.2026-01-01.001.gz'), plantedLines().join('\n') + '\n')
  const saved = process.env.HTTPS_PROXY
  process.env.HTTPS_PROXY = `http://bob:${PROXY_PW}@proxy.example:3128`
  let r
  try {
    r = await runBundleIn(['--config', f.config, '--out', f.out])
  } finally {
    if (saved === undefined) delete process.env.HTTPS_PROXY
    else process.env.HTTPS_PROXY = saved
  }
  assert.equal(r.status, 0, r.stderr)
  const m = members(r.archive as string)
  assert.ok(m.has('logs/agent.log.2026-01-01.001'), 'the rotated file is stored decompressed')
  for (const [name, text] of m) {
    for (const secret of [KEY, PROXY_PW, BEARER]) assert.ok(!holds(text, secret) && !holds(name, secret), `${name} holds a planted secret`)
  }
  assert.match(m.get('logs/agent.log.2026-01-01.001') as string, /proxy http:\/\/bob:\*\*\*\*@proxy/)
  assert.match(m.get('environment.json') as string, /"HTTPS_PROXY": "http:\/\/bob:\*\*\*\*@proxy/)
  const report = JSON.parse(m.get('redaction-report.json') as string)
  const byRule = Object.fromEntries(report.masks_by_rule.map((e: { rule: string, masks: number }) => [e.rule, e.masks]))
  assert.ok(byRule['license-key'] >= 3, JSON.stringify(byRule))
  assert.ok(byRule['url-password'] >= 2, JSON.stringify(byRule))
  const keys = new Set([...report.masks_by_rule, ...report.masks_by_member].flatMap((e: object) => Object.keys(e)))
  assert.deepEqual([...keys].sort(), ['masks', 'member', 'rule'], 'the report holds counts, never values')
})

test('bundle: --max-size is honoured for the whole archive; large logs are cut to head and tail with a marker', async () => {
  const f = fixture()
  const line = (i: number): string => `2026-01-01T00:00:00.000Z INFO (7/main) oneapm: record ${i} ${Math.random().toString(36).repeat(4)}\n`
  let text = ''
  for (let i = 0; i < 20_000; i++) text += line(i)
  fs.writeFileSync(f.log, text)
  writeGz(path.join(f.logs, 'agent.log.2026-01-01.001.gz'), text)
  fs.writeFileSync(path.join(f.logs, 'agent.log.2026-01-01.002'), text)
  const max = 400 * 1024
  const r = await runBundleIn(['--config', f.config, '--out', f.out, '--max-size', '400KB'])
  assert.equal(r.status, 0, r.stderr)
  assert.ok(fs.statSync(r.archive as string).size <= max)
  const m = members(r.archive as string)
  const unpacked = [...m.values()].reduce((n, t) => n + Buffer.byteLength(t) + 1024, 1024)
  assert.ok(unpacked <= max, `unpacked ${unpacked} > ${max}`)
  const log = m.get('logs/agent.log') as string
  assert.ok(log.startsWith('2026-01-01T00:00:00.000Z INFO (7/main) oneapm: record 0 '), 'the head is kept')
  assert.ok(log.includes('record 19999 '), 'the tail is kept')
  assert.match(log, /\[oneapm-agent-log bundle: about \d+ bytes of this file left out here/)
  assert.ok(m.has('logs/agent.log.2026-01-01.001') && m.has('logs/agent.log.2026-01-01.002'))
})

test('bundle: bad flags exit 2 with a clear message; --out that cannot be written exits 1', async () => {
  const f = fixture()
  for (const [argv, msg] of [
    [['--since', 'yesterday'], /--since "yesterday": expected a duration/],
    [['--since', '0h'], /--since "0h": must be more than 0/],
    [['--max-size', '10KB'], /--max-size "10KB": must be between 256KB and 1GB/],
    [['--max-size', 'lots'], /--max-size "lots": expected a size/],
    [['--bogus'], /Unknown option '--bogus'/]
  ] as const) {
    const r = await runBundleIn(['--config', f.config, '--out', f.out, ...argv])
    assert.equal(r.status, 2, argv.join(' '))
    assert.match(r.stderr, msg)
    assert.match(r.stderr, /See: oneapm-agent-log bundle --help/)
  }
  const notDir = path.join(f.dir, 'agent.config')
  const r1 = await runBundleIn(['--config', f.config, '--out', notDir])
  assert.equal(r1.status, 1)
  assert.match(r1.stderr, /--out .* is not a directory/)
  const r2 = await runBundleIn(['--config', f.config, '--out', path.join(notDir, 'sub')])
  assert.equal(r2.status, 1)
  assert.match(r2.stderr, /cannot write to --out .*ENOTDIR/)
  assert.deepEqual(fs.readdirSync(f.out), [])
})

test('bundle: registered in the CLI, in --help, and runnable through main()', async () => {
  let out = ''
  assert.equal(await main(['--help'], (s) => { out += s }, () => {}), 0)
  assert.match(out, /bundle +write a redacted support bundle/)
  assert.match(out, /Usage: oneapm-agent-log bundle \[--config FILE\] \[--since 24h\] \[--out DIR\] \[--max-size 32MB\]/)
  const f = fixture()
  let o = ''
  assert.equal(await main(['bundle', '--config', f.config, '--out', f.out], (s) => { o += s }, () => {}), 0)
  assert.match(o, /Wrote .*oneapm-support-/)
})
