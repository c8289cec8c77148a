// The host variants of `npm run bench:host`: which logger the app carries,
// at which level, with which settings. One variant per app process.

/** The single-process variants, in the order a round runs them (rotated from round to round). */
export const APP_VARIANTS = [
  'none',
  'oneapm-default',
  'oneapm-recorder-off',
  'oneapm-debug',
  'oneapm-debug-rotate',
  'pino-info',
  'pino-debug',
  'bunyan-debug'
] as const
export type AppVariant = typeof APP_VARIANTS[number]

/** 2 workers of node:cluster, this logger at debug, rotating at 1MB, one shared file. */
export const CLUSTER_VARIANT = 'cluster'
export type Variant = AppVariant | typeof CLUSTER_VARIANT
export const VARIANTS: readonly Variant[] = [...APP_VARIANTS, CLUSTER_VARIANT]

export type LoggerKind = 'none' | 'oneapm' | 'pino' | 'bunyan'

export interface VariantSpec {
  readonly kind: LoggerKind
  /** The level the app's loggers write at: the 5 debug calls per request are records at 'debug', dropped (or kept by the flight recorder) at 'info'. */
  readonly level: 'info' | 'debug'
  /** This logger's settings beyond log_file; the defaults for the rest. */
  readonly settings: Readonly<Record<string, string>>
  /** Whether the log may rotate, so its rotated files are read back too. */
  readonly rotates: boolean
  /** The log_max_size the variant sets (bytes) and the check holds every file to; 0: the default's (100MB), unchecked. */
  readonly maxSize: number
}

/**
 * Rotation by size at `maxSize`, every rotated file kept (the default keeps 5
 * and deletes older ones, which would delete records the check counts) and
 * none compressed (the check reads plain text).
 */
export function rotation (maxSize: number): Readonly<Record<string, string>> {
  return { log_max_size: String(maxSize), log_max_files: '0', log_compress: 'false' }
}

export function specOf (variant: Variant, rotateSize: number): VariantSpec {
  switch (variant) {
    case 'none': return { kind: 'none', level: 'info', settings: {}, rotates: false, maxSize: 0 }
    case 'oneapm-default': return { kind: 'oneapm', level: 'info', settings: {}, rotates: false, maxSize: 0 }
    case 'oneapm-recorder-off': return { kind: 'oneapm', level: 'info', settings: { log_flight_recorder: '0' }, rotates: false, maxSize: 0 }
    // The default config rotates at 100MB, which a long run at debug reaches: every rotated file is kept and read back.
    case 'oneapm-debug': return { kind: 'oneapm', level: 'debug', settings: { log_level: 'debug', log_max_files: '0' }, rotates: true, maxSize: 0 }
    case 'oneapm-debug-rotate':
    case 'cluster':
      return { kind: 'oneapm', level: 'debug', settings: { log_level: 'debug', ...rotation(rotateSize) }, rotates: true, maxSize: rotateSize }
    case 'pino-info': return { kind: 'pino', level: 'info', settings: {}, rotates: false, maxSize: 0 }
    case 'pino-debug': return { kind: 'pino', level: 'debug', settings: {}, rotates: false, maxSize: 0 }
    case 'bunyan-debug': return { kind: 'bunyan', level: 'debug', settings: {}, rotates: false, maxSize: 0 }
  }
}

export function isVariant (s: string): s is Variant {
  return (VARIANTS as readonly string[]).includes(s)
}
