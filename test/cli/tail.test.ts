// `tail` over logs of a real process: time order across rotated and gzipped
// files, filters, --json, a reader that goes away (`| head -1`), and -f
// following a real logrotate `create` rotation.

import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { main } from '../../src/cli/main'
import { parseLine } from '../../src/cli/logs/parse'
import { logFilesIn, outageScenario } from '../helpers/agent-logs'
import { cleanEnv } from '../helpers/child'
import { LIB, tmpDir } from '../helpers/tmp'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

async function cli (argv: string[]): Promise<{ status: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const status = await main(argv, (s) => { out += s }, (s) => { err += s })
  return { status, out, err }
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '')

test('tail reads rotated, gzipped and current files in time order; filters; --json', async () => {
  for (const format of ['text', 'json'] as const) {
    const sc = outageScenario(format)
    const files = logFilesIn(sc.dir).filter((f) => !f.endsWith('.state'))
    const all = await cli(['tail', ...files.reverse()])
    assert.equal(all.status, 0, all.err)
    const recs = lines(all.out).map((l) => parseLine(l))
    assert.ok(recs.every((r) => r !== null))
    const times = recs.map((r) => r?.time ?? 0)
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'time order')
    const sum = await cli(['summary', '--json', ...files])
    assert.equal(recs.length, (JSON.parse(sum.out) as { records: number }).records)
    // Every record exactly once: the harvest filler's indexes, four runs of 0..99.
    const harvest = recs.filter((r) => r?.name === 'oneapm.harvest').map((r) => r?.fields.i)
    assert.equal(harvest.length, 400)

    const errors = await cli(['tail', '--event', 'collector_error', ...files])
    assert.deepEqual(lines(errors.out).map((l) => parseLine(l)?.fields.cause), ['HTTP 413', `ECONNREFUSED connect 127.0.0.1:${sc.port}`])
    assert.equal(lines((await cli(['tail', '--level', 'error', ...files])).out).length, 2)
    const collector = lines((await cli(['tail', '--logger', 'collector', ...files])).out)
    assert.ok(collector.length >= 10 && collector.every((l) => parseLine(l)?.name === 'oneapm.collector'))
    assert.equal((await cli(['tail', '--pid', String(sc.pid + 1), ...files])).out, '')
    assert.equal(lines((await cli(['tail', '-n', '3', ...files])).out).length, 3)
    const json = lines((await cli(['tail', '--json', '--event', 'collector_recovered', ...files])).out).map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepEqual(json.map((j) => [j.level, j.name, j.pid, j.event, (j.fields as Record<string, string>).failures]), [
      ['info', 'oneapm.collector', sc.pid, 'collector_recovered', '5'], ['info', 'oneapm.collector', sc.pid, 'collector_recovered', '4']
    ])
    assert.equal((await cli(['tail', '--level', 'loud', ...files])).status, 2)
  }
})

test('tail | head -1: exits 0 quietly when the reader goes away', () => {
  const file = path.join(tmpDir(), 'agent.log')
  const line = '2026-11-21 13:18:00,123+0800 (4242/main) oneapm INFO - filler record number=1\n'
  fs.writeFileSync(file, line.repeat(200_000))
  const r = spawnSync('bash', ['-c', `"$NODE" "$MAIN" tail "$FILE" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], {
    encoding: 'utf8', env: { ...cleanEnv(), NODE: process.execPath, MAIN, FILE: file }, timeout: 30_000
  })
  assert.equal(r.stdout, line)
  assert.equal(r.stderr, 'status=0\n')
})

function findLogrotate (): string | undefined {
  for (const p of ['/usr/sbin/logrotate', '/sbin/logrotate', '/usr/bin/logrotate']) if (fs.existsSync(p)) return p
  return undefined
}
const logrotate = findLogrotate()
const skip = logrotate === undefined && process.env.CI !== 'true' ? 'logrotate is not installed (apt-get install logrotate)' : false

test('tail -f follows a logrotate create rotation: every record once, in order', { skip }, async () => {
  const dir = tmpDir()
  const file = path.join(dir, 'agent.log')
  const conf = path.join(dir, 'logrotate.conf')
  fs.writeFileSync(conf, `${file} {\n  create 0600\n  rotate 10\n  missingok\n  nocompress\n}\n`, { mode: 0o600 })
  const N = 400
  const writer = spawn(process.execPath, ['-e', `
    const lib = require(${JSON.stringify(LIB)})
    const log = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_max_size: 0, log_rotate: 'none' }, { hooks: { rotation: { checkMs: 20, graceMs: 60000, staleLockMs: 2000 } } })
    let i = 0
    const t = setInterval(() => { log.info({ i }, 'tick %d', i); if (++i === ${N}) clearInterval(t) }, 10)
  `], { env: cleanEnv(), stdio: 'ignore' })
  const writerDone = new Promise((resolve) => writer.on('exit', resolve))
  while (!fs.existsSync(file)) await sleep(20)
  const tail = spawn(process.execPath, [MAIN, 'tail', '-f', file], { env: cleanEnv() })
  let out = ''
  let err = ''
  tail.stdout.on('data', (d: Buffer) => { out += d.toString() })
  tail.stderr.on('data', (d: Buffer) => { err += d.toString() })
  try {
    // Rotate only once tail is reading (on a loaded machine its start-up takes a while), then again once it followed.
    const until = async (done: () => boolean): Promise<void> => { for (let i = 0; i < 400 && !done(); i++) await sleep(50) }
    await until(() => out.includes(' - tick '))
    execFileSync(logrotate as string, ['-f', '-s', path.join(dir, 'logrotate.state'), conf])
    await until(() => err.includes('was rotated'))
    await sleep(300)
    execFileSync(logrotate as string, ['-f', '-s', path.join(dir, 'logrotate.state'), conf])
    await writerDone
    await until(() => out.includes(`tick ${N - 1} `))
  } finally {
    tail.kill()
  }
  const ticks = lines(out).map((l) => parseLine(l)).filter((r) => r?.msg.startsWith('tick ')).map((r) => Number(r?.fields.i))
  assert.deepEqual(ticks, Array.from({ length: N }, (_, i) => i), `${err}\n${out.slice(0, 2000)}`)
  assert.equal(err.match(/was rotated \(a new file is at its path\); following the new file/g)?.length, 2, err)
  assert.ok(fs.existsSync(`${file}.1`) && fs.existsSync(`${file}.2`))
})
