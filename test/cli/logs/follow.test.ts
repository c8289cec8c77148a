// tail -f's follower (src/cli/logs/follow.ts) when a followed path stops
// being a log file: a FIFO put at the path must not block the follower (an
// open of a FIFO waits for a writer), so the other files keep being followed.

import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { tmpDir } from '../../helpers/tmp'

const FOLLOW = path.resolve(__dirname, '../../../src/cli/logs/follow.js')

test('a followed log replaced by a FIFO is said once and left; the other files are still followed', () => {
  const dir = tmpDir()
  const a = path.join(dir, 'a.log')
  const b = path.join(dir, 'b.log')
  fs.writeFileSync(a, 'a0\n')
  fs.writeFileSync(b, 'b0\n')
  const script = `
    const fs = require('fs')
    const { follow } = require(${JSON.stringify(FOLLOW)})
    const [a, b] = ${JSON.stringify([a, b])}
    const starts = [a, b].map((p) => ({ path: p, ino: fs.statSync(p).ino, pos: fs.statSync(p).size }))
    const ac = new AbortController()
    let step = 0
    setTimeout(() => {
      fs.renameSync(a, a + '.1')
      require('child_process').execFileSync('mkfifo', [a])
      setTimeout(() => { fs.appendFileSync(b, 'b1\\n') }, 300)
    }, 100)
    setTimeout(() => { console.log('timeout'); ac.abort() }, 8000).unref()
    follow(starts, (text, p) => {
      console.log('text', p.endsWith('b.log') ? 'b' : 'a', JSON.stringify(text))
      if (text.includes('b1')) { ac.abort(); return false }
      return true
    }, (n) => { console.log('notice', n) }, { pollMs: 50, signal: ac.signal }).then(() => { console.log('ended') })
  `
  const res = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 })
  assert.equal(res.signal, null, `killed (hung): ${res.stdout}${res.stderr}`)
  assert.match(res.stdout, /text b "b1"/, res.stdout + res.stderr)
  assert.doesNotMatch(res.stdout, /timeout/)
  assert.equal((res.stdout.match(/is now a FIFO, not a log file/g) ?? []).length, 1, res.stdout)
  assert.ok(fs.existsSync(a) && fs.statSync(a).isFIFO(), 'the FIFO is left where it is')
  execFileSync('rm', ['-f', a])
})
