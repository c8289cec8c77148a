// Command-line parsing shared by every command: known flags only, and a
// usage error (exit 2) for anything else.

import { parseArgs, type ParseArgsConfig } from 'node:util'

export class UsageError extends Error {
  readonly code = 'ONEAPM_USAGE'
}

export type Options = NonNullable<ParseArgsConfig['options']>

export function parse<O extends Options> (argv: string[], options: O): ReturnType<typeof parseArgs<{ options: O, allowPositionals: false, strict: true }>>['values'] {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}
