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

const DOCS = path.join(__dirname, '..', '..', '..', 'docs')
const LNAV_DIR = path.join(DOCS, 'lnav')

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
    lib.getLogger().warning({ event: 'host_interference', cause: 'debug_disabled' }, 'the host turned debug off')
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

/** A private HOME with both formats installed the way docs/report.md says (`lnav -i`). */
function installed (dir: string): string {
  const home = path.join(dir, 'home')
  fs.mkdirSync(home)
  const files = fs.readdirSync(LNAV_DIR).filter((f) => f.endsWith('.json'))
  assert.deepEqual(files.sort(), ['oneapm_agent_json.json', 'oneapm_agent_log.json'])
  for (const f of files) lnav(home, ['-i', path.join(LNAV_DIR, f)])
  return home
}

test('lnav recognises level, logger, pid, thread and event in both layouts', { skip: SKIP, timeout: 120_000 }, () => {
  const dir = tmpDir()
  const home = installed(dir)

  const expected = [
    { log_level: 'info', name: 'oneapm', event: 'agent_start' },
    { log_level: 'warning', name: 'oneapm.collector', event: 'collector_error', log_body: 'collector answered 503' },
    { log_level: 'info', name: 'oneapm.collector', event: 'collector_recovered', log_body: 'recovered after "three" tries' },
    { log_level: 'debug', name: 'oneapm.instrumentation.http', event: null },
    { log_level: 'error', name: 'oneapm', event: null },
    { log_level: 'trace', name: 'oneapm', event: null, log_body: 'trace line' },
    { log_level: 'critical', name: 'oneapm', event: null, log_body: 'critical line' },
    { log_level: 'warning', name: 'oneapm', event: 'host_interference', log_body: 'the host turned debug off' }
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

/** The SQL of each `lnav -n -c ";SELECT ..."` line between docs/report.md's lnav-queries markers. */
function documentedQueries (): string[] {
  const text = fs.readFileSync(path.join(DOCS, 'report.md'), 'utf8')
  const start = text.indexOf('<!-- lnav-queries:start -->')
  const end = text.indexOf('<!-- lnav-queries:end -->')
  assert.ok(start >= 0 && end > start, 'the lnav-queries markers are missing from docs/report.md')
  const queries = text.slice(start, end).split('\n').filter((l) => l.startsWith('lnav -n -c ";')).map((l) => l.slice('lnav -n -c "'.length, l.lastIndexOf('" ')))
  assert.ok(queries.length >= 5, `found ${queries.length} queries`)
  return queries
}

test('the lnav one-liners in docs/report.md run as written and answer from both layouts', { skip: SKIP, timeout: 120_000 }, () => {
  const dir = tmpDir()
  const home = installed(dir)
  const text = path.join(dir, 'agent.log')
  const json = path.join(dir, 'agent-json.log')
  const pids = { text: writeLog(text, 'text'), json: writeLog(json, 'json') }
  for (const q of documentedQueries()) {
    const layouts = q.includes('fields') ? ['text'] as const : ['text', 'json'] as const
    for (const layout of layouts) {
      const sql = layout === 'json' ? q.replaceAll('oneapm_agent_log', 'oneapm_agent_json') : q
      const rows = JSON.parse(lnav(home, ['-n', '-c', sql, '-c', ':write-json-to -', layout === 'json' ? json : text])) as Array<Record<string, unknown>>
      assert.ok(rows.length > 0, `${layout}: ${sql}: no rows`)
      if ('pid' in (rows[0] as object)) assert.equal(rows[0]?.pid, pids[layout], sql)
      if ('cause' in (rows[0] as object)) assert.equal(rows[0]?.cause, 'HTTP 503', sql)
    }
  }
})
