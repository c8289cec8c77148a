// Promise 8: "never unlinks, renames or replaces anything but its own regular
// file". A directory (not ours) at <log_file>.rotate-v1.lock older than the
// stale-lock age is renamed to <lock>.stale-<pid>-<random> by tryLock() at the
// first rotation, and left there under that name.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

test('a foreign directory at <log_file>.rotate-v1.lock is never renamed', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  const lockDir = `${file}.rotate-v1.lock`
  fs.mkdirSync(lockDir)
  fs.writeFileSync(path.join(lockDir, 'keep'), 'someone else\'s\n')
  const old = new Date(Date.now() - 120_000)
  fs.utimesSync(lockDir, old, old)
  const r = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_max_size: '4KB', log_max_line: '1KB' }, { global: false })
    let i = 0
    const t = setInterval(() => { log.info('x'.repeat(300)); if (++i > 40) clearInterval(t) }, 2)
  `, { timeout: 20_000 })
  assert.equal(r.status, 0, r.stderr)
  const names = fs.readdirSync(dir)
  assert.ok(fs.existsSync(path.join(lockDir, 'keep')), `the foreign directory was moved away; the directory now holds: ${names.join(', ')}`)
  assert.ok(!names.some((n) => /agent\.log\.\d{4}-/.test(n)), 'rotation is skipped while the lock name is not ours')
  const said = r.stderr.split('\n').filter((l) => l.includes('rotate-v1.lock is a directory'))
  assert.equal(said.length, 1, `the foreign lock is said on stderr exactly once:\n${r.stderr}`)
})
