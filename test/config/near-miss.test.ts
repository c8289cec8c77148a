// "Did you mean" suggestions cost bounded time and memory, whatever the key.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load'
import { editDistance } from '../../src/config/values'
import { runScript } from '../helpers/child'

test('a 2 MB key in the environment and in a file costs bounded memory and no suggestion', () => {
  const r = runScript(`
    const fs = require('node:fs'), os = require('node:os'), path = require('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oneapm-test-'));
    const file = path.join(dir, 'agent.config');
    const key = 'log_levelx' + 'y'.repeat(900 * 1024);
    fs.writeFileSync(file, '[oneapm]\\n' + key + ' = 1\\n');
    const before = process.memoryUsage().rss;
    const c = lib.loadConfig({ file, env: { ['ONEAPM_' + key.toUpperCase()]: '1' } });
    fs.rmSync(dir, { recursive: true, force: true });
    process.stdout.write(JSON.stringify({ grew: process.resourceUsage().maxRSS * 1024 - before, codes: c.problems.map((p) => p.code), unknown: Object.keys(c.unknown).length }));
  `, { timeout: 20_000 })
  assert.equal(r.error, undefined, String(r.error))
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout) as { grew: number, codes: string[], unknown: number }
  assert.deepEqual(out.codes, [])
  assert.equal(out.unknown, 1)
  assert.ok(out.grew < 200 * 1024 * 1024, `grew by ${out.grew} bytes`)
})

test('near misses are still suggested', () => {
  const cfg = loadConfig({ env: { ONEAPM_LOG_LEVLE: 'debug', ONEAPM_LOG_FIEL: 'x' }, file: false })
  assert.deepEqual(cfg.problems.map((p) => p.message.replace(/ \(.*?\)/, '')), [
    'unknown key ONEAPM_LOG_LEVLE; did you mean ONEAPM_LOG_LEVEL? It is ignored',
    'unknown key ONEAPM_LOG_FIEL; did you mean ONEAPM_LOG_FILE? It is ignored'
  ])
})

test('editDistance: optimal string alignment, either argument order', () => {
  for (const [a, b, d] of [['', '', 0], ['abc', '', 3], ['', 'abc', 3], ['log_level', 'log_levle', 1], ['kitten', 'sitting', 3], ['ca', 'abc', 3], ['abcdef', 'badcfe', 3]] as const) {
    assert.equal(editDistance(a, b), d, `${a} ${b}`)
    assert.equal(editDistance(b, a), d, `${b} ${a}`)
  }
})
