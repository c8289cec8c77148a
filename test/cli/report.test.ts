// `oneapm-agent-log report` end to end: a log written by a real process, read
// back by the CLI into one HTML file whose embedded summary is exactly what
// `summary --json` says; usage errors, no log, and a target it must not replace.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { test } from 'node:test'
import { cleanEnv } from '../helpers/child'
import { KEY, logFilesIn, outageScenario } from '../helpers/agent-logs'
import { tmpDir } from '../helpers/tmp'

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

function cli (args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: cleanEnv(), cwd: tmpDir(), timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function embeddedSummary (html: string): unknown {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)
  assert.ok(m !== null, 'no data block')
  return (JSON.parse(m[1] as string) as { summary: unknown }).summary
}

test('report --help, and usage errors exit 2', () => {
  const help = cli(['report', '--help'])
  assert.equal(help.status, 0)
  assert.match(help.stdout, /^report {3}the summary as one offline HTML file/)
  assert.match(help.stdout, /--out FILE/)
  assert.match(cli(['--help']).stdout, /\n {2}report {3}/)
  const noOut = cli(['report', 'x.log'])
  assert.equal(noOut.status, 2)
  assert.match(noOut.stderr, /--out FILE is required/)
  assert.equal(cli(['report', '--out', 'r.html', '--since', 'yesterday-ish', 'x.log']).status, 2)
  assert.equal(cli(['report', '--out', 'r.html', '--frob']).status, 2)
})

test('report from a real log (rotated, gzipped, text): one HTML file whose data is summary --json\'s, no secret in it', { timeout: 120_000 }, () => {
  const sc = outageScenario('text')
  let files = logFilesIn(sc.dir)
  assert.ok(files.length > 2, `rotated: ${files.join(', ')}`)
  // At least one gzipped file, whether or not the background compression has finished.
  if (!files.some((f) => f.endsWith('.gz'))) {
    const old = files[1] as string
    fs.writeFileSync(`${old}.gz`, zlib.gzipSync(fs.readFileSync(old)))
    fs.rmSync(old)
    files = logFilesIn(sc.dir)
  }
  const out = path.join(sc.dir, 'report.html')
  const r = cli(['report', '--out', out, ...files])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stderr, /wrote .*report\.html \(\d+ records, \d+ events, \d+ findings\)/)
  const html = fs.readFileSync(out, 'utf8')
  assert.match(html, /^<!DOCTYPE html>/)
  assert.ok(!html.includes(KEY), 'the license key is not in the report')
  const json = cli(['summary', '--json', ...files])
  assert.equal(json.status, 0, json.stderr)
  const summary = JSON.parse(json.stdout) as { findings: unknown[], connectivity: Array<{ state: string }> }
  assert.deepEqual(embeddedSummary(html), summary)
  assert.ok(summary.findings.length > 0 && summary.connectivity.some((c) => c.state === 'failing'), 'the scenario\'s outage is in it')
  // To stdout with --out -.
  const stdout = cli(['report', '--out', '-', ...files])
  assert.equal(stdout.status, 0)
  assert.deepEqual(embeddedSummary(stdout.stdout), summary)
})

test('report: no log to read exits 1; a target that is not a regular file is left alone', () => {
  const dir = tmpDir()
  const missing = cli(['report', '--out', path.join(dir, 'r.html'), path.join(dir, 'nope.log')])
  assert.equal(missing.status, 1)
  assert.ok(!fs.existsSync(path.join(dir, 'r.html')))
  const log = path.join(dir, 'agent.log')
  fs.writeFileSync(log, '2026-11-21 13:18:00,123+0800 (4242/main) oneapm INFO - hello\n')
  const victim = path.join(dir, 'victim')
  fs.writeFileSync(victim, 'keep me')
  const link = path.join(dir, 'link.html')
  fs.symlinkSync(victim, link)
  const r = cli(['report', '--out', link, log])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /cannot write .*link\.html: it exists and is not a regular file/)
  assert.equal(fs.readFileSync(victim, 'utf8'), 'keep me')
  assert.ok(fs.lstatSync(link).isSymbolicLink())
  assert.deepEqual(fs.readdirSync(dir).sort(), ['agent.log', 'link.html', 'victim'], 'no temp file left')
  // An existing report is replaced.
  const report = path.join(dir, 'report.html')
  fs.writeFileSync(report, 'old')
  assert.equal(cli(['report', '--out', report, log]).status, 0)
  assert.match(fs.readFileSync(report, 'utf8'), /^<!DOCTYPE html>/)
})
