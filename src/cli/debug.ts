// `oneapm-agent-log debug start|stop|status`: a debug session in every
// process of the app that shares this config, through the control file in
// log_debug_dir (docs/support.md). No signals are sent: a pid's liveness is
// only read (kill(pid, 0)).

import path from 'node:path'
import { DEBUG_POLL_MS, Redactor, checkDebugRequest, configRedactor, debugDirOf, debugProcesses, debugSessionStates, loadConfig, readDebugSession, stopDebugSession, writeDebugSession, type AgentConfig, type ProcessState, type SessionSpec } from '../index'
import { UsageError, parse } from './args'

export const DEBUG_HELP = `Usage: oneapm-agent-log debug start|stop|status [options]

Runs a debug session in every process of the app that uses this config: each
process checks the control file in log_debug_dir every 2 s, joins within a few
seconds, writes the session's records to its own oneapm-debug-<pid>.log (or to
stderr/stdout when log_file is a stream) and leaves when the session expires,
is stopped or reaches its byte budget. The main log keeps its level.

  debug start [--config FILE] [--for 10m] [--level debug|trace]
              [--only collector,instrumentation.http] [--max-size 16MB]
              [--reason TEXT] [--wait]
      --for        how long, 1s to 24h (default 10m)
      --level      debug (default) or trace
      --only       component prefixes (leave it out for every component)
      --max-size   per-process byte budget, 64KB to 1GB (default 16MB)
      --reason     why, shown in every process's log (e.g. a case number), redacted
      --wait       keep running until the session ends, then print what each process wrote
  debug stop [--config FILE]            end the session now
  debug status [--config FILE] [--json] the session and every process that joined it

Exit status: 0 done, 1 nothing to stop or the control file cannot be used, 2 usage error.`

export interface DebugHooks {
  /**
   * Runs after \`start --wait\` has printed the per-process results, with the
   * config file given (if any); its status is the command's. The support
   * bundle is made here.
   */
  readonly afterWait?: (configFile: string | undefined, out: (s: string) => void, err: (s: string) => void) => number | Promise<number>
  /** How often --wait looks at the files (tests). */
  readonly waitPollMs?: number
}

type Out = (s: string) => void

export async function runDebug (argv: string[], out: Out, err: Out, hooks: DebugHooks = {}): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    out(DEBUG_HELP + '\n')
    return sub === undefined ? 2 : 0
  }
  switch (sub) {
    case 'start': return await start(rest, out, err, hooks)
    case 'stop': return stop(rest, out, err)
    case 'status': return status(rest, out)
    default: throw new UsageError(`unknown subcommand "${sub}": start, stop or status`)
  }
}

function configOf (file: string | undefined): AgentConfig {
  return loadConfig(file === undefined ? {} : { file })
}

/**
 * The redaction a session's reason gets: the main log's free-text rules with
 * the configured license key and log_redact names, then the config's known
 * secrets (proxy password...). Applied once before the control file is
 * written, and again to whatever a control file holds before it is shown.
 */
function reasonRedactor (cfg: AgentConfig): (s: string) => string {
  const known = configRedactor(cfg)
  const rules = new Redactor({ licenseKey: cfg.settings.license_key, extraNames: cfg.settings.log_redact })
  return (s) => known.text(rules.text(s))
}

async function start (argv: string[], out: Out, err: Out, hooks: DebugHooks): Promise<number> {
  const f = parse(argv, {
    config: { type: 'string' },
    for: { type: 'string' },
    level: { type: 'string' },
    only: { type: 'string' },
    'max-size': { type: 'string' },
    reason: { type: 'string' },
    wait: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  })
  if (f.help === true) {
    out(DEBUG_HELP + '\n')
    return 0
  }
  const checked = checkDebugRequest({ level: f.level, only: f.only, for: f.for, maxSize: f['max-size'], reason: f.reason })
  if (!checked.ok) throw new UsageError(checked.problem.replace(/^(for|level|only|max-size|reason)\b/, '--$1'))
  const cfg = configOf(f.config)
  const dir = path.resolve(debugDirOf(cfg))
  const written = writeDebugSession(dir, { level: f.level, only: f.only, for: f.for, maxSize: f['max-size'], reason: f.reason }, reasonRedactor(cfg))
  const say = (s: string): void => { out(configRedactor(cfg).final(s)) }
  if ('error' in written) {
    err(`oneapm-agent-log debug start: ${written.error}\n`)
    return 1
  }
  const spec = written.spec
  const logFile = cfg.settings.log_file
  const where = logFile === 'stderr' || logFile === 'stdout'
    ? `each process's ${logFile} (log_file), each record marked debug_session=${spec.id}`
    : `${path.join(dir, 'oneapm-debug-<pid>.log')}, one file per process`
  say(`debug session ${spec.id} started\n` +
    `  level      ${spec.level}\n` +
    `  components ${spec.only.length === 0 ? 'all' : spec.only.join(', ')}\n` +
    `  expires    ${new Date(spec.expires).toISOString()} (in ${Math.round((spec.expires - spec.started) / 1000)} s)\n` +
    `  budget     ${spec.maxSize} bytes per process\n` +
    (spec.reason === '' ? '' : `  reason     ${spec.reason}\n`) +
    `  output     ${where}\n` +
    `  control    ${dir}\n` +
    `Every process using this config joins within ${DEBUG_POLL_MS / 1000} s; see them with: oneapm-agent-log debug status${configFlag(f.config)}\n` +
    `Stop early with: oneapm-agent-log debug stop${configFlag(f.config)}\n`)
  if (f.wait !== true) return 0
  const ended = await waitForEnd(dir, spec, hooks.waitPollMs ?? 500)
  say(`debug session ${spec.id} ended (${ended})\n` + table(debugProcesses(dir, spec.id)))
  return hooks.afterWait === undefined ? 0 : await hooks.afterWait(f.config, out, err)
}

