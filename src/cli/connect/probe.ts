// `doctor --connect`: reaches the collector step by step (DNS, TCP, proxy
// CONNECT, TLS), then sends the agent's first request, preconnect, through
// the agent's own dispatcher (createCollectorDispatcher): the verdict is
// what the agent would get. The steps before it are done by hand only to
// time and describe each one; the first that fails ends the probe. The
// whole probe is bounded by one deadline.

import type net from 'node:net'
import { format } from 'node:util'
import { createCollectorDispatcher, preconnectRequest, type ConnectionLog } from '../../index'
import { ProbeError, codeOf, connectTcp, handshake, messageOf, proxyConnect, resolve, type StepName, type TlsInfo } from './steps'

export interface ProbeOptions {
  /** The `host` setting (host[:port]); undefined when none is set. */
  readonly host: string | undefined
  readonly proxy: string | undefined
  readonly licenseKey: string | undefined
  readonly timeoutMs: number
  readonly userAgent: string
}

export interface StepResult {
  readonly step: StepName
  readonly status: 'ok' | 'failed' | 'skipped'
  /** What this step reached: a name, host:port, the proxy. */
  readonly target: string
  readonly ms: number | null
  /** One line for people. */
  readonly summary: string
  readonly detail: Readonly<Record<string, unknown>>
  readonly error: { readonly code: string, readonly message: string } | null
}

export interface ProbeResult {
  readonly origin: string | null
  readonly steps: readonly StepResult[]
  readonly reachable: boolean
  /** What is known of the failure, for diagnose(); null when reachable. */
  readonly failure: {
    readonly step: StepName | 'config'
    readonly code?: string
    readonly status?: number
    readonly host: string
    readonly issuer?: string
    readonly subject?: string
  } | null
  /** The lines the agent's collector logger wrote during the request: what the agent would log. */
  readonly agentLog: readonly string[]
}

interface Target {
  readonly hostname: string
  readonly port: number
  /** host:port as the collector is addressed (CONNECT's authority). */
  readonly authority: string
}

/** host[:port] from the config, as undici reads the origin https://host[:port]. */
export function collectorTarget (host: string): Target | undefined {
  try {
    const url = new URL(`https://${host}`)
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
    const port = url.port === '' ? 443 : Number(url.port)
    return { hostname, port, authority: `${url.hostname}:${port}` }
  } catch {
    return undefined
  }
}

const ALL_STEPS: readonly StepName[] = ['dns', 'tcp', 'proxy', 'tls', 'http']

