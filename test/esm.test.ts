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
