// `oneapm-agent-log demo`: runs the demo host app (demo-app.ts) in its own
// process with the agent logger embedded, then reads back the agent log it
// wrote and prints where it went and how many records of each level.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { LEVEL_NAMES, PACKAGE, loadConfig, type LevelName } from '../index'
import { parse } from './args'

export const DEMO_HELP = `Usage: oneapm-agent-log demo [--config FILE]

Runs a small host app with the OneAPM agent logger embedded for a few
seconds (a collector on loopback, harvests, an outage, a connection error),
then prints where its log went and a count of records per level.

  --config FILE   agent config file (default: agent.config.example from this package)
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
  const cfg = loadConfig({ file: configFile })
  const target = cfg.settings.log_file
  const toFile = target !== 'stderr' && target !== 'stdout'
  const before = toFile && fs.existsSync(target) ? fs.statSync(target).size : 0

  out(`Running the demo host app with ${configFile}\n`)
  const started = Date.now()
  const child = spawnSync(process.execPath, [path.join(__dirname, 'demo-app.js'), configFile], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
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
  out(`\nMore detail: ONEAPM_LOG_LEVEL=debug npm run demo    Check a config: npx oneapm-agent-log doctor --config ${path.relative(process.cwd(), configFile) || configFile}\n`)
  return child.status === 0 ? 0 : 1
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
