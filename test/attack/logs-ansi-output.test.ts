// Attack: escape sequences in a log reach the terminal raw. The reader
// accepts a text line whose message holds ESC/BEL bytes (a foreign or
// hand-edited log, a log from an older writer); `tail` on a terminal prints
// r.line as it is ("the line's own bytes hold no escape"), and `summary`
// prints the message sample in "Top errors" as it is. An OSC sequence sets
// the terminal title, ESC[2J clears the screen, and worse exists (OSC 52
// writes the clipboard). The brief: colours only on a TTY, ANSI from log
// content never reaches the terminal raw; README: "no ANSI escape reaches a
// terminal".
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { tmpDir } from '../helpers/tmp'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')
const HOSTILE = 'pwned \u001b]0;TITLE\u0007 \u001b[2J\u001b]52;c;ZXZpbA==\u0007 done'

function fixture (): string {
  const dir = tmpDir('atk-logs-ansi-')
  const log = path.join(dir, 'agent.log')
  fs.writeFileSync(log, `2026-11-21 13:18:00,123+0800 (4242/main) oneapm.collector ERROR - ${HOSTILE}\n`)
  return log
}

/** The escape sequences of the line (not the level colour tail adds: ESC [ ... m). */
function foreignEscapes (s: string): string[] {
  return (s.match(/\u001b(\][^\u0007]*\u0007|\[[0-9;]*[A-Za-ln-z])|\u0007/g) ?? [])
}

test('summary: a message holding escape sequences is not printed raw', () => {
  const r = spawnSync(process.execPath, [MAIN, 'summary', fixture()], { encoding: 'utf8', timeout: 30_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /pwned/)
  assert.deepEqual(foreignEscapes(r.stdout), [], 'raw escape sequences in summary output')
})

test('tail on a terminal: a line holding escape sequences is not printed raw', (t) => {
  const has = spawnSync('script', ['--version'], { encoding: 'utf8' })
  if (has.error !== undefined) { t.skip('script(1) not installed'); return }
  const log = fixture()
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} tail ${JSON.stringify(log)}`
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: undefined, TERM: 'xterm' } })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /pwned/)
  assert.deepEqual(foreignEscapes(r.stdout), [], 'raw escape sequences written to the terminal')
})
