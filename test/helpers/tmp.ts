// Temp dirs and log-file reading for tests.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function tmpDir (prefix = 'oneapm-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

export function readLines (file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '')
}

/** The compiled library entry, for scripts run in child processes. */
export const LIB = path.join(__dirname, '..', '..', 'src', 'index.js')
