// Promise 8 (never touch what is not ours) and "never hangs": the rotation
// state file `<log_file>.rotate-v1.state` is read with readFileSync and
// written with open('r+'), both following whatever is at that name.
// - a FIFO there: createLogger() blocks forever in open(O_RDONLY);
// - a symlink to /dev/zero: createLogger() reads forever;
// - a symlink to a foreign file: the first rotation overwrites that file's
//   first 512 bytes with the state JSON.
// Anyone who can create a name in a shared log directory (e.g. /tmp) can do this.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const start = (file: string): string => `
  const log = lib.createLogger({ log_file: ${JSON.stringify(file)} }, { global: false })
  log.info('hello')
  log.flush()
  process.stdout.write('CREATED')
`

test('a FIFO at <log_file>.rotate-v1.state: createLogger() returns (no hang)', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  execFileSync('mkfifo', [`${file}.rotate-v1.state`])
  const r = runScript(start(file), { timeout: 10_000 })
  assert.equal(r.signal, null, 'createLogger() hung (killed after 10 s)')
  assert.equal(r.stdout, 'CREATED')
})

test('a symlink to /dev/zero at <log_file>.rotate-v1.state: createLogger() returns (no hang, no unbounded read)', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  fs.symlinkSync('/dev/zero', `${file}.rotate-v1.state`)
  const r = runScript(start(file), { timeout: 10_000 })
  assert.equal(r.signal, null, 'createLogger() hung (killed after 10 s)')
  assert.equal(r.stdout, 'CREATED')
})

test('a symlink to a foreign file at <log_file>.rotate-v1.state: rotation never writes into that file', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  const precious = path.join(dir, 'precious.conf')
  fs.writeFileSync(precious, 'operator data, not the agent\'s\n')
  fs.symlinkSync(precious, `${file}.rotate-v1.state`)
  const r = runScript(`
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_max_size: '4KB', log_max_line: '1KB' }, { global: false })
    let i = 0
    const t = setInterval(() => { log.info('x'.repeat(300)); if (++i > 40) clearInterval(t) }, 2)
  `, { timeout: 20_000 })
  assert.equal(r.status, 0, r.stderr)
  assert.ok(fs.readdirSync(dir).some((n) => /agent\.log\.\d{4}-/.test(n)), 'the log rotated at least once')
  assert.equal(fs.readFileSync(precious, 'utf8'), 'operator data, not the agent\'s\n', 'the foreign file was overwritten through the symlinked state file')
  const said = r.stderr.split('\n').filter((l) => l.includes('EFOREIGN_STATE') || l.includes('rotate-v1.state is a symlink'))
  assert.equal(said.length, 1, `the refused state file is said on stderr exactly once:\n${r.stderr}`)
  const all = fs.readdirSync(dir).filter((n) => n.startsWith('agent.log') && !n.includes('rotate-v1')).map((n) => fs.readFileSync(path.join(dir, n), 'utf8')).join('')
  assert.match(all, /event=rotation_error code=EFOREIGN_STATE/, 'the log says so too')
})
