// Fuzz: random config files (INI text, hostile lines, huge keys, BOMs, UTF-16,
// NULs) and random ONEAPM_* environment values. loadConfig and createLogger
// never throw, every problem is one sentence, and the logger built from the
// result writes parseable lines. A config that round-trips reports nothing.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { SETTING_KEYS, createLogger, envName, loadConfig, type Logger } from '../../src/index'
import { property } from './harness'
import { checkLines } from './lines'
import { inTempDir } from './session'
import { nastyString } from './values'

const knownValue = fc.constantFrom(
  'debug', 'info', 'off', 'loud', 'text', 'json', 'xml', '16KB', '1MB', '0', '-1', '1e309', '99999999999999999999', 'true', 'yes', 'maybe',
  'hourly', 'daily', 'collector:debug,instrumentation.http:trace', 'a:b:c,,', '30s', '1h', 'stderr', 'stdout', 'http://u:p@proxy:3128', 'ftp://x',
  'collector.oneapm.com:443', 'https://collector.oneapm.com', '"quoted"', "'single'", '= =', '; comment', '# hash', '\\', '',
  // Shipping settings, bad and (loopback only) good: log_ship, log_ship_headers, log_ship_fields, log_ship_queue.
  'syslog+tcp://:601', 'syslog+udp://127.0.0.1:0', 'otlp+http://127.0.0.1:65536', 'syslog+unix://dev/log', 'syslog+tls://127.0.0.1:9?ca=x.pem',
  'syslog+tcp://127.0.0.1:9,ftp://x', 'otlp+http://u:p@127.0.0.1:9', 'otlp+grpc://127.0.0.1:4317', 'authorization=Bearer%20abc,x-team=core',
  'novalue', 'x-key=a%0D%0Ab', 'bad name=v', 'all,event', '64KB', '65MB'
)

const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...SETTING_KEYS), fc.constantFrom(' = ', '=', ': ', ' := ', '  =  '), fc.oneof(knownValue, nastyString)).map(([k, sep, v]) => `${k}${sep}${v}`) },
  { weight: 2, arbitrary: fc.constantFrom('[oneapm]', '[oneapm] ; inline', '[oneapm] # inline', '[oneapm:production]', '[other]', '[', ']', '[]', '[oneapm', '[[oneapm]]', '[ONEAPM]') },
  { weight: 1, arbitrary: fc.constantFrom('; comment', '# comment', '', '   ', '\t', 'no equals sign here', '=value', ':value', '\ufeff[oneapm]', '\x00\x00') },
  { weight: 1, arbitrary: fc.tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })).map(([k, v]) => `${k} = ${v}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('log_levle', 'logfile', 'log-level', 'LOG_LEVEL', 'x'), fc.integer({ min: 1, max: 20_000 })).map(([k, n]) => `${k.repeat(Math.ceil(n / k.length))} = v`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('k', 'a ', ' ', '\t', '=', ':', 'a=', '[', '\\'), fc.integer({ min: 1, max: 20_000 })).map(([u, n]) => u.repeat(n)) }
)

const encodingOf = fc.constantFrom('utf8', 'utf8-bom', 'utf16le-bom', 'utf16be-bom', 'latin1', 'crlf')

function bytes (text: string, enc: string): Buffer {
  switch (enc) {
    case 'utf8-bom': return Buffer.from('\ufeff' + text, 'utf8')
    case 'utf16le-bom': return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    case 'utf16be-bom': return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])
    case 'latin1': return Buffer.from(text, 'latin1')
    case 'crlf': return Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8')
    default: return Buffer.from(text, 'utf8')
  }
}

const envEntry = fc.tuple(
  fc.oneof(fc.constantFrom(...SETTING_KEYS.map(envName), 'ONEAPM_CONFIG_FILE', 'ONEAPM_ENVIRONMENT', 'ONEAPM_LOG_LEVLE', 'ONEAPM_', 'ONEAPM_X'), fc.string({ maxLength: 12 }).map((s) => `ONEAPM_${s}`)),
  fc.oneof(knownValue, nastyString)
)

async function withLogger (cfg: ReturnType<typeof loadConfig>, logFile: string): Promise<string> {
  let log: Logger | undefined
  try {
    log = createLogger(cfg, { global: false })
    log.info('after config')
    log.flush()
  } finally {
    await log?.close()
  }
  return fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''
}

property('config files: loadConfig and createLogger never throw; problems are one line; the log stays parseable', { runs: 30 },
  [fc.array(line, { maxLength: 12 }), encodingOf, fc.array(envEntry, { maxLength: 3 })],
  async (lines: string[], enc: string, envEntries: Array<[string, string]>) => {
    await inTempDir(async (dir) => {
      const logFile = path.join(dir, 'agent.log')
      const file = path.join(dir, 'agent.config')
      fs.writeFileSync(file, bytes(lines.join('\n'), enc))
      const env: Record<string, string> = Object.fromEntries(envEntries.filter(([k]) => k !== 'ONEAPM_CONFIG_FILE'))
      env.ONEAPM_LOG_FILE = logFile
      const cfg = loadConfig({ file, env, cwd: dir })
      for (const p of cfg.problems) {
        assert.equal(typeof p.message, 'string')
        assert.doesNotMatch(p.message, /[\n\r\u2028\u2029]/, `a problem message spans lines: ${JSON.stringify(p.message)}`)
        assert.ok(p.message.length <= 4096, `a problem message is ${p.message.length} chars long`)
      }
      if (enc.startsWith('utf16')) assert.ok(cfg.problems.some((p) => /utf-?16/i.test(p.message)), `a UTF-16 file is not reported: ${JSON.stringify(cfg.problems.map((p) => p.message))}`)
      const content = await withLogger(cfg, logFile)
      checkLines(content, cfg.settings.log_format, cfg.settings.log_max_line)
    })
  })

property('round trip: createLogger({ ...loadConfig().settings }) reports no problem', { runs: 20 },
  [fc.array(line, { maxLength: 8 })],
  async (lines: string[]) => {
    await inTempDir(async (dir) => {
      const file = path.join(dir, 'agent.config')
      fs.writeFileSync(file, lines.join('\n'))
      const cfg = loadConfig({ file, env: {}, cwd: dir })
      const again = loadConfig({ overrides: { ...cfg.settings }, env: {}, file: false, cwd: dir })
      assert.deepEqual(again.problems.map((p) => p.message), [], 'the settings loadConfig produced are not accepted back')
      assert.deepEqual(again.settings, cfg.settings)
    })
  })
