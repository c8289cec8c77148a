// The bundle's fixed members: each is built here as plain data, and run.ts
// redacts it (every string, every secret-named key) and writes it as JSON
// or text. Members that need the selected logs (a summary, a report) go in
// MEMBERS too: this list is the one place a member is added.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PACKAGE, SETTING_KEYS, describeSource, displaySetting, type AgentConfig } from '../../index'
import { diagnose } from '../doctor'
import type { Source } from './sources'

export interface MemberContext {
  readonly config: AgentConfig
  /** The log and debug files the bundle takes (logs/, debug/), newest first. */
  readonly sources: readonly Source[]
  readonly now: number
  readonly sinceMs: number
  /** An environment variable's value, redacted by its name (a secret name masks it whole; a proxy's userinfo is masked). */
  readonly redactEnv: (name: string, value: string) => string
}

export interface MemberSource {
  /** Its name in the archive. */
  readonly name: string
  /** JSON data, or text (written line by line, each line redacted). */
  build (ctx: MemberContext): { readonly json: unknown } | { readonly text: string }
}

/** Written in this order after manifest.json; logs/ and debug/ follow, then redaction-report.json. */
export const MEMBERS: readonly MemberSource[] = [
  { name: 'config.json', build: (ctx) => ({ json: configMember(ctx.config) }) },
  { name: 'doctor.json', build: (ctx) => ({ json: diagnose(ctx.config) }) },
  { name: 'environment.json', build: (ctx) => ({ json: environmentMember(process.env, ctx.redactEnv) }) }
]

/** Every setting with its value (as doctor shows it) and where it came from; other keys; problems. */
function configMember (cfg: AgentConfig): unknown {
  const settings: Record<string, unknown> = {}
  for (const key of SETTING_KEYS) {
    const e = cfg.entries[key]
    settings[key] = { value: displaySetting(key, e.value, (v) => v), given: e.given, source: describeSource(e.source) }
  }
  const unknown: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(cfg.unknown)) unknown[k] = { value: v.value, source: describeSource(v.source) }
  return {
    file: cfg.file ?? null,
    environment: cfg.environment ?? null,
    settings,
    unknown_keys: unknown,
    problems: cfg.problems.map((p) => ({ code: p.code, key: p.key, message: p.message }))
  }
}

/** Environment variables support may see: the agent's own, NODE_OPTIONS, and proxies. */
export function allowedEnv (name: string): boolean {
  return name.startsWith('ONEAPM_') || name === 'NODE_OPTIONS' || name.toUpperCase().endsWith('_PROXY')
}

function environmentMember (env: NodeJS.ProcessEnv, redact: (name: string, value: string) => string): unknown {
  const cpus = os.cpus()
  const vars: Record<string, string> = {}
  for (const name of Object.keys(env).filter(allowedEnv).sort()) vars[name] = redact(name, env[name] ?? '')
  return {
    node: { version: process.version, versions: { v8: process.versions.v8, uv: process.versions.uv, openssl: process.versions.openssl } },
    os: { platform: process.platform, arch: process.arch, type: os.type(), release: os.release() },
    cpu: { model: cpus[0]?.model ?? 'unknown', count: cpus.length },
    memory: { total: os.totalmem(), free: os.freemem() },
    packages: packageVersions(),
    env: vars
  }
}

/** This package and each of its dependencies, with the version installed. */
function packageVersions (): Record<string, string> {
  const out: Record<string, string> = { [PACKAGE.name]: PACKAGE.version }
  let deps: Record<string, string> = {}
  try {
    deps = (JSON.parse(fs.readFileSync(path.join(PACKAGE.root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {}
  } catch {
    return out
  }
  for (const name of Object.keys(deps)) out[name] = installedVersion(name) ?? `not found (wants ${String(deps[name])})`
  return out
}

function installedVersion (name: string): string | undefined {
  let dir = PACKAGE.root
  for (let i = 0; i < 8; i++) {
    try {
      return String((JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown }).version)
    } catch {
      const up = path.dirname(dir)
      if (up === dir) break
      dir = up
    }
  }
  return undefined
}
