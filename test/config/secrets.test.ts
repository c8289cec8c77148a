// No ConfigProblem repeats a secret: not a license key on a line without
// '=', not a misspelt key's value, not a proxy password with '@' in it, not
// a secret in a section name, an unknown key's value or an env value.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { loadConfig, type AgentConfig } from '../../src/config/load'
import { growth, LINEAR } from '../helpers/growth'
import { tmpDir } from '../helpers/tmp'

const KEY = 'Zq9XW3rT7uV1pL0kM8nB6cD5eF4gH2jA'
const PW = 'pa@ss:w0rd!Q'

function problemText (cfg: AgentConfig): string {
  return cfg.problems.map((p) => `${p.key}\n${p.value}\n${p.accepted}\n${p.used}\n${p.message}`).join('\n')
}

function assertNoSecret (text: string, secrets: readonly string[]): void {
  const lower = text.toLowerCase()
  for (const s of secrets) {
    assert.ok(!lower.includes(s.toLowerCase()), `secret ${JSON.stringify(s)} found in:\n${text}`)
  }
}

function withFile (t: { after: (fn: () => void) => void }, content: string): string {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.config')
  fs.writeFileSync(file, content)
  return file
}

test('planted secrets never appear in problems', (t) => {
  const lines = [
    `license_key ${KEY}`,
    `licence_key = ${KEY}`,
    `[${KEY}`,
    `[license_key=${KEY}] trailing`,
    `[oneapm]`,
    `license_key ${KEY.toLowerCase()}`,
    `proxy = http://user:${PW}@proxy.local:3128 trailing words`,
    `proxy = http://user:${PW}@proxy.local:3128`,
    `host = https://user:${PW}@collector.oneapm.com`,
    `licence_key = ${KEY}`,
    `api_token ${KEY}`,
    `db_password: ${PW}`,
    `license_key = ${KEY}`,
    `log_level = ${KEY}`,
    `secret`
  ]
  const file = withFile(t, lines.join('\n') + '\n')
  const cfg = loadConfig({
    file,
    env: { ONEAPM_LICENCE_KEY: KEY, ONEAPM_PROXY: `https://admin:${PW}@proxy:8443/x y`, ONEAPM_LOG_FILE: `\0${KEY}` },
    overrides: { log_max_line: { token: KEY }, license_key: [KEY.toUpperCase()] }
  })
  assert.ok(cfg.problems.length >= 8, `${cfg.problems.length} problems`)
  assertNoSecret(problemText(cfg), [KEY, PW, 'ss:w0rd'])
})

const secretArb = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('')), minLength: 16, maxLength: 40 })
const junkArb = fc.string({ unit: fc.constantFrom('[', ']', '=', ':', ';', '#', ' ', 'a', '@', '/', '"'), maxLength: 12 })

test('property: a license key planted anywhere in a config file, in any case, never appears in a problem', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.config')
  const place = fc.tuple(junkArb, fc.constantFrom('license_key', 'licence_key', 'LICENSE-KEY', 'license_key =', 'license_key:', '[license_key', 'token', 'api_key', ''), junkArb, fc.constantFrom('asis', 'upper', 'lower'))
  fc.assert(fc.property(secretArb, fc.array(place, { minLength: 1, maxLength: 6 }), fc.array(junkArb, { maxLength: 6 }), (key, places, junk) => {
    const lines = ['[oneapm]', `license_key = ${key}`, ...junk]
    for (const [before, name, after, kase] of places) {
      const shown = kase === 'upper' ? key.toUpperCase() : kase === 'lower' ? key.toLowerCase() : key
      lines.splice(lines.length > 1 ? 1 + (before.length % lines.length) : 0, 0, `${before}${name} ${shown}${after}`)
    }
    fs.writeFileSync(file, lines.join('\n'))
    const cfg = loadConfig({ file, env: {} })
    assertNoSecret(problemText(cfg), [key])
  }), { numRuns: 200 })
})

test('property: a proxy password planted in env, file or code never appears in a problem', () => {
  const pwArb = fc.string({ unit: fc.constantFrom(...'abcdefXYZ0123456789@:!$%^&*()'.split('')), minLength: 8, maxLength: 20 }).filter((p) => /[a-zA-Z0-9]{3}/.test(p))
  fc.assert(fc.property(pwArb, fc.constantFrom('env', 'code'), fc.constantFrom('http', 'https', 'socks', ''), fc.constantFrom('', ' junk', '/p q'), (pw, where, scheme, tail) => {
    const proxy = `${scheme === '' ? '' : scheme + '://'}user:${pw}@proxy.local:3128${tail}`
    const cfg = where === 'env'
      ? loadConfig({ file: false, env: { ONEAPM_PROXY: proxy, ONEAPM_HOST: proxy } })
      : loadConfig({ file: false, env: {}, overrides: { proxy, host: proxy } })
    assertNoSecret(problemText(cfg), [pw])
  }), { numRuns: 200 })
})

test('a key pasted into the wrong setting is masked in the problem; paths and words stay readable', () => {
  const key = 'DL8rXlTgrBwt799sPJfvUeUdUz6MG0'
  const cfg = loadConfig({ file: false, env: { ONEAPM_LOG_LEVEL: key, ONEAPM_LOG_FORMAT: 'verbose-structured', ONEAPM_LOG_MAX_SIZE: '/var/log/oneapm/agent.log' } })
  const shown = JSON.stringify(cfg.problems)
  assert.ok(!shown.includes(key.slice(0, 8)), shown)
  assert.match(shown, /verbose-structured/)
  assert.match(shown, /\/var\/log\/oneapm\/agent\.log/)
})

for (const [name, expr] of [
  ["a run of '://'", "'://'.repeat(n / 3)"],
  ["'://' then a long authority", "'://u:p' + 'x'.repeat(n) + '@h'"],
  ["'://' and '@' alternating", "'://@'.repeat(n / 4)"]
] as const) {
  test(`URL passwords are masked in time linear in the text: ${name} (16 KB vs 1 MB, all four env values at once as the config fuzz found)`, () => {
    const g = growth(`
const { loadConfig } = mod('config/load')
function make (n) { return ${expr} }
function run (x) { loadConfig({ file: false, env: { ONEAPM_LOG_LEVELS: x, ONEAPM_LOG_REDACT: x, ONEAPM_PROXY: x, ONEAPM_HOST: x } }) }
`, { runs: 3 })
    assert.ok(g.ratio < LINEAR, `${name}: ${JSON.stringify(g)}`)
  })
}
