// A worker thread of a parallel summary scan (scan-parallel.ts): reads the
// units it is sent, one at a time, and posts each one's UnitRead back. It
// redacts what it keeps the way the main thread does (outputRedactor of the
// same config), so the parts merge to the single-thread summary. Nothing it
// reads throws (read problems are part of the result); anything else is
// posted as an error, and the main thread then scans on one thread.

import { parentPort, workerData } from 'node:worker_threads'
import type { PlannedFile } from './files'
import type { ReadRange } from './read'
import type { ByteRange } from './read-in-order'
import { outputRedactor } from './redact-output'
import { readUnit } from './scan-part'

export interface UnitRequest {
  readonly id: number
  readonly file: PlannedFile
  readonly range: ReadRange
  readonly bytes: ByteRange | undefined
}

export interface WorkerSetup {
  /** Redact as outputRedactor(config) does; none: no redaction. */
  readonly redact: { readonly config: string | undefined, readonly source?: string | undefined } | undefined
}

const setup = workerData as WorkerSetup
const redaction = setup.redact === undefined ? undefined : outputRedactor(setup.redact.config)
const port = parentPort
// The config read again here may not be the one the main thread read (moved, rewritten or half
// written meanwhile): parts redacted with other rules could carry a secret the main thread masks.
const stale = setup.redact?.source !== undefined && redaction?.source !== setup.redact.source

port?.on('message', (m: UnitRequest) => {
  if (stale) {
    port.postMessage({ id: m.id, error: 'the config changed since the main thread read it' })
    return
  }
  readUnit(m.file, m.range, m.bytes, redaction).then(
    (read) => { port.postMessage({ id: m.id, read }) },
    (err: unknown) => { port.postMessage({ id: m.id, error: String((err as Error)?.message ?? err) }) }
  )
})
