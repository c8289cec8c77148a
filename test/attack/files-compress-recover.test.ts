// Promise 8. With log_compress on, the sweep's recoverCompressions() takes any
// name next to the log matching `<log_file>*.compressing-<digits>` as an
// interrupted compression of ours: without checking that it is a rotated
// name, a regular file, ours or unlinked elsewhere, it link()s it to the name
// before `.compressing-N` (an operator's file is renamed) and rmSync()s
// `<that>.gz.tmp-N` (an operator's file is deleted). Only its ctime must be
// older than the grace period (60 s; shortened here with the timing hook).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

test('files named like an interrupted compression but not rotated files of ours are left alone', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  const notes = `${file}.notes.compressing-42`
  const tmp = `${file}.notes.gz.tmp-42`
  fs.writeFileSync(notes, 'operator notes\n')
  fs.writeFileSync(tmp, 'operator scratch\n')
  const r = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_compress: true }, { global: false, hooks: { rotation: { graceMs: 50 } } })
    setTimeout(() => { log.info('x') }, 150)
    setTimeout(() => {}, 600)
  `, { timeout: 20_000 })
  assert.equal(r.status, 0, r.stderr)
  const names = fs.readdirSync(dir).sort()
  assert.ok(fs.existsSync(tmp), `the operator's ${path.basename(tmp)} was deleted; left: ${names.join(', ')}`)
  assert.ok(fs.existsSync(notes), `the operator's ${path.basename(notes)} was renamed; left: ${names.join(', ')}`)
})
