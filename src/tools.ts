// The part of the public API the CLI's log readers (summary, tail, report)
// need: config, redaction, rotated file names. index.ts re-exports all of it;
// the readers import it from here so that a run loads these modules alone,
// not the logger, shipping and collector code (a third of a second of start-up
// on a loaded machine, against a target of one second for `summary --since`).

import { MASK, Redactor as BaseRedactor, type RedactorOptions } from './format/redact'
import { listRotated as listRotatedUnguarded, type RotatedFile } from './sinks/rotation-files'

export { MASK }
export { loadConfig } from './config/load'
export type { AgentConfig } from './config/load'
export { configRedactor } from './config/redact-config'

/** Masks secrets for agent code that shows secret-bearing values elsewhere. Never throws: what it cannot handle, it masks. */
export class Redactor extends BaseRedactor {
  constructor (options?: RedactorOptions) {
    try {
      super(options)
    } catch {
      super()
    }
  }

  override isSecretKey (key: string): boolean {
    try {
      return super.isSecretKey(key)
    } catch {
      return true
    }
  }

  override maskValue (key: string, value: unknown): string {
    try {
      return super.maskValue(key, value)
    } catch {
      return MASK
    }
  }

  override text (s: string, cut?: boolean): string {
    // Not a string: nothing to scrub, and nothing to hand back unseen.
    if (typeof s !== 'string') return MASK
    try {
      return super.text(s, cut === true)
    } catch {
      return MASK
    }
  }
}

export function listRotated (log: string): RotatedFile[] {
  try {
    return listRotatedUnguarded(log)
  } catch {
    return []
  }
}

