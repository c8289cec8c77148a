// Attack: secrets in an old log (written before redaction existed, or by an
// older version) come out of `summary`, `report` and `tail` in clear, even
// when --config names the very license key. The support bundle re-redacts
// every member ("old log lines included", docs/support.md), but the
// standalone commands print the key (in Top errors, in the settings from
// agent_start), a proxy password and a Bearer token; the report puts the
// key in its settings table. README: "No secrets ... masked in every record";
// the CLI's promise is no secret in any output. Output of summary is what an
// operator pastes into a ticket.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { tmpDir } from '../helpers/tmp'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')
const KEY = 'A1B2c3d4E5f6G7h8I9j0K1l2M3n4O5p6'
const PROXY_PW = 'hunter2hunter2'
const TOKEN = 'sekrit-token-value-123'

function fixture (): { dir: string, cfg: string } {
  const dir = tmpDir('atk-logs-oldkey-')
  const log = path.join(dir, 'agent.log')
  fs.writeFileSync(log, [
    `2025-01-01 10:00:00,000+0000 (77/main) oneapm INFO - started event=agent_start version=0.0.1 settings={"license_key":"${KEY} (file)","proxy":"http://bob:${PROXY_PW}@proxy:3128 (file)","log_level":"info (file)"}`,
    `2025-01-01 10:00:01,000+0000 (77/main) oneapm.collector ERROR - connect failed for license key ${KEY} event=collector_error cause=HTTP_401 status=401`,
    `2025-01-01 10:00:02,000+0000 (77/main) oneapm.collector ERROR - header Authorization: Bearer ${TOKEN} rejected`
  ].join('\n') + '\n')
  const cfg = path.join(dir, 'agent.config')
  fs.writeFileSync(cfg, `[oneapm]\nlicense_key = ${KEY}\nlog_file = ${log}\n`)
  return { dir, cfg }
}

function leaks (s: string): string[] {
  return [KEY, PROXY_PW, TOKEN].filter((x) => s.includes(x))
}

test('summary --config: an old log\'s license key, proxy password and token are not printed', () => {
  const { cfg } = fixture()
  for (const json of [[], ['--json']]) {
    const r = spawnSync(process.execPath, [MAIN, 'summary', ...json, '--config', cfg], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(leaks(r.stdout + r.stderr), [], `summary ${json.join(' ')} printed secrets`)
  }
})

test('report --config: an old log\'s license key, proxy password and token are not in the HTML', () => {
  const { dir, cfg } = fixture()
  const out = path.join(dir, 'report.html')
  const r = spawnSync(process.execPath, [MAIN, 'report', '--config', cfg, '--out', out], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(leaks(fs.readFileSync(out, 'utf8')), [], 'report.html holds secrets')
})