export async function probe (o: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now()
  const left = (): number => Math.max(0, Math.round(o.timeoutMs - (performance.now() - started)))
  const steps: StepResult[] = []
  const order = ALL_STEPS.filter((s) => s !== 'proxy' || o.proxy !== undefined)
  const target = o.host === undefined ? undefined : collectorTarget(o.host)
  if (target === undefined) {
    return { origin: null, steps: order.map((s) => skipped(s, '')), reachable: false, failure: { step: 'config', code: 'ONEAPM_NO_HOST', host: o.host ?? '' }, agentLog: [] }
  }
  let proxy: URL | undefined
  try {
    proxy = o.proxy === undefined ? undefined : new URL(o.proxy)
  } catch {
    proxy = undefined
  }
  // The agent connects to the proxy, which resolves and reaches the collector.
  const first = proxy === undefined
    ? { name: target.hostname, port: target.port }
    : { name: proxy.hostname.replace(/^\[|\]$/g, ''), port: proxy.port === '' ? (proxy.protocol === 'https:' ? 443 : 80) : Number(proxy.port) }
  const firstStep: StepName = proxy === undefined ? 'tcp' : 'proxy'

  const run = async <T>(step: StepName, what: string, work: () => Promise<T>, describe: (v: T) => { summary: string, detail: Record<string, unknown> }): Promise<T> => {
    const t0 = performance.now()
    try {
      const v = await work()
      steps.push({ step, status: 'ok', target: what, ms: Math.round(performance.now() - t0), ...describe(v), error: null })
      return v
    } catch (err) {
      const e = err instanceof ProbeError ? err : new ProbeError(step, codeOf(err), messageOf(err))
      steps.push({ step, status: 'failed', target: what, ms: Math.round(performance.now() - t0), summary: `${e.code}: ${e.message}`, detail: e.seen.detail ?? {}, error: { code: e.code, message: e.message } })
      throw e
    }
  }

  let agentLog: string[] = []
  let tunnelTls: TlsInfo | undefined
  try {
    const resolved = await run('dns', first.name, () => resolve(first.name, left()), (r) => ({
      summary: r.literal ? `${first.name} is an IP address: nothing to look up` : `${first.name} → ${r.addresses.map((a) => a.address).join(', ')}`,
      detail: { addresses: r.addresses.map((a) => a.address), lookedUp: !r.literal, ...(proxy === undefined ? {} : { note: 'the proxy resolves the collector\'s name' }) }
    }))
    const where = `${first.name}:${first.port}`
    // Failures reaching the proxy are the proxy's: diagnose() names it.
    let socket: net.Socket = await run('tcp', where, () => connectTcp(firstStep, first.name, first.port, resolved, left()), (s) => ({
      summary: `connected to ${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}${proxy === undefined ? '' : ' (the proxy)'}`,
      detail: { remoteAddress: s.remoteAddress ?? null, remotePort: s.remotePort ?? null, localAddress: s.localAddress ?? null }
    }))
    if (proxy !== undefined) {
      const proxyUrl = proxy
      socket = await run('proxy', where, async () => {
        let proxyTls: TlsInfo | undefined
        let through: net.Socket = socket
        if (proxyUrl.protocol === 'https:') {
          const { info, secure } = await handshake('proxy', socket, first.name, left())
          if (info.verification !== 'ok') {
            secure.destroy()
            throw new ProbeError('proxy', info.verification, `the proxy's certificate is not trusted: ${info.verification}`, tlsSeen(info))
          }
          proxyTls = info
          through = secure
        }
        const answer = await proxyConnect(through, target.authority, proxyUrl, left())
        if (answer.status !== 200) {
          answer.socket.destroy()
          throw new ProbeError('proxy', `HTTP_${answer.status}`, `the proxy answered CONNECT ${target.authority} with ${answer.status} ${answer.reason}`.trim(), { status: answer.status, detail: { status: answer.status, reason: answer.reason } })
        }
        tunnelTls = proxyTls
        return answer.socket
      }, () => ({
        summary: `CONNECT ${target.authority} → 200: tunnel open${tunnelTls === undefined ? '' : ` (TLS to the proxy: ${tunnelTls.protocol ?? '?'}, verified)`}`,
        detail: { authority: target.authority, status: 200, credentials: proxyUrl.username !== '' || proxyUrl.password !== '', proxyTls: tunnelTls ?? null }
      }))
    }
    await run('tls', target.authority, async () => {
      const { info, secure } = await handshake('tls', socket, target.hostname, left())
      secure.destroy()
      if (info.verification !== 'ok') throw new ProbeError('tls', info.verification, `the certificate is not trusted for ${target.hostname}: ${info.verification}`, tlsSeen(info))
      return info
    }, (i) => ({ summary: tlsSummary(i), detail: { ...i } }))
    const http = await run('http', target.authority, () => preconnect(o, left(), (lines) => { agentLog = lines }), (r) => ({
      summary: `${r.method} preconnect → HTTP ${r.status}${r.contentType === null ? '' : ` (${r.contentType})`}`,
      detail: { ...r }
    }))
    return { origin: http.origin, steps: fill(steps, order), reachable: true, failure: null, agentLog }
  } catch (err) {
    const e = err instanceof ProbeError ? err : new ProbeError('http', codeOf(err), messageOf(err))
    const failedHost = e.step === 'dns' || (e.step === 'proxy' && e.seen.status === undefined) ? first.name : target.authority
    return {
      origin: `https://${o.host}`,
      steps: fill(steps, order),
      reachable: false,
      failure: {
        step: e.step,
        host: failedHost,
        ...(e.code.startsWith('HTTP_') ? {} : { code: e.code }),
        ...(e.seen.status === undefined ? {} : { status: e.seen.status }),
        ...(e.seen.issuer === undefined ? {} : { issuer: e.seen.issuer }),
        ...(e.seen.subject === undefined ? {} : { subject: e.seen.subject })
      },
      agentLog
    }
  }
}

function tlsSeen (i: TlsInfo): { issuer?: string, subject?: string, detail: Record<string, unknown> } {
  const subject = i.subject === null ? undefined : i.altNames === null ? i.subject : `${i.subject} (${i.altNames})`
  return { ...(i.issuer === null ? {} : { issuer: i.issuer }), ...(subject === undefined ? {} : { subject }), detail: { ...i } }
}

function tlsSummary (i: TlsInfo): string {
  const cert = i.subject === null ? 'no certificate' : `certificate ${i.subject} issued by ${i.issuer ?? '?'}, valid ${i.validFrom ?? '?'} to ${i.validTo ?? '?'}`
  return `${i.protocol ?? '?'}, ${cert}, ${i.verification === 'ok' ? 'verified' : `NOT verified: ${i.verification}`}`
}

