// Fuzz, failing closed: records, error objects, config files and environment
// values carry a known random secret, in a shape hosts and operators really
// produce, at a random position and in a random encoding. No output may hold
// it (nor 8 characters of it, in any case): not the records, not the startup
// line, not the config problems, not `doctor` text or `doctor --json`.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { createLogger, loadConfig, type Logger } from '../../src/index'
import { cleanEnv } from '../helpers/child'
import { property } from './harness'
import { checkLines } from './lines'
import { inTempDir, logToFile } from './session'
import { NEAR_MISS_FIELDS, SECRET_FIELDS, TEXT_SHAPES, assertNoLeak, awkward, encoding, fill, secret, type Encoding } from './secrets'
import { nastyString } from './values'
import { Redactor } from '../../src/format/redact'
import { scrub, scrubPem } from '../../src/format/scrub'

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

type Position = 'msg' | 'printf %s' | 'field' | 'extra arg' | 'error message' | 'error stack' | 'cause message' | 'aggregate member' | 'array item' | 'bindings' | 'error prop'
const POSITIONS: readonly Position[] = ['msg', 'printf %s', 'field', 'extra arg', 'error message', 'error stack', 'cause message', 'aggregate member', 'array item', 'bindings', 'error prop']

/** Puts a string at a position in a log call; returns the arguments and the bindings for the logger. */
function place (text: string, pos: Position, pre: string, post: string): { args: unknown[], bindings?: Record<string, unknown> } {
  const t = pre + text + post
  switch (pos) {
    case 'msg': return { args: [t] }
    case 'printf %s': return { args: ['request %s failed', t] }
    case 'field': return { args: [{ detail: t }, 'request failed'] }
    case 'extra arg': return { args: ['request failed', 42, t] }
    case 'error message': return { args: [new Error(t), 'request failed'] }
    case 'error stack': {
      const err = new Error('boom')
      err.stack = `Error: boom\n    at ${t}\n    at main (file.js:1:1)`
      return { args: [err] }
    }
    case 'cause message': return { args: [new Error('outer', { cause: new TypeError(t) })] }
    case 'aggregate member': return { args: [new AggregateError([new Error('a'), new Error(t)], 'all failed')] }
    case 'array item': return { args: [{ list: ['a', t, 'b'] }, 'items'] }
    case 'bindings': return { args: ['request failed'], bindings: { detail: t } }
    case 'error prop': return { args: [Object.assign(new Error('request failed'), { request: { url: t } })] }
  }
}

/** A value under a secret-looking name, nested in a container a host hands the agent. */
function underName (name: string, value: string, container: string, depth: number): { args: unknown[], bindings?: Record<string, unknown> } {
  let v: unknown = Object.fromEntries([[name, value]])
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { nested: v } : [v]
  switch (container) {
    case 'fields': return { args: [v, 'request'] }
    case 'map': return { args: [{ m: new Map([[name, value]]) }, 'request'] }
    case 'printf %j': return { args: ['request %j', v] }
    case 'printf %o': return { args: ['request %o', v] }
    case 'error prop': return { args: [Object.assign(new Error('request failed'), { config: { headers: v } })] }
    case 'cause prop': return { args: [new Error('outer', { cause: Object.assign(new Error('inner'), v as object) })] }
    case 'bindings': return { args: ['request'], bindings: v as Record<string, unknown> }
    default: return { args: [{ headers: v }, 'request'] }
  }
}

type Carrier =
  | { readonly c: 'text', readonly shape: string, readonly enc: Encoding, readonly pos: Position, readonly pre: string, readonly post: string }
  | { readonly c: 'name', readonly name: string, readonly container: string, readonly depth: number, readonly prefix: string }
  | { readonly c: 'rawHeaders', readonly header: string, readonly style: 'flat' | 'tuples' | 'header object', readonly template: string }
  | { readonly c: 'license', readonly letterCase: 'same' | 'upper' | 'lower', readonly pos: Position, readonly pre: string, readonly post: string }

const filler = fc.oneof(fc.constant(''), fc.constant(' '), nastyString)

