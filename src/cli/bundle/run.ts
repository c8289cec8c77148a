// `oneapm-agent-log bundle`: collect, redact, pack, read back, and only
// then put the archive under its name. Fails closed: a secret found in the
// read-back deletes the archive and exits 1, naming member and rule.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PACKAGE, loadConfig, type AgentConfig } from '../../index'
import { UsageError, parse } from '../args'
import type { Summary } from '../logs/model'
import { readAssets } from '../report/assets'
import { LINE_CAP, writeSource } from './cut'
import { parseSince, parseSize } from './flags'
import { MEMBERS, type MemberContext } from './members'
import { BundleRedactor } from './redact'
import { renderTable, type MemberRow } from './report'
import { REDACTION_RULES_VERSION, type ScanRule } from './rules'
import { MemberScan, TextScanner, scanReport } from './scan'
import { selectSources, type CollectError, type Source } from './sources'
import { redactedSummary } from './summary'
import { readArchive, writeArchive } from './tar'

export const BUNDLE_HELP = `Usage: oneapm-agent-log bundle [--config FILE] [--since 24h] [--out DIR] [--max-size 32MB]

Writes oneapm-support-<host>-<UTC time>.tar.gz for OneAPM support: the
effective config, doctor's report, the environment, the log's summary (as
text and as the offline HTML report), the log and its rotated files changed
within --since, and the debug session files. Every member is
redacted again; the archive is then read back and scanned, and deleted if any
secret is left in clear. Nothing is uploaded.

  --config FILE     agent config file (default: $ONEAPM_CONFIG_FILE, else ./agent.config)
  --since DURATION  rotated logs changed within this window (default 24h; e.g. 30m, 7d)
  --out DIR         where to write the archive (default: the current directory)
  --max-size SIZE   the archive's size, unpacked, at most (default 32MB; 256KB to 1GB)
  -h, --help        this help

Exit status: 0 written, 1 not written (a secret survived, or --out cannot be written), 2 usage error.`

export const BUNDLE_FORMAT = 1

/** Test hooks: a fault put in on purpose must be caught by the read-back scan alone. */
export interface BundleHooks {
  readonly redactLine?: (member: string, s: string, cut: boolean) => string
}

/** Tar's cost per member: a header, maybe a PAX header for a long name, padding. */
const PER_MEMBER = 3 * 1024
/** Room for manifest.json and redaction-report.json, written last. */
const LAST_MEMBERS = 64 * 1024
/** Each log's line in the manifest. */
const PER_SOURCE_IN_MANIFEST = 512
/** A log gets at least this much of --max-size, or is left out (oldest first). */
const MIN_SHARE = 16 * 1024
const MAX_ERRORS = 200

