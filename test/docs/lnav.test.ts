// docs/lnav/*.json work with Debian's lnav: installed with `lnav -i` into a
// private HOME (the user's ~/.lnav is never touched), lnav parses a log the
// real library wrote, in both layouts, and its SQL tables give back each
// record's level, logger name, pid, thread and event.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const LNAV_DIR = path.join(__dirname, '..', '..', '..', 'docs', 'lnav')

function lnavPath (): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v lnav'], { encoding: 'utf8' })
  const found = r.stdout.trim()
  return r.status === 0 && found !== '' ? found : undefined
}

const LNAV = lnavPath()
const SKIP = LNAV === undefined ? 'lnav is not installed (.ci/run installs Debian\'s lnav)' : false

interface Row { log_level: string, name: string, pid: number, thread: string, event: string | null, log_body: string }

/** Writes a log in `format` from a real child process; returns its pid. */
function writeLog (file: string, format: 'text' | 'json'): number {
  const r = runScript(`
    const root = lib.createLogger({ log_file: ${JSON.stringify(file)}, log_format: '${format}', log_level: 'trace' })
    const c = lib.getLogger('collector')
    c.warning({ event: 'collector_error', cause: 'HTTP 503', method: 'POST', status: 503 }, 'collector answered 503')
    c.info({ event: 'collector_recovered', failures: 3 }, 'recovered after "three" tries')
    lib.getLogger('instrumentation.http').debug({ path: '/a b' }, 'plain debug with spaces')
    lib.getLogger().error(new TypeError('boom'), 'it failed')
    lib.getLogger().trace('trace line')
    lib.getLogger().critical('critical line')
    process.stdout.write(String(process.pid))
  `)
  assert.equal(r.status, 0, r.stderr)
  return Number(r.stdout)
}

function lnav (home: string, args: string[]): string {
  const r = spawnSync(LNAV as string, args, { encoding: 'utf8', env: { HOME: home, PATH: process.env.PATH, TERM: 'dumb' }, timeout: 30_000 })
  assert.equal(r.status, 0, `lnav ${args.join(' ')}: ${r.stderr}${r.stdout}`)
  return r.stdout
}

test('lnav recognises level, logger, pid, thread and event in both layouts', { skip: SKIP, timeout: 120_000 }, () => {
  const dir = tmpDir()
  const home = path.join(dir, 'home')
  fs.mkdirSync(home)
  const files = fs.readdirSync(LNAV_DIR).filter((f) => f.endsWith('.json'))
  assert.deepEqual(files.sort(), ['oneapm_agent_json.json', 'oneapm_agent_log.json'])
  for (const f of files) lnav(home, ['-i', path.join(LNAV_DIR, f)])

  const expected = [
    { log_level: 'info', name: 'oneapm', event: 'agent_start' },
    { log_level: 'warning', name: 'oneapm.collector', event: 'collector_error', log_body: 'collector answered 503' },
    { log_level: 'info', name: 'oneapm.collector', event: 'collector_recovered', log_body: 'recovered after "three" tries' },
    { log_level: 'debug', name: 'oneapm.instrumentation.http', event: null },
    { log_level: 'error', name: 'oneapm', event: null },
    { log_level: 'trace', name: 'oneapm', event: null, log_body: 'trace line' },
    { log_level: 'critical', name: 'oneapm', event: null, log_body: 'critical line' }
  ]
  for (const [format, table] of [['text', 'oneapm_agent_log'], ['json', 'oneapm_agent_json']] as const) {
    const log = path.join(dir, `agent-${format}.log`)
    const pid = writeLog(log, format)
    const out = lnav(home, ['-n', '-c', `;SELECT log_level, name, pid, thread, event, log_body FROM ${table} ORDER BY log_line`, '-c', ':write-json-to -', log])
    const rows = JSON.parse(out) as Row[]
    assert.equal(rows.length, expected.length, `${format}: ${out}`)
    rows.forEach((row, i) => {
      const want = expected[i] as Partial<Row>
      assert.equal(row.pid, pid, `${format} row ${i}`)
      assert.equal(row.thread, 'main', `${format} row ${i}`)
      for (const [k, v] of Object.entries(want)) {
        if (k === 'log_body') assert.ok(row.log_body.startsWith(v as string), `${format} row ${i}: ${row.log_body}`)
        else assert.equal(row[k as keyof Row], v, `${format} row ${i} ${k}`)
      }
    })
    assert.match(rows[3]?.log_body ?? '', /^plain debug with spaces/)
  }
})
