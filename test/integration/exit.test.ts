// Nothing logged before the process ends is lost: natural exit,
// process.exit(), an uncaught exception, an unhandled rejection; to a file,
// and to stdout/stderr when they are pipes.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { readLines, tmpDir } from '../helpers/tmp'

const N = 20_000

const endings = {
  natural: '',
  'process.exit()': 'process.exit(0)',
  'uncaught exception': 'throw new Error("host crashed")',
  'unhandled rejection': 'Promise.reject(new Error("host rejected"))'
} as const

for (const dest of ['file', 'stdout', 'stderr'] as const) {
  for (const [ending, code] of Object.entries(endings)) {
    test(`${dest}: all ${N} records arrive on ${ending}`, () => {
      const file = path.join(tmpDir(), 'agent.log')
      const logFile = dest === 'file' ? file : dest
      const res = runScript(`
        const log = lib.createLogger({ log_file: ${JSON.stringify(logFile)}, log_format: 'json' })
        // Touching process.stdout/stderr makes their fds non-blocking, as in a real host.
        process.stdout.write(''); process.stderr.write('')
        for (let i = 0; i < ${N}; i++) log.info({ seq: i }, 'record %d of a batch that is large enough to fill a pipe buffer', i)
        ${code}
      `)
      const text = dest === 'file' ? readLines(file) : (dest === 'stdout' ? res.stdout : res.stderr).split('\n')
      const seqs = new Set<number>()
      for (const line of text) {
        if (!line.startsWith('{')) continue
        const rec = JSON.parse(line) as { seq?: number }
        if (rec.seq !== undefined) seqs.add(rec.seq)
      }
      assert.equal(seqs.size, N, `lost ${N - seqs.size} records; exit ${res.status}; stderr: ${res.stderr.slice(-500)}`)
      assert.equal(res.status, ending === 'natural' || ending === 'process.exit()' ? 0 : 1)
    })
  }
}

test('the library installs no signal handlers and one exit listener, when it loads', () => {
  const res = runScript(`
    // The library is loaded already: its one listener is there, and creating loggers adds none.
    const before = process.listenerCount('exit')
    const a = lib.createLogger({ log_file: 'stderr' })
    const b = lib.createLogger({ log_file: 'stdout' })
    a.info('x'); b.info('y')
    const signals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE'].filter((s) => process.listenerCount(s) > 0)
    console.log(JSON.stringify({ exit: process.listenerCount('exit'), added: process.listenerCount('exit') - before, signals }))
  `)
  const report = JSON.parse(res.stdout.split('\n').find((l) => l.startsWith('{"exit"')) ?? '{}') as { exit: number, signals: string[] }
  assert.deepEqual(report, { exit: 1, added: 0, signals: [] })
})

test('records logged before createLogger wait in order and are written once it runs', () => {
  const file = path.join(tmpDir(), 'agent.log')
  runScript(`
    const early = lib.getLogger('bootstrap')
    early.info('first'); early.debug('below the final level'); lib.getLogger().warning('second %s', 'ok')
    const obj = { state: 'before' }; early.info(obj, 'third'); obj.state = 'mutated'
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)} })
    log.info('after config')
    if (lib.getLogger('bootstrap') !== log.child('bootstrap')) throw new Error('getLogger and child disagree')
  `)
  const lines = readLines(file).map((l) => l.replace(/^.* - /, ''))
  assert.deepEqual(lines.filter((l) => !l.includes('agent_start')), ['first', 'second ok', 'third state=before', 'after config'])
})

test('the early queue is bounded; the overflow is counted and reported', () => {
  const file = path.join(tmpDir(), 'agent.log')
  runScript(`
    const early = lib.getLogger('bootstrap')
    for (let i = 0; i < 1500; i++) early.info('early %d', i)
    lib.createLogger({ log_file: ${JSON.stringify(file)} })
  `)
  const lines = readLines(file)
  assert.equal(lines.filter((l) => / - early \d+$/.test(l)).length, 1000)
  assert.ok(lines.some((l) => /WARNING - 500 records logged before the logger was configured were dropped/.test(l)), lines.slice(-3).join('\n'))
})

test('records logged before a logger was ever configured still reach stderr at exit', () => {
  const res = runScript('lib.getLogger("bootstrap").warning("agent never finished starting")')
  assert.match(res.stderr, /oneapm\.bootstrap WARNING - agent never finished starting/)
})

test('ONEAPM_LOG_LEVEL sets the level of the early queue', () => {
  const res = runScript('lib.getLogger("b").debug("early debug")', { env: { ONEAPM_LOG_LEVEL: 'debug' } })
  assert.match(res.stderr, /oneapm\.b DEBUG - early debug/)
})

// Records logged in the host's own 'exit' listeners: registered before the
// library's exit hook (they run first) and after it (they run once it has
// flushed, when no later event-loop turn will come).
for (const order of ['before', 'after'] as const) {
  for (const [ending, code] of Object.entries(endings).filter(([e]) => e !== 'unhandled rejection')) {
    for (const dest of ['file', 'stderr'] as const) {
      test(`a record and logStats() in a host exit listener registered ${order} the library's own arrive (${dest}, ${ending})`, (t) => {
        const dir = tmpDir()
        t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
        const file = path.join(dir, 'agent.log')
        const res = runScript(`
          var log
          function hook () { log.info({ seq: 'exit' }, 'said in the exit listener'); log.logStats() }
          ${order === 'before' ? "process.on('exit', hook)" : ''}
          log = lib.createLogger({ log_file: ${JSON.stringify(dest === 'file' ? file : 'stderr')}, log_format: 'json' })
          process.stderr.write('')
          log.info('started')
          ${order === 'after' ? "process.on('exit', hook)" : ''}
          ${code}
        `)
        const text = dest === 'file' ? fs.readFileSync(file, 'utf8') : res.stderr
        assert.match(text, /"msg":"said in the exit listener"/, `exit ${res.status}; ${res.stderr.slice(-500)}`)
        assert.match(text, /"event":"log_stats"/)
      })
    }
  }
}

test('a record logged in an exit listener before any createLogger still reaches stderr', () => {
  const res = runScript(`
    lib.getLogger('x').info('queued before exit')
    process.on('exit', () => { lib.getLogger('bootstrap').warning('said while exiting') })
  `)
  assert.match(res.stderr, /queued before exit/)
  assert.match(res.stderr, /oneapm\.bootstrap WARNING - said while exiting/)
})