function skipped (step: StepName, target: string): StepResult {
  return { step, status: 'skipped', target, ms: null, summary: 'not tried: an earlier step failed', detail: {}, error: null }
}

/** The steps done, then the ones not tried, in order. */
function fill (done: StepResult[], order: readonly StepName[]): StepResult[] {
  const names = new Set(done.map((s) => s.step))
  return [...done, ...order.filter((s) => !names.has(s)).map((s) => skipped(s, ''))]
}

interface HttpOutcome {
  readonly origin: string
  readonly method: string
  readonly path: string
  readonly status: number
  readonly contentType: string | null
  /** The start of the answer, for a support engineer: read raw here, redacted and then cut to EXCERPT by the command. */
  readonly excerpt: string
  /** Whether the answer went on past what was read (a secret may straddle the end). */
  readonly excerptCut: boolean
}

/** Characters of the collector's answer shown in the report, after redaction. */
export const EXCERPT = 512
/** Bytes read of it: more than is shown, so that a secret straddling the shown cut is redacted whole first. */
const EXCERPT_READ = 4096

/** preconnect through the agent's dispatcher; a status other than 2xx fails the step with that status. */
async function preconnect (o: ProbeOptions, ms: number, logged: (lines: string[]) => void): Promise<HttpOutcome> {
  if (ms <= 0) throw new ProbeError('http', 'ETIMEDOUT', 'preconnect: no time left in the probe\'s --timeout')
  const lines: string[] = []
  logged(lines)
  const client = createCollectorDispatcher(captureLog(lines), {
    host: o.host,
    proxy: o.proxy,
    connectTimeoutMs: ms,
    headersTimeoutMs: ms,
    bodyTimeoutMs: ms,
    stillFailingIntervalMs: 0
  })
  const req = preconnectRequest(o.licenseKey, o.userAgent)
  try {
    if (client.origin === undefined) throw new ProbeError('http', 'ONEAPM_NO_HOST', 'the agent\'s dispatcher has no collector origin for this host')
    const signal = AbortSignal.timeout(ms)
    let res
    try {
      res = await client.dispatcher.request({ origin: client.origin, path: req.path, method: req.method, headers: req.headers, body: req.body, signal })
    } catch (err) {
      // A tunnel the proxy refused reaches undici's caller as a message only.
      const m = /Proxy response \((\d{3})\)/.exec(messageOf(err))
      if (m !== null) throw new ProbeError('proxy', `HTTP_${m[1] ?? ''}`, messageOf(err), { status: Number(m[1]) })
      throw new ProbeError('http', codeOf(err), `preconnect: ${messageOf(err)}`)
    }
    const chunks: Buffer[] = []
    let size = 0
    try {
      for await (const chunk of res.body) {
        chunks.push(chunk as Buffer)
        size += (chunk as Buffer).length
        if (size > EXCERPT_READ) break
      }
    } catch {
      // The answer's status is what matters; a body cut short is not a failure of the collector.
    }
    const type = res.headers['content-type']
    const outcome: HttpOutcome = {
      origin: client.origin,
      method: req.method,
      path: req.path,
      status: res.statusCode,
      contentType: typeof type === 'string' ? type : null,
      excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_READ).toString('utf8'),
      excerptCut: size > EXCERPT_READ
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw new ProbeError('http', `HTTP_${res.statusCode}`, `the collector answered preconnect with HTTP ${res.statusCode}`, { status: res.statusCode, detail: { ...outcome } })
    }
    return outcome
  } finally {
    await closeWithin(client.close(), 1000)
  }
}

async function closeWithin (closing: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([closing.catch(() => {}), new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); timer.unref() })])
  clearTimeout(timer)
}

/** A ConnectionLog that keeps each line (`warning collector_error: ...`) instead of writing it. */
function captureLog (lines: string[]): ConnectionLog {
  const keep = (level: string) => (fields: object, msg: string, ...args: unknown[]): void => {
    if (lines.length >= 50) return
    const event = (fields as { event?: unknown }).event
    lines.push(`${level} ${typeof event === 'string' ? event : '-'}: ${format(msg, ...args)}`)
  }
  const log: ConnectionLog = {
    name: 'oneapm.collector',
    child: () => log,
    debug: keep('debug'),
    info: keep('info'),
    warning: keep('warning'),
    count: () => {},
    keeps: () => true
  }
  return log
}