const carrier: fc.Arbitrary<Carrier> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ c: fc.constant('text' as const), shape: fc.constantFrom(...TEXT_SHAPES), enc: encoding, pos: fc.constantFrom(...POSITIONS), pre: filler, post: filler }) },
  {
    weight: 3,
    arbitrary: fc.record({
      c: fc.constant('name' as const),
      name: fc.constantFrom(...SECRET_FIELDS, ...NEAR_MISS_FIELDS),
      container: fc.constantFrom('fields', 'headers', 'map', 'printf %j', 'printf %o', 'error prop', 'cause prop', 'bindings'),
      depth: fc.integer({ min: 0, max: 4 }),
      prefix: fc.constantFrom('', 'Bearer ', 'Basic ', 'a=1; s=')
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('rawHeaders' as const),
      header: fc.constantFrom('Authorization', 'authorization', 'Proxy-Authorization', 'Cookie', 'cookie', 'Set-Cookie', 'X-Api-Key', 'X-License-Key', 'X-Auth-Token'),
      style: fc.constantFrom('flat', 'tuples', 'header object') as fc.Arbitrary<'flat'>,
      template: fc.constantFrom('Bearer {S}', 'Basic {B}', '{S}', 'a=1; session={S}', 'theme=dark; lang=en; sid={S}; x=y')
    })
  },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('license' as const), letterCase: fc.constantFrom('same', 'upper', 'lower') as fc.Arbitrary<'same'>, pos: fc.constantFrom(...POSITIONS), pre: filler, post: filler }) }
)

function plant (c: Carrier, s: string): { args: unknown[], bindings?: Record<string, unknown>, needles: string[], settings: Record<string, unknown> } {
  switch (c.c) {
    case 'text': {
      const { text, needles } = fill(c.shape, s, c.enc)
      return { ...place(text, c.pos, c.pre, c.post), needles, settings: {} }
    }
    case 'name': return { ...underName(c.name, c.prefix + s, c.container, c.depth), needles: [s], settings: {} }
    case 'rawHeaders': {
      const { text: value, needles } = fill(c.template, s, 'raw')
      const args = c.style === 'flat'
        ? [{ rawHeaders: ['Host', 'collector.oneapm.com', c.header, value, 'Accept', '*/*'] }, 'response']
        : c.style === 'tuples'
          ? [{ headers: [['host', 'x'], [c.header, value]] }, 'request']
          : [{ req: { method: 'POST', headers: { host: 'x', [c.header]: value } } }, 'request']
      return { args, needles, settings: {} }
    }
    case 'license': {
      const shown = c.letterCase === 'upper' ? s.toUpperCase() : c.letterCase === 'lower' ? s.toLowerCase() : s
      return { ...place(`license ${shown}`, c.pos, c.pre, c.post), needles: [s], settings: { license_key: s } }
    }
  }
}

const layout = fc.record({ log_format: fc.constantFrom('text', 'json'), log_max_line: fc.constantFrom(1024, 16 * 1024) })

property('records: no planted secret reaches the log (fields, free text, headers, errors, license key in any case)', { runs: 60 },
  [layout, secret, carrier, fc.constantFrom('info', 'error', 'debug')],
  async (l, s: string, c: Carrier, method: string) => {
    const planted = plant(c, s)
    // debug at level info: kept by the flight recorder, written before the error that follows.
    const out = await logToFile({ ...l, ...planted.settings, log_level: 'info' }, (root) => {
      const log = planted.bindings === undefined ? root.child('fuzz') : root.child('fuzz', planted.bindings)
      ;(log as unknown as Record<string, (...a: unknown[]) => void>)[method]!(...planted.args)
      if (method === 'debug') log.error('something failed after that')
      root.logStats()
    })
    assert.deepEqual(out.thrown, [])
    checkLines(out.content, l.log_format as 'text' | 'json', l.log_max_line)
    assertNoLeak('the log file', out.content, planted.needles)
  })

// Config files and environment values with a secret in them.

const CONFIG_LINES = [
  'license_key = {S}', 'LICENSE_KEY = {S}', 'license_key: {S}', 'license_key = "{S}"', 'license_key = {S} ; production key',
  'licence_key = {S}', 'license-key = {S}', 'licensekey = {S}', 'lisence_key = {S}', 'license_kye = {S}', 'licenseKey = {S}',
  'license_key {S}', '{S}', 'license key {S}', 'license_key => {S}',
  'proxy = http://user:{S@}@proxy.example:3128', 'proxy = http://user:{S}@proxy.example:3128', 'proxy = https://user:{S%40}@proxy:3128',
  'proxy = user:{S}@proxy.example:3128', 'proxy = socks5://user:{S}@proxy:1080', 'proxy http://user:{S}@proxy:3128', 'proxi = http://user:{S}@proxy:3128',
  'host = https://agent:{S}@collector.oneapm.com', 'app_name = shop token={S}', 'log_redact = password={S}', 'log_level = {S}'
]

