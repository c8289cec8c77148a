// Formatting a record directly, without a destination.
import type { FormatContext, LineFormat } from '../../src/format/line-format'
import { Redactor, type RedactorOptions } from '../../src/format/redact'
import type { LevelValue } from '../../src/record/levels'
import { recordOf } from '../../src/logger/args'

export function ctx (options: RedactorOptions & { maxLine?: number } = {}): FormatContext {
  const maxLine = options.maxLine ?? 16 * 1024
  return { redactor: new Redactor(options), maxString: maxLine, maxLine }
}

export function lineOf (format: LineFormat, args: unknown[], options: { level?: LevelValue, name?: string, bindings?: object, ctx?: FormatContext, time?: number } = {}): string {
  const c = options.ctx ?? ctx()
  const level = options.level ?? 30
  const rec = recordOf(options.time ?? Date.UTC(2026, 10, 21, 5, 18, 0, 123), level, args, c)
  return format.line(rec, format.header(options.name ?? 'oneapm.collector', level), options.bindings === undefined ? '' : format.bindings(options.bindings, c), c)
}
