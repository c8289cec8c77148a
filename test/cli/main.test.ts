import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { cleanEnv } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'


const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

function cli (args: string[], env: Record<string, string> = {}, cwd?: string): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...cleanEnv(), ...env }, cwd: cwd ?? tmpDir(), timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function config (text: string): string {
  const file = path.join(tmpDir(), 'agent.config')
  fs.writeFileSync(file, text)
  return file
}

test('usage errors exit 2: no command, unknown command, unknown flag', () => {
  assert.equal(cli([]).status, 2)
  const unknown = cli(['frobnicate'])
  assert.equal(unknown.status, 2)
  assert.match(unknown.stderr, /unknown command "frobnicate"/)
  const flag = cli(['doctor', '--frob'])
  assert.equal(flag.status, 2)
  assert.match(flag.stderr, /Unknown option '--frob'/)
})

test('--help on every command', () => {
  for (const args of [['--help'], ['doctor', '--help'], ['demo', '-h']]) {
    const r = cli(args)
    assert.equal(r.status, 0, args.join(' '))
    assert.match(r.stdout, /^Usage: oneapm-agent-log/)
  }
})

test('doctor: healthy config exits 0 and shows settings with sources, secrets masked', () => {
  const dir = tmpDir()
  fs.chmodSync(dir, 0o700)
  const file = config(`[oneapm]\nlog_file = ${path.join(dir, 'agent.log')}\nlicense_key = a1b2c3d4e5f6a7b8c9d0e1f2\nproxy = http://bob:hunter2@proxy:3128\n`)
  const r = cli(['doctor', '--config', file])
  assert.equal(r.status, 0, r.stdout)
  assert.match(r.stdout, /log_level\s+info\s+\(default\)/)
  assert.match(r.stdout, new RegExp(`log_file\\s+${dir.replace(/[/.]/g, '\\$&')}/agent\\.log\\s+\\(.*agent\\.config:2 \\[oneapm\\]\\)`))
  assert.match(r.stdout, /license_key\s+a1b2\*\*\*\*/)
  assert.match(r.stdout, /proxy\s+http:\/\/bob:\*\*\*\*@proxy:3128/)
  assert.doesNotMatch(r.stdout, /hunter2|c3d4e5/)
  assert.match(r.stdout, /writable now/)
  assert.match(r.stdout, /free\)/)
  assert.match(r.stdout, new RegExp(`Node: ${process.version} is within the supported range >=20\\.18\\.1`))
  assert.match(r.stdout, /Healthy\./)
})

test('doctor: problems exit 1 and say what to fix', () => {
  const file = config('[oneapm]\nlog_levle = debug\nlog_level = loud\n')
  const r = cli(['doctor', '--config', file, '--json'], { ONEAPM_LOG_FILE: 'relative/agent.log' })
  assert.equal(r.status, 1)
  const report = JSON.parse(r.stdout) as { healthy: boolean, findings: Array<{ code: string, severity: string }>, settings: Record<string, { value: string, source: string }> }
  assert.equal(report.healthy, false)
  const codes = report.findings.map((f) => f.code).sort()
  assert.deepEqual(codes, ['CONFIG_INVALID_VALUE', 'CONFIG_UNKNOWN_KEY', 'LOG_FILE_RELATIVE'])
  assert.equal(report.settings.log_file?.source, 'env ONEAPM_LOG_FILE')
})

