import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { checkDestination } from '../../src/diagnostics/destination-check'
import { tmpDir } from '../helpers/tmp'

test('doctor\'s destination check says what kind of path log_file is and what that implies, without opening it', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const fifo = path.join(dir, 'fifo')
  execFileSync('mkfifo', [fifo])
  fs.writeFileSync(path.join(dir, 'real.log'), '')
  fs.symlinkSync(path.join(dir, 'real.log'), path.join(dir, 'link.log'))
  fs.symlinkSync(path.join(dir, 'nowhere.log'), path.join(dir, 'dangling.log'))
  const c = (p: string): ReturnType<typeof checkDestination> => checkDestination(p)
  assert.equal(c(fifo).kind, 'fifo')
  assert.match(c(fifo).implication ?? '', /without blocking.*never rotated.*no reader/)
  assert.equal(c('/dev/null').kind, 'character device')
  assert.equal(c('/dev/null').writable, true)
  assert.equal(c(path.join(dir, 'link.log')).kind, 'symlink to a file')
  assert.match(c(path.join(dir, 'link.log')).implication ?? '', /never rotated/)
  assert.equal(c(path.join(dir, 'dangling.log')).kind, 'dangling symlink')
  assert.equal(c(dir).kind, 'directory')
  assert.equal(c(dir).writable, false)
  assert.match(c('/proc/self/x/y.log').error ?? '', /^EPSEUDOFS/)
  assert.equal(c(path.join(dir, 'new.log')).kind, 'missing')
})
