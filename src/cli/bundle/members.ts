// The bundle's fixed members: each is built here as plain data, and run.ts
// redacts it (every string, every secret-named key) and writes it as JSON
// or text. Members that need the selected logs (a summary, a report) go in
// MEMBERS too: this list is the one place a member is added.
//
// summary.txt and report.html render the one Summary the context builds
// (bundle/summary.ts), redacted before it is rendered. report.html is HTML
// with uPlot's minified script inlined: redacting it line by line could
// corrupt the script, so it is written as rendered, and the read-back scan
// checks all of it but a byte-identical copy of the shipped uPlot script.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PACKAGE, SETTING_KEYS, describeSource, displaySetting, type AgentConfig } from '../../index'
import { diagnose } from '../doctor'
import type { Summary } from '../logs/model'
import { summaryText } from '../logs/summary-text'
import { loadAssets } from '../report/assets'
import { renderReport } from '../report/render'
import type { Source } from './sources'

export interface MemberContext {
  readonly config: AgentConfig
  /** The log and debug files the bundle takes (logs/, debug/), newest first. */
  readonly sources: readonly Source[]
  readonly now: number
  readonly sinceMs: number
  /** An environment variable's value, redacted by its name (a secret name masks it whole; a proxy's userinfo is masked). */
  readonly redactEnv: (name: string, value: string) => string
  /** A string redacted as a line of `member`. */
  readonly redactText: (member: string, value: string) => string
  /** The summary of logs/ over --since, every string redacted; built on first call, then shared. */
  readonly summary: () => Promise<Summary>
}

/**
 * JSON data; text (written line by line, each line redacted); or HTML
 * rendered from redacted data only, written as it is (the read-back scan
 * checks it, see run.ts).
 */
export type Built = { readonly json: unknown } | { readonly text: string } | { readonly html: string }

export interface MemberSource {
  /** Its name in the archive. */
  readonly name: string
  /** The largest part of --max-size it may take, else it is left out (and the manifest says so): logs/ come first. */
  readonly share?: number
  build (ctx: MemberContext): Promise<Built>
}

/** Written in this order after manifest.json; logs/ and debug/ follow, then redaction-report.json. */
export const MEMBERS: readonly MemberSource[] = [
  { name: 'config.json', build: async (ctx) => ({ json: configMember(ctx.config) }) },
  { name: 'doctor.json', build: async (ctx) => ({ json: diagnose(ctx.config) }) },
  { name: 'environment.json', build: async (ctx) => ({ json: environmentMember(process.env, ctx.redactEnv) }) },
  { name: 'summary.txt', share: 1 / 16, build: async (ctx) => ({ text: summaryText(await ctx.summary()) }) },
  {
    name: 'report.html',
    share: 1 / 4,
    build: async (ctx) => {
      const inputs = ctx.sources.filter((s) => s.member.startsWith('logs/')).map((s) => ctx.redactText('report.html', s.path))
      return { html: renderReport(await ctx.summary(), { generated: ctx.now, version: PACKAGE.version, inputs }, loadAssets()) }
    }
  }
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
