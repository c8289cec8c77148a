// A log file that fails after start-up: its directory deleted, the file
// turned into a directory, replaced by one nobody may write, the disk full.
// The agent notices within a bounded time, says so on stderr once per cause
// with the fix, keeps writing somewhere, and counts as written only what
// reached a live file or stderr. Each scenario runs in a child process.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

interface Run { stderr: string, earlier: number, stats: { records: Record<string, number>, dropped: Record<string, number>, sinkErrors: Record<string, number> } }

/**
 * Runs `steps` (an async function body with `log`, `fs`, `sh`, `sleep` and
 * `file` in scope) in a child writing to `file` with a 50 ms check interval.
 */
function scenario (file: string, steps: string, settings: Record<string, unknown> = {}): Run {
  const r = runScript(`
    const fs = require('fs')
    const sh = (cmd) => require('child_process').execSync(cmd, { stdio: 'ignore' })
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
    const file = ${JSON.stringify(file)}
    const log = lib.createLogger(Object.assign({ log_file: file }, ${JSON.stringify(settings)}), { global: false, hooks: { rotation: { checkMs: 50 } } })
    ;(async () => {
      ${steps}
      log.flush()
      fs.writeSync(1, 'STATS ' + JSON.stringify(log.stats()) + '\\n')
    })()
  `, { timeout: 20_000 })
  assert.equal(r.signal, null, `hung: ${r.stderr.slice(-500)}`)
  assert.equal(r.status, 0, r.stderr.slice(-2000))
  const line = r.stdout.split('\n').find((l) => l.startsWith('STATS ')) ?? 'STATS {}'
  const earlier = Number(/^EARLIER (\d+)$/m.exec(r.stdout)?.[1] ?? 0)
  return { stderr: r.stderr, earlier, stats: JSON.parse(line.slice(6)) as Run['stats'] }
}

const total = (s: Run['stats']): number => Object.values(s.records).reduce((a, b) => a + b, 0)
const recordLines = (text: string): string[] => text.split('\n').filter((l) => / oneapm(\.\w+)* [A-Z]+ - /.test(l))

test('the log directory is deleted: noticed before the next batch, recreated, said once on stderr; nothing lost counts as written', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'logs', 'agent.log')
  const r = scenario(file, `
    const lines = () => fs.readFileSync(file, 'utf8').split('\\n').filter((l) => l !== '').length
    let lost = 0
    log.info('before'); log.flush()
    // What was written before the deletion was written; what comes after must not count until it is in the new file.
    lost += lines(); fs.rmSync(require('path').dirname(file), { recursive: true })
    await sleep(5)
    log.info('after 1'); log.flush()
    lost += lines(); fs.rmSync(require('path').dirname(file), { recursive: true })
    await sleep(5)
    log.info('after 2'); log.flush()
    fs.writeSync(1, 'EARLIER ' + lost + '\\n')
  `)
  const lines = recordLines(fs.readFileSync(file, 'utf8'))
  assert.ok(lines.some((l) => l.endsWith(' - after 2')), lines.join('\n'))
  assert.ok(lines.some((l) => l.includes('event=log_file_changed')))
  assert.equal((r.stderr.match(/oneapm-agent-log: the log file was deleted by someone else/g) ?? []).length, 1, r.stderr)
  assert.match(r.stderr, /Fix: keep cleanup jobs away/)
  assert.equal(total(r.stats), lines.length + r.earlier, JSON.stringify(r.stats))
})