const ENV_VARS = [
  'ONEAPM_LICENSE_KEY={S}', 'ONEAPM_LICENCE_KEY={S}', 'ONEAPM_LICENSEKEY={S}', 'ONEAPM_PROXY=http://user:{S@}@proxy:3128',
  'ONEAPM_PROXY=user:{S}@proxy:3128', 'ONEAPM_HOST=https://agent:{S}@collector', 'ONEAPM_LOG_LEVEL={S}', 'ONEAPM_PROXI=http://u:{S}@p:1'
]

function fillConfig (template: string, s: string): string {
  return template.replace('{S@}', awkward(s, '@')).replace('{S%40}', awkward(s, '%40')).replace('{S}', s)
}

const section = fc.constantFrom('[oneapm]', '[oneapm] ; main section', '[oneapm:production]', '[other]', '[ oneapm ]', '')

property('config: no planted secret in the startup line, records, problems, doctor and doctor --json', { runs: 8, maxRuns: 400, expensive: true },
  [secret, fc.array(fc.record({ section, line: fc.constantFrom(...CONFIG_LINES) }), { minLength: 1, maxLength: 3 }), fc.option(fc.constantFrom(...ENV_VARS), { nil: undefined }), fc.constantFrom('text', 'json')],
  async (s: string, lines: Array<{ section: string, line: string }>, envLine: string | undefined, format: string) => {
    await inTempDir(async (dir) => {
      const logFile = path.join(dir, 'agent.log')
      const text = `[oneapm]\nlog_file = ${logFile}\nlog_format = ${format}\n` + lines.map((l) => `${l.section}\n${fillConfig(l.line, s)}\n`).join('')
      const file = path.join(dir, 'agent.config')
      fs.writeFileSync(file, text)
      const env: Record<string, string> = { ONEAPM_ENVIRONMENT: 'production' }
      if (envLine !== undefined) {
        const [k, v] = fillConfig(envLine, s).split(/=(.*)/s) as [string, string]
        env[k] = v
      }
      const needles = [s]

      const cfg = loadConfig({ file, env })
      assertNoLeak('config problems', JSON.stringify(cfg.problems), needles)
      let log: Logger | undefined
      try {
        log = createLogger(cfg, { global: false })
        // What agent code does with the settings: show the proxy and the host it uses.
        log.info('using proxy %s for %s', cfg.settings.proxy, cfg.settings.host)
        log.flush()
      } finally {
        await log?.close()
      }
      const content = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''
      checkLines(content, format as 'text', 16 * 1024)
      assertNoLeak('the log (startup line, config warnings)', content, needles)

      for (const flags of [[], ['--json']]) {
        const r = spawnSync(process.execPath, [CLI, 'doctor', '--config', file, ...flags], { encoding: 'utf8', env: { ...cleanEnv(), ...env }, cwd: dir, timeout: 30_000 })
        assert.ok(r.status === 0 || r.status === 1, `doctor ${flags.join(' ')} exited ${r.status}: ${r.stderr}`)
        assertNoLeak(`doctor ${flags.join(' ')}`.trim(), r.stdout + r.stderr, needles)
      }
    })
  })

// The free-text pre-filter (Redactor.mayHoldShape) skips the scan for text it
// can rule out; it must never skip text the scan would change. Strings built
// from the scanner's own vocabulary: secret and ordinary names, every
// separator form, quotes, backslashes, blanks, schemes, URLs, tags.
const PIECES = ['password', 'token', 'api_key', 'Cookie', 'authorization', 'status', 'url', 'hostrec', 'a', 'x.password', 'db_password', 'pwd',
  '=', ':', '=>', ' ', '\t', '"', "'", '\\', '\\"', '%3D', '%3a', '%26', '&', ';', ',', '<', '>', '</', '@', '://', 'http', 'Bearer', 'basic', 'eyJhbGciOi', '.', 'eyJzdWIi',
  '-----BEGIN PRIVATE KEY-----', 'abc123XYZ', '42', '/api/v1', '\n', 'ü', '[', ']', '$', '-']
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((a) => a.join(''))

property('the free-text pre-filter never skips what the scan would mask, whole texts and windows cut from longer ones', { runs: 3000 }, [text, fc.boolean()], (s, cut) => {
  const r = new Redactor()
  const scanned = scrub(scrubPem(s), cut, (name) => r.isSecretKey(name))
  assert.equal(r.text(s, cut), scanned, JSON.stringify(s))
})
