// Promise 4: "Records logged in the host's own 'exit' listeners are written,
// whenever the listener was registered." A host (or an agent that starts its
// logger lazily) that first creates the logger inside its exit listener gets
// an empty log file: the startup line and every record are lost, because the
// library's own exit hook is installed during 'exit' and never runs.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

for (const how of ['natural exit', 'process.exit()'] as const) {
  test(`logger created in the host's exit listener (${how}): its records are written`, (t) => {
    const dir = tmpDir()
    t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
    const file = path.join(dir, 'agent.log')
    const r = runScript(`
      process.on('exit', () => {
        const log = lib.createLogger({ log_file: ${JSON.stringify(file)} })
        log.info('shutting down')
        log.warning('last words')
      })
      ${how === 'process.exit()' ? 'process.exit(0)' : ''}
    `)
    assert.equal(r.status, 0, r.stderr)
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
    assert.match(text, /shutting down/, `log file holds ${text.length} bytes`)
    assert.match(text, /last words/)
  })
}
