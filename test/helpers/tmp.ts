// Temp dirs and log-file reading for tests.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after } from 'node:test'

// Every test file runs in its own process, so the dirs it made go when its
// tests are done: in an after() hook, one event-loop turn later, so a
// logger's pending startup line is already written. At 'exit' it would be too
// late: the logger's own exit flush runs after our listener and, finding its
// file deleted, recreates it (as it must for an operator who deleted the dir).
const made: string[] = []
// One turn first: loggers made by synchronous tests write their batches then.
after(async () => { await new Promise((resolve) => setImmediate(resolve)); removeAll() })
process.on('exit', removeAll)

function removeAll (): void {
  for (const dir of made.splice(0)) removeTree(dir)
}

function removeTree (dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true })
  } catch {
    // A test made part of it read-only (as a non-root user): open it up, then retry.
    for (const sub of [dir, ...fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f)))]) {
      try { fs.chmodSync(sub, 0o700) } catch {}
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** A fresh temp dir, removed (with everything in it) when the test process exits. */
export function tmpDir (prefix = 'oneapm-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}

export function readLines (file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '')
}

/** The compiled library entry, for scripts run in child processes. */
export const LIB = path.join(__dirname, '..', '..', 'src', 'index.js')