test('the log file becomes a directory: records go to stderr (said once, with the fix), and back to the file when it is one again', (t) => {
  const dir = tmpDir()
  t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = path.join(dir, 'agent.log')
  const r = scenario(file, `
    log.info('before'); log.flush()
    fs.writeSync(1, 'EARLIER ' + fs.readFileSync(file, 'utf8').split('\\n').filter((l) => l !== '').length + '\\n')
    fs.rmSync(file); fs.mkdirSync(file)
    await sleep(5)
    for (let i = 0; i < 5; i++) { log.info('while a directory %d', i); log.flush(); await sleep(20) }
    fs.rmdirSync(file)
    await sleep(120)
    log.info('back'); log.flush()
    log.info('after'); log.flush()
  `)
  const inFile = recordLines(fs.readFileSync(file, 'utf8'))
  const onStderr = recordLines(r.stderr)
  assert.equal(onStderr.filter((l) => l.includes('while a directory')).length, 5)
  assert.equal(onStderr.filter((l) => l.includes('event=log_file_failed')).length, 1)
  assert.match(r.stderr, /cannot write log file .*agent\.log \(EISDIR: .*Fix: log_file names a directory/)
  assert.ok(inFile.some((l) => l.includes('event=log_file_restored')))
  assert.ok(inFile.some((l) => l.endsWith(' - after')))
  assert.equal(total(r.stats), r.earlier + inFile.length + onStderr.length)
})

test('the log file is replaced by one nobody may write (chattr +i): stderr, then back when it is writable', (t) => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  t.after(() => {
    try { execFileSync('chattr', ['-i', file]) } catch {}
    fs.rmSync(dir, { recursive: true, force: true })
  })
  try {
    fs.writeFileSync(path.join(dir, 'probe'), '')
    execFileSync('chattr', ['+i', path.join(dir, 'probe')], { stdio: 'ignore' })
    execFileSync('chattr', ['-i', path.join(dir, 'probe')], { stdio: 'ignore' })
  } catch {
    t.skip('chattr +i is not available here')
    return
  }
  const r = scenario(file, `
    log.info('before'); log.flush()
    fs.writeSync(1, 'EARLIER ' + fs.readFileSync(file, 'utf8').split('\\n').filter((l) => l !== '').length + '\\n')
    fs.rmSync(file); fs.writeFileSync(file, ''); sh('chattr +i ' + file)
    await sleep(120)
    for (let i = 0; i < 3; i++) { log.info('while immutable %d', i); log.flush(); await sleep(20) }
    sh('chattr -i ' + file)
    await sleep(120)
    log.info('back'); log.flush()
  `)
  const onStderr = recordLines(r.stderr)
  assert.equal(onStderr.filter((l) => l.includes('while immutable')).length, 3)
  assert.match(r.stderr, /cannot write log file .* \(EPERM: .*Fix: give the user running the app/)
  const inFile = recordLines(fs.readFileSync(file, 'utf8'))
  assert.ok(inFile.some((l) => l.endsWith(' - back')))
  assert.equal(total(r.stats), r.earlier + inFile.length + onStderr.length)
})

test('a real full disk (a 256 KiB tmpfs): records go to stderr, counted once; back to the file when space is freed', (t) => {
  const mnt = tmpDir()
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'ignore' })
  } catch {
    fs.rmSync(mnt, { recursive: true, force: true })
    t.skip('cannot mount a tmpfs here')
    return
  }
  t.after(() => {
    try { execFileSync('umount', [mnt]) } catch {}
    fs.rmSync(mnt, { recursive: true, force: true })
  })
  const file = path.join(mnt, 'agent.log')
  const filler = path.join(mnt, 'filler')
  const r = scenario(file, `
    log.info('before'); log.flush()
    try { sh('dd if=/dev/zero of=${filler} bs=4k') } catch {}
    for (let i = 0; i < 200; i++) { log.info('while full %d %s', i, 'x'.repeat(500)); if (i % 20 === 0) await sleep(5) }
    log.flush()
    fs.rmSync('${filler}')
    await sleep(120)
    log.info('back'); log.flush()
  `, { log_max_size: 0 })
  const inFile = fs.readFileSync(file, 'utf8').split('\n').filter((l) => / - /.test(l))
  const onStderr = recordLines(r.stderr)
  // The full disk is named: by the write that failed (sinkErrors), or, when the size check before a
  // batch met it first (which comes first depends on timing), by the notice's code.
  const failed = onStderr.filter((l) => l.includes('event=log_file_failed'))
  assert.equal(failed.length, 1, r.stderr.slice(0, 2000))
  assert.ok((r.stats.sinkErrors.ENOSPC ?? 0) >= 1 || failed[0]?.includes('code=ENOSPC') === true, `${JSON.stringify(r.stats.sinkErrors)} ${failed[0] ?? ''}`)
  // A record cut by the full disk is finished on stderr: the two halves make one record. The cut can
  // land anywhere, in the header too, so the file's half is any line that is not a whole record (the
  // next write ends it with a newline), and the stderr half has no header: whole records are counted
  // from lines with a header only, and each half-line in the file is one more record.
  const fileLines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '')
  // Whole: a header and the whole of one of the scenario's records (or a notice, which has fields).
  const complete = (l: string): boolean => / oneapm(\.\w+)* [A-Z]+ - /.test(l) && (/ - while full \d+ x{500}$/.test(l) || / - (before|back)$/.test(l) || / event=\w+/.test(l))
  // One record = one line: no line holds the start of two records (a cut record continued by the next).
  assert.deepEqual(fileLines.filter((l) => (l.match(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/g) ?? []).length > 1), [])
  const whole = new Set([...fileLines.filter(complete), ...onStderr.filter(complete)].map((l) => /while full (\d+) x{500}$/.exec(l)?.[1]).filter((n) => n !== undefined))
  const cutLines = fileLines.filter((l) => !complete(l))
  assert.ok(cutLines.length <= 1, cutLines.join('\n').slice(0, 2000))
  // The cut line is one of the scenario's records when it reached its message; a line cut after
  // ' - ' with another message is a notice (or before/back), and one cut in its header could be either.
  const scenarioCut = cutLines.filter((l) => l.includes(' - while full')).length
  const headerCut = cutLines.filter((l) => !l.includes(' - ')).length
  assert.ok(whole.size + scenarioCut <= 200 && whole.size + scenarioCut + headerCut >= 200, `whole ${whole.size}, cut ${JSON.stringify(cutLines).slice(0, 300)}`)
  assert.ok(inFile.some((l) => l.endsWith(' - back')))
  assert.equal((r.stats.dropped.write_error ?? 0) + (r.stats.dropped.buffer_full ?? 0), 0)
})