test('doctor: debug on a file with no size bound, a world-writable directory, an unwritable path', () => {
  const open = tmpDir()
  fs.chmodSync(open, 0o777)
  const blocker = path.join(tmpDir(), 'file')
  fs.writeFileSync(blocker, '')
  const verbose = JSON.parse(cli(['doctor', '--json', '--config', config(`[oneapm]\nlog_file = ${open}/a.log\nlog_level = debug\nlog_max_size = 0\n`)]).stdout) as { findings: Array<{ code: string }> }
  assert.deepEqual(verbose.findings.map((f) => f.code).sort(), ['LOG_DIR_WORLD_WRITABLE', 'VERBOSE_UNBOUNDED'])
  const bounded = JSON.parse(cli(['doctor', '--json', '--config', config(`[oneapm]\nlog_file = ${open}/a.log\nlog_level = debug\n`)]).stdout) as { findings: Array<{ code: string }> }
  assert.deepEqual(bounded.findings.map((f) => f.code), ['LOG_DIR_WORLD_WRITABLE'])
  const bad = cli(['doctor', '--config', config(`[oneapm]\nlog_file = ${blocker}/a.log\n`)])
  assert.equal(bad.status, 1)
  assert.match(bad.stdout, /cannot be written now \(ENOTDIR/)
})

test('doctor: a missing config file is reported, not a crash', () => {
  const r = cli(['doctor', '--config', '/nonexistent/agent.config'])
  assert.equal(r.status, 1)
  assert.match(r.stdout, /config file \/nonexistent\/agent\.config \(code\) does not exist/)
})

test('demo: runs the host app and reports where the log went and a per-level count', () => {
  const dir = tmpDir()
  const logFile = path.join(dir, 'demo.log')
  const file = config(`[oneapm]\nlog_file = ${logFile}\nlog_level = debug\nlicense_key = demo0123456789abcdef0123456789abcdef01\n`)
  const r = cli(['demo', '--config', file])
  assert.equal(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout, new RegExp(`agent log went to ${logFile.replace(/[/.]/g, '\\$&')}, text format, level debug`))
  const counts = /critical (\d+) {2}error (\d+) {2}warning (\d+) {2}info (\d+) {2}debug (\d+) {2}trace (\d+) {3}\((\d+) records\)/.exec(r.stdout)
  assert.ok(counts, r.stdout)
  const [, , error, warning, info, debug, , total] = counts.map(Number)
  assert.equal(error, 1)
  assert.ok((warning ?? 0) >= 2 && (info ?? 0) >= 5 && (debug ?? 0) >= 5, r.stdout)
  const log = fs.readFileSync(logFile, 'utf8')
  assert.equal(log.split('\n').filter(Boolean).length, total)
  assert.doesNotMatch(log, /demo0123456789abcdef/)
  // The collector story: connect, a 503, an outage coalesced, recovery.
  for (const event of ['collector_connected', 'collector_error', 'collector_still_failing', 'collector_recovered', 'log_stats']) {
    assert.match(log, new RegExp(`event=${event}`), event)
  }
  assert.match(log, /WARNING - collector answered 503 to POST http:\/\/127\.0\.0\.1:\d+\/agent_listener\/invoke_raw_method\?method=metric_data&license_key=\*\*\*\*/)
  assert.match(log, /WARNING - still failing: ECONNREFUSED connect 127\.0\.0\.1:\d+, \d+ times in the last \d+ s/)
  assert.match(log, /INFO - collector recovered after \d+ failures over \d+ s/)
})

test('demo at the default level: the flight recorder writes the debug context before the error', () => {
  const logFile = path.join(tmpDir(), 'demo.log')
  const file = config(`[oneapm]\nlog_file = ${logFile}\n`)
  assert.equal(cli(['demo', '--config', file]).status, 0)
  const lines = fs.readFileSync(logFile, 'utf8').split('\n')
  const dump = lines.findIndex((l) => l.includes('event=flight_recorder_dump'))
  const error = lines.findIndex((l) => l.includes(' ERROR - error_data upload failed'))
  assert.ok(dump !== -1 && dump < error, 'no dump before the error')
  assert.ok(lines.slice(dump + 1, error).every((l) => l.includes('[recorded]')))
  assert.ok(error - dump > 10, 'too little context')
})

test('doctor: rotation settings, the disk bound, the current file and the rotated files with their total', () => {
  const dir = tmpDir()
  fs.chmodSync(dir, 0o700)
  const log = path.join(dir, 'agent.log')
  fs.writeFileSync(log, 'x'.repeat(1000))
  fs.writeFileSync(`${log}.2026-11-20.001`, 'y'.repeat(2048))
  fs.writeFileSync(`${log}.2026-11-21.001.gz`, 'z'.repeat(512))
  const file = config(`[oneapm]\nlog_file = ${log}\nlog_max_size = 10MB\nlog_rotate = daily\nlog_max_files = 3\nlog_compress = yes\n`)
  const r = cli(['doctor', '--config', file])
  assert.equal(r.status, 0, r.stdout)
  assert.match(r.stdout, /Rotation: rotates at 10MB or daily, keeps 3 rotated files gzipped: at most 40MB/)
  assert.match(r.stdout, /2 rotated file\(s\) now; the log takes 3\.5 KB in all/)
  assert.match(r.stdout, /agent\.log\.2026-11-20\.001 {2}2\.0 KB/)
  assert.match(r.stdout, /agent\.log\.2026-11-21\.001\.gz {2}512 B/)
  assert.match(r.stdout, /\(file, writable now, 1000 B now/)
})
