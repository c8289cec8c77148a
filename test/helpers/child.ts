// Runs a short script in a real child process with the compiled library
// available as `lib`, for exit, stdio and crash behaviour.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { LIB } from './tmp'

export interface RunOptions {
  readonly env?: Record<string, string | undefined>
  readonly cwd?: string
  readonly timeout?: number
}

function program (body: string): string {
  return `const lib = require(${JSON.stringify(LIB)});\n${body}`
}

export function runScript (body: string, options: RunOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['-e', program(body)], {
    encoding: 'utf8',
    env: { ...cleanEnv(), ...options.env },
    cwd: options.cwd,
    timeout: options.timeout ?? 30_000,
    maxBuffer: 64 * 1024 * 1024
  })
}

/** Runs `body` with its stdout piped into `sh -c shell` (e.g. "head -1"). */
export function runPiped (body: string, shell: string, options: RunOptions = {}): Promise<{ status: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `"$NODE" -e "$PROGRAM" | ${shell}`], {
      env: { ...cleanEnv(), ...options.env, NODE: process.execPath, PROGRAM: program(body) }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('close', (status) => { resolve({ status, stdout, stderr }) })
  })
}

/** The environment without ONEAPM_* and DEBUG, so the machine's settings don't leak into tests. */
export function cleanEnv (): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('ONEAPM_') && k !== 'DEBUG' && !k.startsWith('NODE_TEST')) env[k] = v
  }
  return env
}
