// Fuzz for the bundle's re-redaction and its read-back scan: whatever the
// redaction leaves, the scan accepts (a bundle of ordinary logs is never
// refused), and every planted secret shape, left unredacted, is found by the
// scan alone. Both stay linear on hostile lines.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { test } from 'node:test'
import { loadConfig } from '../../src/index'
import { BundleRedactor } from '../../src/cli/bundle/redact'
import { TextScanner } from '../../src/cli/bundle/scan'
import { property } from './harness'
import { SECRET_FIELDS, TEXT_SHAPES, encoding, fill, secret } from './secrets'
import { LINEAR, growth } from '../helpers/growth'

const KEY = 'Zx98Yw76Vu54Ts32Rq10Po98'

function setup (): { redactor: BundleRedactor, scanner: TextScanner } {
  const cfg = loadConfig({ file: false, env: {}, overrides: { license_key: KEY, proxy: 'http://bob:Pr0xyPassw0rd@proxy:3128' } })
  return { redactor: new BundleRedactor(cfg), scanner: new TextScanner({ licenseKey: KEY, literals: ['Pr0xyPassw0rd'] }) }
}

function scan (scanner: TextScanner, s: string): string[] {
  const found: string[] = []
  scanner.scan(s, (r) => found.push(r))
  return found
}

// '%' before a name included: `%acredentials=` once hid the name from the redactor (test/attack/secrets-percent-name.test.ts).
const noise = fc.string({ unit: fc.constantFrom(...'ab:=/@"\' \\{}[],;&?#*-_.%acBearerBasic'.split('')), maxLength: 40 })

property('bundle: whatever the re-redaction leaves, the scan accepts', { runs: 300 }, [
  fc.constantFrom(...TEXT_SHAPES), secret, encoding, noise, noise, fc.constantFrom(...SECRET_FIELDS)
], (shape, s, enc, before, after, field) => {
  const { redactor, scanner } = setup()
  for (const line of [`${before}${fill(shape, s, enc).text}${after}`, `${before}${field}=${s}${after}`, `${before}"${field}":"${s}"${after}`, `${before}${KEY.toUpperCase()}${after}`]) {
    const out = redactor.text('m', line)
    assert.deepEqual(scan(scanner, out), [], `scan flags the redacted ${JSON.stringify(out)}`)
  }
})

property('bundle: every secret shape, left in clear, is found by the scan alone', { runs: 200 }, [
  fc.constantFrom(
    'http://user:{S}@proxy.example:3128/', 'Authorization: Bearer {S}', 'Proxy-Authorization: Basic {B}', 'password: {S}', 'db_password={S}',
    '"api_key": "{S}"', 'payload {"auth":{"token":"{S}"}}', 'body="{\\"password\\":\\"{S}\\"}"', 'license {K}', 'cookie={S}'
  ), secret, noise
], (shape, s, before) => {
  const { scanner } = setup()
  const line = `${before} ${shape.replace('{K}', KEY.toLowerCase()).replace('{S}', s).replace('{B}', Buffer.from(`u:${s}`).toString('base64'))}`
  assert.notDeepEqual(scan(scanner, line), [], `scan misses ${JSON.stringify(line)}`)
})

test('bundle: the scan and the re-redaction are linear on hostile lines', () => {
  for (const unit of ['password=', 'Bearer ', 'http://a:', '"token":"', 'a'.repeat(7) + ':']) {
    const g = growth(`
      const { TextScanner } = mod('cli/bundle/scan')
      const s = new TextScanner({ licenseKey: 'Zx98Yw76Vu54Ts32Rq10Po98' })
      const make = (n) => ${JSON.stringify(unit)}.repeat(Math.ceil(n / ${unit.length}))
      const run = (input) => s.scan(input, () => {})
    `)
    assert.ok(g.ratio < LINEAR, `${unit}: ${JSON.stringify(g)}`)
  }
})
