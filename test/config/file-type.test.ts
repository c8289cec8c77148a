// A config file that is not a small regular file (a FIFO with no writer, a
// directory, a device, a huge file) becomes a problem in bounded time. The
// hang cases run in child processes so a hang fails the test, not the suite.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

interface Outcome { codes: string[], messages: string[], file: string | null }

function load (options: string, env: Record<string, string> = {}, cwd?: string): Outcome {
  const r = runScript(`
    const c = lib.loadConfig(${options});
    process.stdout.write(JSON.stringify({ codes: c.problems.map((p) => p.code), messages: c.problems.map((p) => p.message), file: c.file ?? null }));
    process.exit(0)
  `, { env, timeout: 15_000, ...(cwd === undefined ? {} : { cwd }) })
  assert.equal(r.error, undefined, `child did not finish: ${String(r.error)}`)
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout) as Outcome
}

function fifo (dir: string, name = 'agent.config'): string {
  const p = path.join(dir, name)
  execFileSync('mkfifo', [p])
  return p
}

test('a FIFO with no writer as options.file, ONEAPM_CONFIG_FILE or ./agent.config is a problem, not a hang', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const p = fifo(dir)
  for (const outcome of [
    load(`{ file: ${JSON.stringify(p)}, env: {} }`),
    load('{}', { ONEAPM_CONFIG_FILE: p }),
    load('{}', {}, dir)
  ]) {
    assert.deepEqual(outcome.codes, ['CONFIG_FILE_UNREADABLE'])
    assert.match(outcome.messages[0] ?? '', /FIFO|not a regular file/)
  }
})

test('a directory, /dev/zero and /dev/stdin are refused as config files', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  for (const file of [dir, '/dev/zero', '/dev/stdin', '/dev/null']) {
    const outcome = load(`{ file: ${JSON.stringify(file)}, env: {} }`)
    assert.deepEqual(outcome.codes, ['CONFIG_FILE_UNREADABLE'], file)
    assert.match(outcome.messages[0] ?? '', /not a regular file/, file)
  }
})

test('a config file over 1 MB is refused with its size and the limit', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const big = path.join(dir, 'big.config')
  fs.writeFileSync(big, '[oneapm]\nlog_level = debug\n' + '; padding\n'.repeat(200_000))
  const sparse = path.join(dir, 'sparse.config')
  fs.writeFileSync(sparse, '[oneapm]\n')
  fs.truncateSync(sparse, 3 * 1024 ** 3)
  for (const file of [big, sparse]) {
    const outcome = load(`{ file: ${JSON.stringify(file)}, env: {} }`)
    assert.deepEqual(outcome.codes, ['CONFIG_FILE_UNREADABLE'])
    assert.match(outcome.messages[0] ?? '', /1 MB/)
  }
  const justUnder = path.join(dir, 'ok.config')
  fs.writeFileSync(justUnder, '[oneapm]\nlog_level = debug\n' + ';'.repeat(1024 * 1024 - 40) + '\n')
  assert.deepEqual(load(`{ file: ${JSON.stringify(justUnder)}, env: {} }`).codes, [])
})
