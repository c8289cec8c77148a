// `oneapm-agent-log demo`: runs the demo host app (demo-app.ts) in its own
// process with the agent logger embedded, then reads back the agent log it
// wrote and prints where it went and how many records of each level.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { LEVEL_NAMES, PACKAGE, loadConfig, type LevelName } from '../index'
import { parse } from './args'

export const DEMO_HELP = `Usage: oneapm-agent-log demo [--config FILE]

Runs a small host app with the OneAPM agent logger embedded for a few
seconds (a collector on loopback, harvests, an outage, a connection error),
then prints where its log went and a count of records per level.

  --config FILE   agent config file (default: agent.config.example from this
                  this package, with its log written to ./oneapm_agent.log in
                  the working directory, or a temp directory if that is not
                  writable)
  -h, --help      this help

Environment variables apply as usual: ONEAPM_LOG_LEVEL=debug shows more.`

const TEXT_LEVEL = / (CRITICAL|ERROR|WARNING|INFO|DEBUG|TRACE) - /

export function runDemo (argv: string[], out: (s: string) => void): number {
  const flags = parse(argv, { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } })
  if (flags.help === true) {
    out(DEMO_HELP + '\n')
    return 0
  }
  const configFile = path.resolve(flags.config ?? path.join(PACKAGE.root, 'agent.config.example'))
  // The example's relative log_file would land next to it, inside
  // node_modules when installed: the demo writes where the user is instead.
  const env = { ...process.env }
  if (flags.config === undefined && env.ONEAPM_LOG_FILE === undefined) env.ONEAPM_LOG_FILE = demoLogFile()
  const cfg = loadConfig({ file: configFile, env })
  const target = cfg.settings.log_file
  const toFile = target !== 'stderr' && target !== 'stdout'
  const before = toFile && fs.existsSync(target) ? fs.statSync(target).size : 0

  out(`Running the demo host app with ${configFile}\n`)
  const started = Date.now()
  const child = spawnSync(process.execPath, [path.join(__dirname, 'demo-app.js'), configFile], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    timeout: 60_000
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  let log: string
  if (toFile) {
    const fd = fs.openSync(target, 'r')
    const size = fs.fstatSync(fd).size
    const buf = Buffer.alloc(Math.max(0, size - before))
    fs.readSync(fd, buf, 0, buf.length, before)
    fs.closeSync(fd)
    log = buf.toString('utf8')
  } else {
    log = target === 'stderr' ? child.stderr : child.stdout
  }
  const lines = log.split('\n').filter((l) => l !== '')
  const counts = Object.fromEntries(LEVEL_NAMES.map((n) => [n, 0])) as Record<LevelName, number>
  let unparsed = 0
  for (const line of lines) {
    const level = levelOf(line)
    if (level === undefined) unparsed++
    else counts[level]++
  }
  const hostOutput = (target === 'stdout' ? '' : child.stdout).trim()
  if (hostOutput !== '') out(`${hostOutput}\n`)
  out(`\nThe host app ran for ${seconds} s (exit code ${child.status ?? child.signal}).\n`)
  out(`Its agent log went to ${target}${toFile ? '' : ' (captured here)'}, ${cfg.settings.log_format} format, level ${cfg.settings.log_level}:\n`)
  out(`  ${LEVEL_NAMES.map((n) => `${n} ${counts[n]}`).join('  ')}   (${lines.length} records${unparsed > 0 ? `, ${unparsed} lines not in the log format` : ''})\n\n`)
  for (const line of lines.slice(0, 14)) out(`  ${line.length > 240 ? line.slice(0, 240) + '…' : line}\n`)
  if (lines.length > 14) out(`  … ${lines.length - 14} more\n`)
  out(`\n${nextSteps(flags.config === undefined ? undefined : configFile, configFile, env.ONEAPM_LOG_FILE)}\n`)
  return child.status === 0 ? 0 : 1
}

/** ./oneapm_agent.log where the user runs the demo, else a temp directory (never inside node_modules). */
function demoLogFile (): string {
  const cwd = process.cwd()
  try {
    if (!cwd.split(path.sep).includes('node_modules')) {
      fs.accessSync(cwd, fs.constants.W_OK)
      return path.join(cwd, 'oneapm_agent.log')
    }
  } catch {
    // Not writable: fall through to a temp directory.
  }
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oneapm-demo-')), 'oneapm_agent.log')
}

/** Commands that work where the demo ran: npx from an installed package, npm scripts in a source checkout. */
function nextSteps (userConfig: string | undefined, configFile: string, logFileEnv: string | undefined): string {
  const installed = PACKAGE.root.split(path.sep).includes('node_modules')
  const rel = (p: string): string => {
    const r = path.relative(process.cwd(), p)
    return r === '' || r.startsWith('..') ? p : r
  }
  const quote = (s: string): string => /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`
  const cli = installed ? 'npx oneapm-agent-log' : 'node dist/cli/main.js'
  const demo = installed ? `${cli} demo` : 'npm run demo'
  const config = userConfig === undefined ? '' : ` --config ${quote(rel(userConfig))}`
  // The example config names a relative log_file; doctor must see the one the demo used.
  const logEnv = userConfig === undefined && logFileEnv !== undefined ? `ONEAPM_LOG_FILE=${quote(rel(logFileEnv))} ` : ''
  return `More detail: ONEAPM_LOG_LEVEL=debug ${demo}${config}\n` +
    `Check a config: ${logEnv}${cli} doctor --config ${quote(rel(configFile))}`
}

function levelOf (line: string): LevelName | undefined {
  if (line.startsWith('{')) {
    try {
      const level = (JSON.parse(line) as { level?: unknown }).level
      return typeof level === 'string' && (LEVEL_NAMES as readonly string[]).includes(level) ? level as LevelName : undefined
    } catch {
      return undefined
    }
  }
  const m = TEXT_LEVEL.exec(line)
  return m === null ? undefined : (m[1] as string).toLowerCase() as LevelName
}
