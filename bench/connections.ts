// Workload 10, one run in a worker: sequential POSTs with undici to the
// loopback server of bench/http-server.ts, through one of four dispatchers:
// a plain undici Agent; the same with an interceptor that does nothing
// (undici's compose(), which recording is built on); the library's
// createCollectorDispatcher(); recordConnections() on a plain Agent. Every
// variant makes the same logger
// (text, level info, flight recorder on), so the process is the same; only
// the dispatcher differs.

import fs from 'node:fs'
import { Agent, type Dispatcher } from 'undici'
import { createCollectorDispatcher, createLogger, recordConnections } from '../src/index'
import { serve, type Serving } from './http-server'

export const HTTP_VARIANTS = ['http-plain', 'http-compose', 'http-collector-norec', 'http-collector', 'http-recorded'] as const
/** The variants that record (the others are the references). */
export const RECORDING_VARIANTS: readonly HttpVariant[] = ['http-collector-norec', 'http-collector', 'http-recorded']
export type HttpVariant = typeof HTTP_VARIANTS[number]

export interface HttpJob {
  readonly variant: HttpVariant
  /** The loopback server's port, when it runs in a process of its own; else this process starts one. */
  readonly port?: number | undefined
  /** Timed requests, after `warmup` untimed ones on the same connection. */
  readonly requests: number
  readonly warmup: number
  /** The agent log. */
  readonly file: string
}

export interface HttpOutcome {
  readonly requests: number
  readonly elapsedMs: number
  /** Answers with status 200, and requests that failed or answered otherwise. */
  readonly ok: number
  readonly failed: number
  /** From the logger: requests it counted (stats().collector.requests), records its flight recorder holds and pushed out. */
  readonly counted: number
  readonly held: number
  readonly evicted: number
  /** Lines in the log file (after close): all, connect lines, request lines (debug: none expected). */
  readonly lines: number
  readonly connectLines: number
  readonly requestLines: number
  /** What the checks found wrong; empty when all is well. */
  readonly problems: readonly string[]
}

const PATH = '/agent_listener/invoke_raw_method?method=metric_data&protocol_version=14'
/** A small metric post, about what an agent sends for one transaction name. */
export const HTTP_BODY = JSON.stringify({ agent_run_id: 'bench-run', metrics: [[{ name: 'WebTransaction/Uri/api/v1/users' }, [1, 0.042, 0.042, 0.042, 0.042, 0.001764]]] })

const now = (): number => Number(process.hrtime.bigint()) / 1e6

function occurrences (text: string, marker: string): number {
  let n = 0
  for (let i = text.indexOf(marker); i !== -1; i = text.indexOf(marker, i + marker.length)) n++
  return n
}

export async function runConnections (job: HttpJob): Promise<HttpOutcome> {
  const server: Serving | undefined = job.port === undefined ? await serve() : undefined
  const port = job.port ?? (server as Serving).port
  // http-collector-norec: the same recording with the flight recorder off, so its own cost shows apart.
  const log = createLogger({ log_file: job.file, log_format: 'text', log_level: 'info', log_flight_recorder: job.variant === 'http-collector-norec' ? 0 : '1MB' }, { global: false })
  const origin = `http://127.0.0.1:${port}`
  let dispatcher: Dispatcher
  let close: () => Promise<void>
  switch (job.variant) {
    case 'http-plain': {
      const agent = new Agent()
      dispatcher = agent
      close = () => agent.close()
      break
    }
    case 'http-compose': {
      const agent = new Agent()
      dispatcher = agent.compose((dispatch) => (opts, handler) => dispatch(opts, handler))
      close = () => agent.close()
      break
    }
    case 'http-collector-norec':
    case 'http-collector': {
      const client = createCollectorDispatcher(log, { host: `127.0.0.1:${port}`, protocol: 'http' })
      dispatcher = client.dispatcher
      close = () => client.close()
      break
    }
    case 'http-recorded': {
      const agent = new Agent()
      const handle = recordConnections(agent, log)
      dispatcher = handle.dispatcher
      close = async () => {
        handle.stop()
        await agent.close()
      }
      break
    }
  }

  let ok = 0
  let failed = 0
  let firstError: string | undefined
  const post = async (): Promise<void> => {
    try {
      const res = await dispatcher.request({ origin, path: PATH, method: 'POST', headers: { 'content-type': 'application/json' }, body: HTTP_BODY })
      await res.body.text()
      if (res.statusCode === 200) ok++
      else {
        failed++
        firstError ??= `HTTP ${res.statusCode}`
      }
    } catch (err) {
      failed++
      firstError ??= err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err)
    }
  }

  for (let i = 0; i < job.warmup; i++) await post()
  await new Promise((resolve) => setTimeout(resolve, 50))
  const t0 = now()
  for (let i = 0; i < job.requests; i++) await post()
  const elapsedMs = now() - t0

  const stats = log.stats()
  await close()
  await server?.close()
  log.flush()
  await log.close()
  const text = fs.readFileSync(job.file, 'latin1')
  const outcome = {
    requests: job.requests,
    elapsedMs,
    ok,
    failed,
    counted: stats.collector.requests,
    held: stats.flightRecorder.held,
    evicted: stats.flightRecorder.evicted,
    lines: occurrences(text, '\n'),
    connectLines: occurrences(text, 'event=collector_connected'),
    requestLines: occurrences(text, 'event=collector_request')
  }
  const total = job.warmup + job.requests
  const problems: string[] = []
  if (failed > 0) problems.push(`${failed} of ${total} requests failed (first: ${firstError ?? '?'})`)
  if (outcome.requestLines > 0) problems.push(`${outcome.requestLines} request lines in the log at level info`)
  if (!RECORDING_VARIANTS.includes(job.variant)) {
    if (outcome.counted !== 0 || outcome.connectLines !== 0) problems.push(`a dispatcher that does not record was recorded (${outcome.counted} requests counted, ${outcome.connectLines} connect lines)`)
  } else {
    if (outcome.counted !== total) problems.push(`${outcome.counted} requests counted by the logger, ${total} made`)
    if (outcome.connectLines < 1) problems.push('no collector_connected line in the log')
    if (outcome.held === 0 && job.variant !== 'http-collector-norec') problems.push('the flight recorder held no request records')
  }
  return { ...outcome, problems }
}
