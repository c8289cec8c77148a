// Real processes for debug-session tests: apps that share one config and log
// collector and instrumentation records at debug and info until told to
// stop, and what they wrote (JSON layout), parsed.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { main } from '../../src/cli/main'
import { cleanEnv } from './child'
import { LIB, tmpDir } from './tmp'

export interface Line {
  readonly time: string
  readonly level: string
  readonly name: string
  readonly pid: number
  readonly msg: string
  readonly event?: string
  readonly debug_session?: string
  readonly end_reason?: string
  readonly recorded?: boolean
  readonly [k: string]: unknown
}

export interface Setup {
  readonly dir: string
  readonly config: string
  readonly log: string
}

/** A temp dir with an agent.config: json layout, log_file in the dir (or `logFile`). */
export function setup (extra = '', logFile?: string): Setup {
  const dir = tmpDir('oneapm-debug-')
  const log = logFile ?? path.join(dir, 'agent.log')
  const config = path.join(dir, 'agent.config')
  fs.writeFileSync(config, `[oneapm]\nlog_file = ${log}\nlog_format = json\n${extra}`)
  return { dir, config, log }
}

/**
 * The app's program: a logger from `config` (poll interval `pollMs`, the
 * real one when undefined), a collector and an instrumentation debug record
 * and a collector info record every 20 ms, for `runMs`; prints `ready <pid>`.
 * With `workers`, a cluster primary that forks that many workers running it.
 */
export function appProgram (config: string, runMs: number, pollMs?: number, workers = 0, perTick = 1): string {
  const hooks = pollMs === undefined ? '{}' : `{ debugPollMs: ${pollMs} }`
  const app = `
    const lib = require(${JSON.stringify(LIB)})
    const log = lib.createLogger(lib.loadConfig({ file: ${JSON.stringify(config)} }), { hooks: ${hooks} })
    const c = log.child('collector'), h = log.child('collector.http'), i = log.child('instrumentation')
    let n = 0
    const t = setInterval(() => { for (let k = 1; k < ${perTick}; k++) c.debug('collector burst %d', k); c.debug('collector debug %d', n); h.trace('collector trace %d', n); i.debug('instrumentation debug %d', n); if (n % 10 === 0) c.info('collector info %d', n); n++ }, 20)
    process.stdout.write('ready ' + process.pid + '\\n')
    setTimeout(() => { clearInterval(t); if (process.send !== undefined) process.disconnect() }, ${runMs})`
  if (workers === 0) return app
  return `const cluster = require('node:cluster')
    if (cluster.isPrimary) { for (let k = 0; k < ${workers}; k++) cluster.fork() } else { ${app} }`
}

export interface App {
  readonly child: ChildProcess
  /** Resolves with the pids that said ready (one, or each worker). */
  readonly ready: Promise<number[]>
  readonly exited: Promise<number | null>
}

let apps = 0

/** Runs `program` from a file in `dir` (cluster workers re-run the file); `expect` pids say ready. */
export function startApp (dir: string, program: string, expect = 1): App {
  const file = path.join(dir, `app-${apps++}.js`)
  fs.writeFileSync(file, program)
  const child = spawn(process.execPath, [file], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const ready = new Promise<number[]>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const pids = [...out.matchAll(/ready (\d+)/g)].map((m) => Number(m[1]))
      if (pids.length >= expect) resolve(pids)
    })
    child.on('exit', () => { reject(new Error(`app exited before ready: ${out}\n${err}`)) })
  })
  child.stderr?.on('data', (d: Buffer) => { err += d.toString() })
  const exited = new Promise<number | null>((resolve) => { child.on('exit', (code) => { resolve(code) }) })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 60_000)
  void exited.then(() => { clearTimeout(timer) })
  return { child, ready, exited }
}

/** `oneapm-agent-log ...` in this process: status and what it printed. */
export async function cli (args: string[]): Promise<{ status: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const status = await main(args, (s) => { out += s }, (s) => { err += s })
  return { status, out, err }
}

export function lines (file: string): Line[] {
  if (!fs.existsSync(file)) return []
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line)
}

export function sessionFile (dir: string, pid: number): string {
  return path.join(dir, `oneapm-debug-${pid}.log`)
}

export function sessionIdOf (out: string): string {
  const m = /debug session (\S+) started/.exec(out)
  if (m === null) throw new Error(`no session id in: ${out}`)
  return m[1] as string
}

export const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
