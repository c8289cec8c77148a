// Secrets that reached summary, report and tail output although every line
// is redacted again on the way out (redact-output.ts): an event value was
// passed through as it was read, a request kind was decoded from its URL
// after the URL was redacted, an error kind was put together from fields
// redacted one by one, and tail's text line was redacted as written, where
// the writer's \u003d spelling of `=` hides `password=...` from the rules.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { main } from '../../../src/cli/main'
import { tmpDir } from '../../helpers/tmp'

const KEY = '0123456789abcdef0123456789abcdef01234567'
const PROXY_PW = 'S3cr3tPr0xyPw'
const TOKEN = 'abcdefghijklmnopqrstuvwxyz0123456789'

async function cli (argv: string[]): Promise<{ status: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const status = await main(argv, (s) => { out += s }, (s) => { err += s })
  return { status, out, err }
}

/** A config naming the license key, a proxy with a password and a secret field name, and a log of `lines`. */
function setup (lines: readonly string[]): string {
  const dir = tmpDir()
  const log = path.join(dir, 'agent.log')
  fs.writeFileSync(log, lines.join('\n') + '\n')
  const cfg = path.join(dir, 'agent.config')
  fs.writeFileSync(cfg, `[oneapm]\nlog_file = ${log}\nlicense_key = ${KEY}\nproxy = http://bob:${PROXY_PW}@proxy.internal:3128\nlog_redact = sessionid\n`)
  return cfg
}

const at = (s: number): string => `2026-11-21 13:18:${String(s).padStart(2, '0')},123+0800 (4242/main) oneapm.collector`

/** Every way the three commands print what they read. */
async function outputs (cfg: string): Promise<Record<string, string>> {
  const dir = path.dirname(cfg)
  const out: Record<string, string> = {}
  for (const argv of [['summary'], ['summary', '--json'], ['tail'], ['tail', '--json']]) {
    const r = await cli([...argv, '--config', cfg])
    assert.equal(r.status, 0, r.err)
    out[argv.join(' ')] = r.out
  }
  const html = path.join(dir, 'report.html')
  assert.equal((await cli(['report', '--config', cfg, '--out', html])).status, 0)
  out.report = fs.readFileSync(html, 'utf8')
  return out
}

function assertNone (outs: Record<string, string>, secrets: readonly string[]): void {
  for (const [cmd, text] of Object.entries(outs)) {
    for (const s of secrets) assert.ok(!text.toLowerCase().includes(s.toLowerCase()), `${cmd} shows ${s}:\n${text.slice(0, 4000)}`)
  }
}

test('an event value holding the license key or the proxy password is masked in summary, report and tail --json', async () => {
  const cfg = setup([
    `${at(0)} ERROR - failed event=${KEY}`,
    `${at(1)} WARNING - failed event=${PROXY_PW}`,
    `${at(2)} INFO - failed event=k${KEY.toUpperCase()}`,
    JSON.stringify({ time: '2026-11-21T05:18:03.123Z', level: 'error', name: 'x', pid: 1, thread: 'main', msg: 'm', event: `key ${KEY}` })
  ])
  assertNone(await outputs(cfg), [KEY, PROXY_PW])
})

test('a request kind decoded from the URL\'s method= is redacted after decoding (summary, report)', async () => {
  // Every other character percent-encoded: no rule sees the secret until the kind is decoded.
  const mixed = (s: string): string => [...s].map((c, i) => i % 2 === 1 ? '%' + c.charCodeAt(0).toString(16) : c).join('')
  const cfg = setup([
    `${at(0)} ERROR - failed event=collector_error cause="HTTP 401" url="https://collector.example/x?method=${mixed(KEY)}" status=401`,
    `${at(1)} ERROR - failed event=collector_error cause="HTTP 503" url="https://collector.example/x?method=${mixed(PROXY_PW)}" status=503`,
    `${at(2)} INFO - sent event=collector_request url="https://collector.example/x?method=${mixed(KEY.toUpperCase())}" status=200`
  ])
  assertNone(await outputs(cfg), [KEY, PROXY_PW])
})

test('an error kind put together from err.type and err.code is redacted as a whole (summary, report)', async () => {
  const cfg = setup([`${at(0)} ERROR - boom err.type=Bearer err.code=${TOKEN}`])
  const outs = await outputs(cfg)
  // tail --json shows the two fields apart, each harmless alone; the kind joins them into a credential.
  for (const cmd of ['summary', 'summary --json', 'report']) assert.ok(!(outs[cmd] as string).includes(`Bearer ${TOKEN}`), `${cmd}:\n${outs[cmd]}`)
})

test('tail prints a text line whose message spells `password=` as \\u003d with the value masked', async () => {
  const cfg = setup([
    `${at(0)} WARNING - login password\\u003dPwVal1234 ok`,
    `${at(1)} WARNING - login sessionid\\u003dSessVal5678 ok`
  ])
  const outs = await outputs(cfg)
  assertNone(outs, ['PwVal1234', 'SessVal5678'])
  // Only a line with something masked is changed: the others are printed as written.
  assert.match(outs.tail as string, /login password=\*{4} ok/)
})

test('tail prints a \\u003d line with nothing to mask as written', async () => {
  const cfg = setup([`${at(0)} WARNING - retry in 5 s count\\u003d3 done=1`])
  const r = await cli(['tail', '--config', cfg])
  assert.equal(r.out, `${at(0)} WARNING - retry in 5 s count\\u003d3 done=1\n`)
})
