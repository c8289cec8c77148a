// "Never silent": a full disk must be said on stderr with the right fix. With
// rotation off (log_max_size = 0, log_rotate = none), a record cut by ENOSPC
// makes the next batch's "start a new line" write fail, which is reported
// first as "log rotation failed (ENOSPC ...) Fix: give the app's user write
// access to the log's directory": the wrong cause and the wrong fix, for a
// rotation that is not configured. Needs root to mount a small tmpfs.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

test('disk full with rotation off: stderr never blames rotation or permissions', (t) => {
  const dir = tmpDir()
  const mnt = path.join(dir, 'full')
  fs.mkdirSync(mnt)
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt])
  if (mount.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true })
    t.skip('cannot mount a tmpfs here (needs root)')
    return
  }
  t.after(() => {
    spawnSync('umount', [mnt])
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const file = path.join(mnt, 'agent.log')
  const r = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_max_size: 0 }, { global: false })
    let i = 0
    const t = setInterval(() => {
      for (let j = 0; j < 20; j++) log.info('MARK %d %s', i++, 'y'.repeat(200))
      if (i >= 600) clearInterval(t)
    }, 5)
  `, { timeout: 20_000 })
  assert.equal(r.status, 0, r.stderr)
  const notices = r.stderr.split('\n').filter((l) => l.startsWith('oneapm-agent-log: ') || /event=(log_file_failed|rotation_error)/.test(l))
  assert.ok(notices.some((l) => /ENOSPC/.test(l) && /full/.test(l)), 'a notice says the disk is full')
  for (const l of notices) {
    assert.doesNotMatch(l, /rotation failed|write access/, `misleading notice: ${l}`)
  }
})
