#!/usr/bin/env node
// oneapm-agent-log: doctor, demo, debug and bundle. Exit 2 for anything it does not understand.

import { PACKAGE } from '../index'
import { UsageError } from './args'
import { BUNDLE_HELP, runBundle } from './bundle'
import { DEBUG_HELP, runDebug } from './debug'
import { DEMO_HELP, runDemo } from './demo'
import { DOCTOR_HELP, runDoctor } from './doctor'
import { REPORT_HELP, runReport } from './report'
import { SUMMARY_HELP, runSummary } from './summary'
import { TAIL_HELP, runTail } from './tail'

const HELP = `Usage: oneapm-agent-log <command> [options]

Commands:
  doctor   show the effective log config, check the destination, list what to fix
  demo     run a small host app with the agent logger embedded and show its log
  debug    start, stop or show a debug session in every process of the app (start|stop|status)
  bundle   write a redacted support bundle (.tar.gz) to send to OneAPM support; never uploads
  summary  what the log shows: collector timeline, errors, findings with fixes
  tail     the log's records in time order across rotated files; -f follows
  report   the summary as one offline HTML file: charts, a filterable events table

Options:
  -h, --help     help (also: oneapm-agent-log <command> --help)
  -v, --version  print the version

${DOCTOR_HELP.split('\n')[0] ?? ''}
${DEMO_HELP.split('\n')[0] ?? ''}
${DEBUG_HELP.split('\n')[0] ?? ''}
${BUNDLE_HELP.split('\n')[0] ?? ''}
${SUMMARY_HELP.split('\n')[0] ?? ''}
${TAIL_HELP.split('\n')[0] ?? ''}
${REPORT_HELP.split('\n')[0] ?? ''}`

/** A command returns its exit status, or a promise of it (network probes, archives, following a file). */
export type Command = (argv: string[], out: (s: string) => void, err: (s: string) => void) => number | Promise<number>

const COMMANDS: Readonly<Record<string, Command>> = {
  doctor: runDoctor,
  demo: runDemo,
  // debug start --wait makes the bundle once the session has ended.
  debug: (argv, out, err) => runDebug(argv, out, err, { afterWait: async (file, o, e) => await runBundle(file === undefined ? [] : ['--config', file], o, e) }),
  bundle: runBundle,
  summary: runSummary,
  tail: runTail,
  report: runReport
}

export async function main (argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    out(HELP + '\n')
    return command === undefined ? 2 : 0
  }
  if (command === '-v' || command === '--version') {
    out(`${PACKAGE.version}\n`)
    return 0
  }
  const run = COMMANDS[command]
  if (run === undefined) {
    err(`oneapm-agent-log: unknown command "${command}"\n\n${HELP}\n`)
    return 2
  }
  try {
    return await run(rest, out, err)
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
