// The published package works from require() and import, as one instance.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'

const DIST = path.join(__dirname, '..', '..', 'dist')

test('import and require give the same module instance with the same exports', () => {
  const script = `
    import * as esm from ${JSON.stringify(path.join(DIST, 'index.mjs'))}
    import { createRequire } from 'node:module'
    const cjs = createRequire(import.meta.url)(${JSON.stringify(path.join(DIST, 'index.js'))})
    const same = esm.createLogger === cjs.createLogger && esm.getLogger() === cjs.getLogger()
    const missing = Object.keys(cjs).filter((k) => !(k in esm))
    console.log(JSON.stringify({ same, missing, types: typeof esm.default.loadConfig }))
  `
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  assert.deepEqual(JSON.parse(r.stdout), { same: true, missing: [], types: 'function' })
})

// Start-up: the package loads none of its heavy parts until they are used
// (src/internal/lazy.ts), from require() and from import alike.
const HEAVY_PACKAGES = ['undici', 'debug', 'semver', 'tar']
const LAZY_SCRIPT = (load: string): string => `
  const loadedBefore = new Set(process.moduleLoadList)
  ${load}
  const heavy = (names) => names.filter((n) => Object.keys(require.cache).some((f) => f.includes('/node_modules/' + n + '/')))
  // Node's own modules the package loaded (some, like crypto, may be loaded already by how node was started).
  const builtins = () => process.moduleLoadList.filter((m) => !loadedBefore.has(m) && /^NativeModule (zlib|worker_threads|tls|net|dns|dgram|crypto|http|https)$/.test(m))
  const atRequire = { packages: heavy(${JSON.stringify(HEAVY_PACKAGES)}), builtins: builtins() }
  const fs = require('node:fs'), os = require('node:os'), path = require('node:path')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-'))
  const file = path.join(dir, 'agent.log')
  const log = lib.createLogger({ log_file: file, log_max_size: 1024 * 1024, log_compress: true })
  log.info('first record')
  log.flush()
  const afterCreate = heavy(${JSON.stringify(HEAVY_PACKAGES)})
  // A range the >=X.Y.Z fast path does not read: semver loads now, and answers.
  const complexRange = lib.checkNodeVersion('v22.1.0', '^20 || ^22').supported
  const afterRange = heavy(['semver'])
  const client = lib.createCollectorDispatcher(log.child('collector'), { host: '127.0.0.1:9' })
  const afterCollector = heavy(['undici'])
  const line = fs.readFileSync(file, 'utf8').split('\\n').find((l) => l.includes('first record'))
  client.close().then(() => {
    fs.rmSync(dir, { recursive: true, force: true })
    console.log(JSON.stringify({ atRequire, afterCreate, complexRange, afterRange, afterCollector, main: / \\(\\d+\\/main\\) /.test(line ?? '') }))
  })
`

for (const [how, load] of [
  ['require()', `const lib = require(${JSON.stringify(path.join(DIST, 'index.js'))})`],
  ['import', `const lib = await import(${JSON.stringify(path.join(DIST, 'index.mjs'))}); const require = (await import('node:module')).createRequire(import.meta.url)`]
] as const) {
  test(`${how}: undici, debug, semver, and node's zlib, worker_threads, tls, net, dns, dgram and crypto load when first needed, and then work`, () => {
    const args = how === 'import' ? ['--input-type=module', '-e', LAZY_SCRIPT(load)] : ['-e', LAZY_SCRIPT(load)]
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, DEBUG: 'oneapm:*' } })
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, unknown>
    assert.deepEqual(out.atRequire, { packages: [], builtins: [] }, 'nothing heavy is loaded by the require itself')
    assert.deepEqual(out.afterCreate, ['debug'], 'debug (the DEBUG bridge) loads with the first logger; semver does not (the engines range is a plain >=)')
    assert.equal(out.complexRange, true)
    assert.deepEqual(out.afterRange, ['semver'], 'semver loads for a range the fast path does not read')
    assert.deepEqual(out.afterCollector, ['undici'], 'undici loads with the first collector helper (and tar, the CLI bundle\'s, never)')
    assert.equal(out.main, true, 'the thread name is read when the first header is made')
  })
}

test('the bundled entry exports exactly what the unbundled build does, and each has a declaration', () => {
  const bundled = Object.keys(require(path.join(DIST, 'index.js')) as object).sort()
  // tsc's own output of the same src/index.ts (the build the tests run against).
  const unbundled = Object.keys(require('../src/index') as object).sort()
  assert.deepEqual(bundled, unbundled)
  const dts = require('node:fs').readFileSync(path.join(DIST, 'index.d.ts'), 'utf8') as string
  const undeclared = bundled.filter((n) => n !== '__esModule' && !new RegExp(`\\b${n}\\b`).test(dts))
  assert.deepEqual(undeclared, [], 'every export of the bundle is named in dist/index.d.ts')
})

test('the CLI loads tar only when a bundle is written: not for --help or doctor', () => {
  const script = `
    const main = require(${JSON.stringify(path.join(DIST, 'cli', 'main.js'))})
    const tar = () => Object.keys(require.cache).some((f) => f.includes('/node_modules/tar/'))
    main.main(['--help'], () => {}, () => {}).then(() => console.log(JSON.stringify({ tar: tar() })))
  `
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout.trim()), { tar: false })
})
