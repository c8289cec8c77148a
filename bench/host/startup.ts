// Start-up figures of `npm run bench:host` (item 2 of issue 8), each in a
// fresh process: what require() of the package costs in time and RSS against
// pino (and bunyan), and how long createLogger() takes to get its first
// record on disk. Runs are interleaved: run 1 of every figure, then run 2, ...

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

export const REQUIRED = ['oneapm-agent-log', 'pino', 'bunyan'] as const
export type Required = typeof REQUIRED[number]

export interface StartupRuns {
  /** Per package: ms around require(), and RSS after minus before, MB; one entry a run. */
  readonly requireMs: Readonly<Record<Required, number[]>>
  readonly requireRssMb: Readonly<Record<Required, number[]>>
  /** ms from calling createLogger() to it returning, and to its first record being in the file. */
  readonly createMs: number[]
  readonly firstRecordMs: number[]
  /** import() of dist/index.mjs, once: whether createLogger came through, and its ms. */
  readonly esm: { readonly ok: boolean, readonly ms: number, readonly detail: string }
  readonly problems: string[]
}

const REQUIRE = `
const target = process.argv[1]
const rss0 = process.memoryUsage.rss()
const t0 = process.hrtime.bigint()
require(target)
const t1 = process.hrtime.bigint()
const rss1 = process.memoryUsage.rss()
process.stdout.write(JSON.stringify({ ms: Number(t1 - t0) / 1e6, rss: rss1 - rss0 }))
`

// Polls on setImmediate, so the logger's own deferred writes (if any) get their turns.
const FIRST_RECORD = `
const lib = require(process.argv[1])
const fs = require('node:fs')
const file = process.argv[2]
const text = 'first record 7f3a9c'
const t0 = process.hrtime.bigint()
const log = lib.createLogger({ log_file: file })
const t1 = process.hrtime.bigint()
log.info('first record %s', '7f3a9c')
const give = Date.now() + 10000
const check = () => {
  let now = ''
  try { now = fs.readFileSync(file, 'latin1') } catch {}
  if (now.includes(text)) {
    const t2 = process.hrtime.bigint()
    process.stdout.write(JSON.stringify({ createMs: Number(t1 - t0) / 1e6, firstMs: Number(t2 - t0) / 1e6 }))
  } else if (Date.now() > give) {
    process.stdout.write(JSON.stringify({ error: 'the first record was not in the file after 10 s' }))
  } else setImmediate(check)
}
check()
`

const ESM = `
const t0 = process.hrtime.bigint()
const m = await import(process.argv[1])
const t1 = process.hrtime.bigint()
process.stdout.write(JSON.stringify({ ms: Number(t1 - t0) / 1e6, named: typeof m.createLogger, viaDefault: typeof m.default.createLogger }))
`

function run (args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 30_000 })
  if (r.status !== 0) throw new Error(`${args.slice(0, 2).join(' ').slice(0, 60)}...: exited with ${r.status ?? r.signal ?? '?'}: ${r.stderr.slice(0, 300)}`)
  return JSON.parse(r.stdout) as Record<string, unknown>
}

/**
 * `runs` interleaved runs of each figure. `root` holds the package as built
 * (dist/, package.json, node_modules); `tmp` is where first-record logs go.
 */
export function measureStartup (runs: number, root: string, tmp: string, env: NodeJS.ProcessEnv): StartupRuns {
  const targets: Record<Required, string> = {
    'oneapm-agent-log': path.join(root, 'dist', 'index.js'),
    pino: require.resolve('pino', { paths: [root] }),
    bunyan: require.resolve('bunyan', { paths: [root] })
  }
  const requireMs = { 'oneapm-agent-log': [], pino: [], bunyan: [] } as Record<Required, number[]>
  const requireRssMb = { 'oneapm-agent-log': [], pino: [], bunyan: [] } as Record<Required, number[]>
  const createMs: number[] = []
  const firstRecordMs: number[] = []
  const problems: string[] = []
  for (let i = 0; i < runs; i++) {
    // The order rotates, so no package always runs first after the previous figure.
    for (let k = 0; k < REQUIRED.length; k++) {
      const name = REQUIRED[(k + i) % REQUIRED.length] as Required
      try {
        const r = run(['-e', REQUIRE, targets[name]], root, env)
        requireMs[name].push(r.ms as number)
        requireRssMb[name].push((r.rss as number) / (1024 * 1024))
      } catch (err) {
        problems.push(`require(${name}), run ${i + 1}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const dir = fs.mkdtempSync(path.join(tmp, 'first-record-'))
    try {
      const r = run(['-e', FIRST_RECORD, targets['oneapm-agent-log'], path.join(dir, 'agent.log')], root, env)
      if (typeof r.error === 'string') problems.push(`first record, run ${i + 1}: ${r.error}`)
      else {
        createMs.push(r.createMs as number)
        firstRecordMs.push(r.firstMs as number)
      }
    } catch (err) {
      problems.push(`first record, run ${i + 1}: ${err instanceof Error ? err.message : String(err)}`)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  let esm = { ok: false, ms: NaN, detail: '' }
  try {
    const r = run(['--input-type=module', '-e', ESM, pathToFileURL(path.join(root, 'dist', 'index.mjs')).href], root, env)
    const ok = r.named === 'function' && r.viaDefault === 'function'
    esm = { ok, ms: r.ms as number, detail: ok ? 'createLogger exported, named and on the default export' : `createLogger: named ${String(r.named)}, default ${String(r.viaDefault)}` }
    if (!ok) problems.push(`import() of dist/index.mjs: ${esm.detail}`)
  } catch (err) {
    esm = { ok: false, ms: NaN, detail: err instanceof Error ? err.message : String(err) }
    problems.push(`import() of dist/index.mjs: ${esm.detail}`)
  }
  return { requireMs, requireRssMb, createMs, firstRecordMs, esm, problems }
}