export async function bundle (argv: string[], out: (s: string) => void, err: (s: string) => void, hooks: BundleHooks = {}): Promise<number> {
  let flags
  let sinceMs: number
  let maxSize: number
  try {
    flags = parse(argv, {
      config: { type: 'string' },
      since: { type: 'string' },
      out: { type: 'string' },
      'max-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    })
    sinceMs = parseSince(flags.since ?? '24h')
    maxSize = parseSize(flags['max-size'] ?? '32MB')
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    err(`oneapm-agent-log bundle: ${e.message}\nSee: oneapm-agent-log bundle --help\n`)
    return 2
  }
  if (flags.help === true) {
    out(BUNDLE_HELP + '\n')
    return 0
  }
  const outDir = path.resolve(flags.out ?? process.cwd())
  let staging: string
  try {
    if (!fs.statSync(outDir).isDirectory()) {
      err(`oneapm-agent-log bundle: --out ${outDir} is not a directory\n`)
      return 1
    }
    staging = fs.mkdtempSync(path.join(outDir, '.oneapm-bundle-'))
  } catch (e) {
    err(`oneapm-agent-log bundle: cannot write to --out ${outDir} (${(e as NodeJS.ErrnoException).code ?? 'error'}: ${(e as Error).message}). Give a directory you can write with --out\n`)
    return 1
  }
  try {
    const cfg = loadConfig(flags.config === undefined ? {} : { file: flags.config })
    return await make({ cfg, sinceMs, maxSize, outDir, staging, hooks }, out, err)
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

interface Job {
  readonly cfg: AgentConfig
  readonly sinceMs: number
  readonly maxSize: number
  readonly outDir: string
  readonly staging: string
  readonly hooks: BundleHooks
}

async function make (job: Job, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { cfg, staging, maxSize } = job
  const started = Date.now()
  const redactor = new BundleRedactor(cfg)
  const redactLine = job.hooks.redactLine ?? ((member: string, s: string, cut: boolean) => redactor.text(member, s, cut))
  const errors: CollectError[] = []
  // Member names are content too: redacted like it (counted under their own heading).
  const sources = selectSources(cfg, started, job.sinceMs, errors, (s, cut) => redactor.text('(member names)', s, cut))
  const rows: MemberRow[] = []
  const write = (name: string, text: string): void => {
    const file = path.join(staging, name)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text, { flag: 'wx', mode: 0o600 })
    rows.push({ name, bytes: Buffer.byteLength(text), leftOut: 0 })
  }

  let summary: Promise<Summary> | undefined
  const ctx: MemberContext = {
    config: cfg,
    sources,
    now: started,
    sinceMs: job.sinceMs,
    redactEnv: (name, value) => redactor.env('environment.json', name, value),
    redactText: (member, value) => redactor.text(member, value),
    summary: async () => await (summary ??= redactedSummary(sources, started, job.sinceMs, redactor))
  }
  for (const m of MEMBERS) {
    try {
      const built = await m.build(ctx)
      const text = 'json' in built
        ? JSON.stringify(redactor.json(m.name, built.json), null, 2) + '\n'
        : 'text' in built ? built.text.split('\n').map((l) => redactLine(m.name, l, false)).join('\n') : built.html
      const bytes = Buffer.byteLength(text)
      if (m.share !== undefined && bytes + PER_MEMBER > m.share * maxSize) {
        errors.push({ path: m.name, code: 'EMAXSIZE', message: `left out: ${bytes} bytes, over its share of --max-size (${Math.floor(m.share * maxSize)} bytes); the logs come first` })
        continue
      }
      write(m.name, text)
    } catch (e) {
      errors.push({ path: m.name, code: (e as NodeJS.ErrnoException).code ?? 'ERROR', message: `member not written: ${(e as Error).message}` })
    }
  }

  // What is left of --max-size after the fixed members goes to the logs.
  const fixed = rows.reduce((n, r) => n + r.bytes + PER_MEMBER, 0)
  let room = maxSize - fixed - 2 * PER_MEMBER - LAST_MEMBERS - Math.ceil(maxSize / 1000) - 4096
  if (room < 0) {
    err(`oneapm-agent-log bundle: --max-size ${maxSize} bytes is too small for ${rows.map((r) => r.name).join(', ')} (${fixed} bytes); give more\n`)
    return 1
  }
  const taken: Source[] = []
  for (const s of [...sources].sort((a, b) => a.priority - b.priority)) {
    const cost = PER_MEMBER + PER_SOURCE_IN_MANIFEST
    if (room - cost < MIN_SHARE * (taken.length + 1)) {
      errors.push({ path: s.path, code: 'EMAXSIZE', message: 'left out: --max-size leaves no room for it (older files go first)' })
      continue
    }
    room -= cost
    taken.push(s)
  }
  // Smallest first, so each takes what it needs and leaves the rest to the larger ones.
  const estimate = (s: Source): number => s.gzip ? s.size * 10 : s.size
  const pids = new Set<number>()
  const bySize = [...taken].sort((a, b) => estimate(a) - estimate(b))
  for (let i = 0; i < bySize.length; i++) {
    const s = bySize[i] as Source
    const share = Math.floor(room / (bySize.length - i))
    const file = path.join(staging, s.member)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    let fd: number | undefined
    try {
      fd = fs.openSync(file, 'wx', 0o600)
      const r = await writeSource(s, share, fd, redactLine)
      room -= r.bytes
      for (const p of r.pids) if (pids.size < 1000) pids.add(p)
      const m = /^oneapm-debug-(\d+)\./.exec(path.basename(s.path))
      if (m !== null) pids.add(Number(m[1]))
      rows.push({ name: s.member, bytes: r.bytes, leftOut: r.leftOut })
    } catch (e) {
      errors.push({ path: s.path, code: (e as NodeJS.ErrnoException).code ?? 'ERROR', message: (e as Error).message })
      fs.rmSync(file, { force: true })
    } finally {
      if (fd !== undefined) fs.closeSync(fd)
    }
  }

  const host = os.hostname()
  const name = `oneapm-support-${safeHost(host)}-${utcStamp(started)}.tar.gz`
  write('redaction-report.json', JSON.stringify({
    rules_version: REDACTION_RULES_VERSION,
    note: 'How many values this bundle masked, by rule and by member. Never the values.',
    // Lists, not objects keyed by rule: `"license-key": 2` would read as a secret field left in clear.
    masks_by_rule: Object.entries(redactor.counts).map(([rule, masks]) => ({ rule, masks })),
    masks_by_member: Object.entries(redactor.byMember).map(([member, masks]) => ({ member, masks }))
  }, null, 2) + '\n')
  const manifest = {
    format: BUNDLE_FORMAT,
    redaction_rules: REDACTION_RULES_VERSION,
    tool: { name: PACKAGE.name, version: PACKAGE.version },
    node: process.version,
    host,
    created_utc: new Date(started).toISOString(),
    completed_utc: new Date().toISOString(),
    since: { window: job.sinceMs, from_utc: new Date(started - job.sinceMs).toISOString() },
    max_size: maxSize,
    line_cap: LINE_CAP,
    config_file: cfg.file ?? null,
    log_file: cfg.settings.log_file,
    pids_seen: [...pids].sort((a, b) => a - b),
    members: rows.map((r) => ({ name: r.name, bytes: r.bytes, ...(r.leftOut > 0 ? { left_out_bytes: r.leftOut } : {}) })),
    errors: errors.slice(0, MAX_ERRORS).map((e) => ({ path: e.path, code: e.code, message: e.message.slice(0, 300) })),
    ...(errors.length > MAX_ERRORS ? { errors_not_listed: errors.length - MAX_ERRORS } : {})
  }
  const manifestText = JSON.stringify(redactor.json('manifest.json', manifest), null, 2) + '\n'
  write('manifest.json', manifestText)
  // manifest.json first, redaction-report.json last: as they are listed.
  const order = ['manifest.json', ...rows.map((r) => r.name).filter((n) => n !== 'manifest.json' && n !== 'redaction-report.json'), 'redaction-report.json']
  const shown = order.map((n) => rows.find((r) => r.name === n) as MemberRow)

  const partial = path.join(staging, name)
  await writeArchive(partial, staging, order)
  const found = await scanArchive(partial, cfg, new Set(order))
  const archiveBytes = fs.statSync(partial).size
  if (found.length > 0 || archiveBytes > maxSize) {
    fs.rmSync(partial, { force: true })
    if (archiveBytes > maxSize) err(`oneapm-agent-log bundle: the archive came to ${archiveBytes} bytes, over --max-size ${maxSize}; nothing was written\n`)
    for (const f of found) err(`oneapm-agent-log bundle: ${f.member}: ${f.rule} left in clear after redaction\n`)
    if (found.length > 0) err('oneapm-agent-log bundle: refused: the archive was deleted and nothing was written. Please report this (the member and rule above, never the file) to OneAPM support.\n')
    return 1
  }
  const final = path.join(job.outDir, name)
  try {
    // link, not rename: an existing file of that name is never replaced.
    fs.linkSync(partial, final)
  } catch (e) {
    err(`oneapm-agent-log bundle: cannot write ${final} (${(e as NodeJS.ErrnoException).code ?? 'error'}: ${(e as Error).message})\n`)
    return 1
  }
  out(renderTable(final, archiveBytes, shown))
  return 0
}

/** Reads the archive back and scans every member's name and content; what is found, by member and rule. */
async function scanArchive (file: string, cfg: AgentConfig, expected: ReadonlySet<string>): Promise<Array<{ member: string, rule: ScanRule }>> {
  const s = cfg.settings
  const literals: string[] = []
  for (const v of [s.proxy, s.host, cfg.entries.proxy.given, cfg.entries.host.given]) {
    const pw = typeof v === 'string' ? proxyPassword(v) : undefined
    if (pw !== undefined) literals.push(pw)
  }
  const scanner = new TextScanner({ licenseKey: s.license_key, literals })
  const scans = new Map<string, MemberScan>()
  const found: Array<{ member: string, rule: ScanRule }> = []
  // A name the full redaction would still change holds a secret in some encoding the scanner does not search.
  const names = new BundleRedactor(cfg)
  const nameLeft = (member: string): string | undefined => {
    const redacted = names.text('(scan)', member)
    return redacted === member ? undefined : redacted
  }
  // report.html is read whole (its size is bounded by its share of --max-size) and checked in parts.
  let report: string[] | undefined
  const seen = await readArchive(file, (member, text, done) => {
    if (member === 'report.html') {
      (report ??= []).push(text)
      if (done) for (const rule of scanReport(scanner, member, report.join(''), readAssets().script)) found.push({ member, rule })
      return
    }
    let scan = scans.get(member)
    if (scan === undefined) {
      const left = nameLeft(member)
      if (left !== undefined) found.push({ member: left, rule: 'member-name' })
      scan = new MemberScan(scanner)
      scan.push(member + '\n')
      scans.set(member, scan)
    }
    scan.push(text)
    if (done) for (const rule of scan.end()) found.push({ member, rule })
  })
  // Named by their redacted names: the refusal message never quotes a secret.
  for (const e of seen) if (e.type !== 'File' || !expected.has(e.path)) found.push({ member: nameLeft(e.path) ?? e.path, rule: 'unexpected-entry' })
  if (seen.length !== expected.size) found.push({ member: '(archive)', rule: 'unexpected-entry' })
  return found
}

/** A proxy's password as the config reads it: from the first ':' after `://` to the LAST '@'. */
function proxyPassword (value: string): string | undefined {
  const scheme = value.indexOf('://')
  const at = value.lastIndexOf('@')
  if (scheme === -1 || at < scheme + 3) return undefined
  const colon = value.indexOf(':', scheme + 3)
  if (colon === -1 || colon > at) return undefined
  return value.slice(colon + 1, at)
}

function safeHost (host: string): string {
  let out = ''
  for (const ch of host.slice(0, 64)) out += /[A-Za-z0-9.-]/.test(ch) ? ch : '_'
  return out === '' ? 'host' : out
}

/** 20260102T030405Z */
function utcStamp (ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
}
