// Support-bundle test fixtures: a config with planted secrets, a log dir,
// and a bundle run in-process with its output, members read back.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { execFileSync } from 'node:child_process'
import { bundle, type BundleHooks } from '../../src/cli/bundle/run'
import { tmpDir } from './tmp'

export const KEY = 'Ab12Cd34Ef56Gh78Ij90Kl12Mn34'
export const PROXY_PW = 'Pr0xyPassw0rdZ'
export const BEARER = 'eyZtokenValue0123456789abcdef'

export interface Fixture {
  readonly dir: string
  readonly logs: string
  readonly out: string
  readonly config: string
  readonly log: string
}

/** A config (license key, proxy with password) and an empty log dir and out dir. */
export function fixture (extra = ''): Fixture {
  const dir = tmpDir('oneapm-bundle-')
  const logs = path.join(dir, 'logs')
  const out = path.join(dir, 'out')
  fs.mkdirSync(logs)
  fs.mkdirSync(out)
  const log = path.join(logs, 'agent.log')
  const config = path.join(dir, 'agent.config')
  fs.writeFileSync(config, `[oneapm]\nlicense_key = ${KEY}\nproxy = http://bob:${PROXY_PW}@proxy.example:3128\nlog_file = ${log}\n${extra}`)
  return { dir, logs, out, config, log }
}

/** Lines holding each secret, as an old logger (before redaction existed) would have written them. */
export function plantedLines (): string[] {
  return [
    `2026-01-01T00:00:00.000Z INFO (123/main) oneapm.collector: connecting with license ${KEY.toUpperCase()}`,
    `2026-01-01T00:00:01.000Z INFO (123/main) oneapm.collector: proxy http://bob:${PROXY_PW}@proxy.example:3128 ok`,
    `2026-01-01T00:00:02.000Z DEBUG (123/main) oneapm.http: request headers {"Authorization":"Bearer ${BEARER}"}`,
    `2026-01-01T00:00:03.000Z DEBUG (123/main) oneapm.http: Authorization: Bearer ${BEARER}`,
    `2026-01-01T00:00:04.000Z DEBUG (123/main) oneapm.http: license_key=${KEY.toLowerCase()} retry`
  ]
}

export function writeGz (file: string, text: string): void {
  fs.writeFileSync(file, zlib.gzipSync(text))
}

export interface Run {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
  readonly archive: string | undefined
}

export async function runBundleIn (argv: string[], hooks: BundleHooks = {}): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const status = await bundle(argv, (s) => { stdout += s }, (s) => { stderr += s }, hooks)
  const m = /^Wrote (.+\.tar\.gz) \(/m.exec(stdout)
  return { status, stdout, stderr, archive: m?.[1] }
}

/** Every member of a .tar.gz: name → content (system tar, independent of node-tar). */
export function members (archive: string): Map<string, string> {
  const dir = tmpDir('oneapm-bundle-x-')
  execFileSync('tar', ['xzf', archive, '-C', dir])
  const out = new Map<string, string>()
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f)
    if (fs.statSync(p).isFile()) out.set(f.split(path.sep).join('/'), fs.readFileSync(p, 'utf8'))
  }
  return out
}

/** Whether `text` holds `secret`, in any letter case. */
export function holds (text: string, secret: string): boolean {
  return text.toLowerCase().includes(secret.toLowerCase())
}
