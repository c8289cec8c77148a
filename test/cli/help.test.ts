// `oneapm-agent-log --help` lives in src/cli/help.ts so that it loads no
// command: its one-line entries must stay the first lines of each command's
// own help, and --help / summary --help must not load node-tar, uPlot,
// undici, or the modules of other commands (checked in a child's require.cache).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'
import { BUNDLE_HELP } from '../../src/cli/bundle'
import { DEBUG_HELP } from '../../src/cli/debug'
import { DEMO_HELP } from '../../src/cli/demo'
import { DOCTOR_HELP } from '../../src/cli/doctor'
import { HELP, HELP_ORDER } from '../../src/cli/help'
import { REPORT_HELP } from '../../src/cli/report'
import { SUMMARY_HELP } from '../../src/cli/summary'
import { TAIL_HELP } from '../../src/cli/tail'
import { cleanEnv } from '../helpers/child'

const MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

test('help: the entries after Options are the first line of each command\'s help, in HELP_ORDER', () => {
  const own: Record<(typeof HELP_ORDER)[number], string> = {
    doctor: DOCTOR_HELP, demo: DEMO_HELP, debug: DEBUG_HELP, bundle: BUNDLE_HELP, summary: SUMMARY_HELP, tail: TAIL_HELP, report: REPORT_HELP
  }
  const lines = HELP.split('\n')
  assert.deepEqual(lines.slice(-HELP_ORDER.length), HELP_ORDER.map((c) => own[c].split('\n')[0]))
  for (const c of HELP_ORDER) assert.match(HELP, new RegExp(`^  ${c} +\\S`, 'm'), `${c} is listed under Commands`)
})

/** The modules a child process has loaded after running `main(argv)`, relative to the repository or node_modules. */
function loadedBy (argv: readonly string[]): { stdout: string, modules: string[] } {
  const body = `
    const { main } = require(${JSON.stringify(MAIN)})
    let stdout = ''
    main(${JSON.stringify(argv)}, (s) => { stdout += s }, () => {}).then((status) => {
      process.stdout.write(JSON.stringify({ status, stdout, modules: Object.keys(require.cache) }))
    })`
  const r = spawnSync(process.execPath, ['-e', body], { encoding: 'utf8', env: cleanEnv(), timeout: 60_000 })
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout) as { status: number, stdout: string, modules: string[] }
  assert.equal(out.status, 0)
  return { stdout: out.stdout, modules: out.modules }
}

test('help: --help and summary --help load no command they do not run, nor tar, uplot or undici', () => {
  const heavy = /[\\/]node_modules[\\/](tar|uplot|undici|puppeteer-core)[\\/]/
  const top = loadedBy(['--help'])
  assert.equal(top.stdout, HELP + '\n')
  const ours = (m: string): boolean => m.includes(`${path.sep}src${path.sep}cli${path.sep}`)
  assert.deepEqual(top.modules.filter(ours).map((m) => path.basename(m)).sort(), ['args.js', 'help.js', 'main.js'])
  assert.deepEqual(top.modules.filter((m) => heavy.test(m)), [])
  const summary = loadedBy(['summary', '--help'])
  assert.equal(summary.stdout, SUMMARY_HELP + '\n')
  assert.deepEqual(summary.modules.filter((m) => heavy.test(m)), [])
  const others = /[\\/]src[\\/]cli[\\/](bundle|report|connect|doctor|debug|demo|demo-app|tail)([\\/]|\.js$)/
  assert.deepEqual(summary.modules.filter((m) => others.test(m)), [])
})
