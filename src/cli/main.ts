#!/usr/bin/env node
// oneapm-agent-log: doctor, demo, debug, bundle, summary, tail, report. Exit 2 for anything it does not understand.

import { UsageError } from './args'
import { HELP } from './help'

/** A command returns its exit status, or a promise of it (network probes, archives, following a file). */
export type Command = (argv: string[], out: (s: string) => void, err: (s: string) => void) => number | Promise<number>

// Each command's module (and through it the library, node-tar, the report's
// assets) is required only when that command runs: requiring all of them
// cost about 0.3 s before any command started, and `summary --since` on a
// large log is meant to answer in under a second.
const COMMANDS: Readonly<Record<string, () => Command>> = {
  doctor: () => (require('./doctor') as typeof import('./doctor')).runDoctor,
  demo: () => (require('./demo') as typeof import('./demo')).runDemo,
  // debug start --wait makes the bundle once the session has ended.
  debug: () => (argv, out, err) => (require('./debug') as typeof import('./debug')).runDebug(argv, out, err, {
    afterWait: async (file, o, e) => await (require('./bundle') as typeof import('./bundle')).runBundle(file === undefined ? [] : ['--config', file], o, e)
  }),
  bundle: () => (require('./bundle') as typeof import('./bundle')).runBundle,
  summary: () => (require('./summary') as typeof import('./summary')).runSummary,
  tail: () => (require('./tail') as typeof import('./tail')).runTail,
  report: () => (require('./report') as typeof import('./report')).runReport
}

export async function main (argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    out(HELP + '\n')
    return command === undefined ? 2 : 0
  }
  if (command === '-v' || command === '--version') {
    out(`${(require('../index') as typeof import('../index')).PACKAGE.version}\n`)
    return 0
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  if (load === undefined) {
    err(`oneapm-agent-log: unknown command "${command}"\n\n${HELP}\n`)
    return 2
  }
  try {
    return await load()(rest, out, err)
  } catch (e) {
    if (e instanceof UsageError) {
      err(`oneapm-agent-log ${command}: ${e.message}\nSee: oneapm-agent-log ${command} --help\n`)
      return 2
    }
    throw e
  }
}

if (require.main === module) {
  // A reader that went away (`| head`): stop quietly, as other Unix tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') process.stderr.write(`oneapm-agent-log: stdout: ${e.message}\n`)
    process.exit(e.code === 'EPIPE' ? 0 : 74)
  })
  main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s)).then(
    (status) => { process.exitCode = status },
    (e: unknown) => {
      process.stderr.write(`oneapm-agent-log: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
      process.exitCode = 70
    })
}