function configFlag (file: string | undefined): string {
  return file === undefined ? '' : ` --config ${JSON.stringify(file)}`
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Until the session ends (expired, stopped, replaced, file gone), then until each joined process has said so, or a bound passes. */
async function waitForEnd (dir: string, spec: SessionSpec, pollMs: number): Promise<string> {
  let how = 'expired'
  for (;;) {
    const cur = readDebugSession(dir)
    if (!('spec' in cur)) { how = 'stopped: the control file is gone or unreadable'; break }
    if (cur.spec.id !== spec.id) { how = `replaced by ${cur.spec.id}`; break }
    if (cur.spec.state === 'stopped') { how = 'stopped'; break }
    if (Date.now() >= spec.expires) break
    await sleep(Math.min(pollMs, Math.max(10, spec.expires - Date.now())))
  }
  // A process notices at its next poll; one that died never will.
  const until = Date.now() + 2 * DEBUG_POLL_MS + 1000
  while (Date.now() < until) {
    const open = debugProcesses(dir, spec.id).filter((p) => p.state === 'active' && alive(p.pid))
    if (open.length === 0) break
    await sleep(pollMs)
  }
  return how
}

function stop (argv: string[], out: Out, err: Out): number {
  const f = parse(argv, { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } })
  if (f.help === true) {
    out(DEBUG_HELP + '\n')
    return 0
  }
  const cfg = configOf(f.config)
  const dir = path.resolve(debugDirOf(cfg))
  const r = stopDebugSession(dir)
  if ('error' in r || 'problem' in r) {
    err(`oneapm-agent-log debug stop: ${'error' in r ? r.error : r.problem}\n`)
    return 1
  }
  if ('missing' in r) {
    err(`oneapm-agent-log debug stop: no debug session in ${dir}\n`)
    return 1
  }
  const already = !r.stopped
  out(configRedactor(cfg).final(already
    ? `debug session ${r.spec.id} had already ended; nothing to stop\n`
    : `debug session ${r.spec.id} stopped; every process leaves it within ${DEBUG_POLL_MS / 1000} s\n`))
  return already ? 1 : 0
}

function status (argv: string[], out: Out): number {
  const f = parse(argv, { config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } })
  if (f.help === true) {
    out(DEBUG_HELP + '\n')
    return 0
  }
  const cfg = configOf(f.config)
  const dir = path.resolve(debugDirOf(cfg))
  const cur = readDebugSession(dir)
  const now = Date.now()
  const spec = 'spec' in cur ? cur.spec : undefined
  const state = spec === undefined ? 'none' : spec.state === 'stopped' ? 'stopped' : now >= spec.expires ? 'expired' : 'active'
  // State files of other sessions whose process is gone are removed here (ours only); '' matches no session.
  const states = debugSessionStates(dir, spec?.id ?? '', alive)
  const mine = states.processes.map((p) => ({ ...p, alive: alive(p.pid) }))
  const reason = spec === undefined ? '' : reasonRedactor(cfg)(spec.reason)
  const say = (s: string): void => { out(configRedactor(cfg).final(s)) }
  if (f.json === true) {
    say(JSON.stringify({
      dir,
      session: spec === undefined ? null : { id: spec.id, state, level: spec.level, only: spec.only, reason, started: new Date(spec.started).toISOString(), expires: new Date(spec.expires).toISOString(), max_size: spec.maxSize },
      problem: 'problem' in cur ? cur.problem : null,
      processes: mine,
      other_processes: states.others,
      removed_state_files: states.removed
    }, null, 2) + '\n')
    return 0
  }
  let text = `debug dir  ${dir}\n`
  if ('problem' in cur) text += `control    ${cur.problem}\n`
  if (spec === undefined) {
    text += 'session    none\n'
  } else {
    text += `session    ${spec.id} (${state}), ${spec.level} of ${spec.only.length === 0 ? 'all components' : spec.only.join(', ')}, expires ${new Date(spec.expires).toISOString()}` +
      (reason === '' ? '' : `, reason: ${reason}`) + '\n'
    text += mine.length === 0 ? 'processes  none joined yet\n' : table(mine)
  }
  if (states.others > 0) text += `(${states.others} state files of earlier sessions${states.removed > 0 ? `; ${states.removed} of processes that are gone removed` : ''})\n`
  say(text)
  return 0
}

function table (procs: ReadonlyArray<ProcessState>): string {
  if (procs.length === 0) return 'no process joined this session\n'
  const rows = procs.map((p) => [String(p.pid), p.since, p.state + (p.end_reason === undefined ? '' : ` (${p.end_reason})`) + (p.state === 'active' && !alive(p.pid) ? ' (gone)' : ''), String(p.records), String(p.bytes), String(p.dropped), p.file])
  const head = ['pid', 'since', 'state', 'records', 'bytes', 'dropped', 'file']
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: readonly string[]): string => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(width[i] ?? 0)).join('  ') + '\n'
  return line(head) + rows.map(line).join('')
}

/** Whether `pid` is running: signal 0 only checks, it sends nothing. */
function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
