// Is this Node inside the range the library supports? Prereleases count as
// their release (a nightly of 22 is a 22), and bad input is "unknown", never a throw.
//
// The range this package declares is a plain `>=X.Y.Z`, which is compared
// here directly: loading semver costs about 12 ms (it builds its regular
// expressions at require), which is most of what createLogger() took before
// its first record. Any other range (a build that declares `^20 || ^22`) goes
// to semver, loaded then.

import type satisfiesFn from 'semver/functions/satisfies'
import { lazy } from '../internal/lazy'
import { PACKAGE } from './package-info'

const satisfies = lazy(() => require('semver/functions/satisfies') as typeof satisfiesFn)

export interface NodeVersionCheck {
  readonly supported: boolean
  readonly actual: string
  readonly required: string
}

/** `v20.18.1`, `20.18.1-nightly...` → [20, 18, 1]; undefined when not a version. */
function triple (v: string): [number, number, number] | undefined {
  const core = (v.startsWith('v') ? v.slice(1) : v).split(/[-+]/, 1)[0] ?? ''
  const parts = core.split('.')
  if (parts.length !== 3 || !parts.every((p) => p.length > 0 && p.length <= 9 && /^\d+$/.test(p))) return undefined
  return parts.map(Number) as [number, number, number]
}

/** `>=X.Y.Z` alone: whether `actual` is at least that; undefined for any other range. */
function atLeast (actual: string, range: string): boolean | undefined {
  const r = range.trim()
  if (!r.startsWith('>=')) return undefined
  const min = triple(r.slice(2).trim())
  if (min === undefined) return undefined
  const have = triple(actual)
  if (have === undefined) return false
  for (let i = 0; i < 3; i++) {
    if ((have[i] as number) !== (min[i] as number)) return (have[i] as number) > (min[i] as number)
  }
  // The same X.Y.Z with a prerelease or build tag (`20.18.1-nightly...`, below 20.18.1): semver's rules decide.
  return /^v?\d+\.\d+\.\d+$/.test(actual) ? true : undefined
}

export function checkNodeVersion (actual: string = process.version, required: string = PACKAGE.engines): NodeVersionCheck {
  let supported = false
  try {
    supported = atLeast(actual, required) ?? satisfies()(actual, required, { includePrerelease: true })
  } catch {
    supported = false
  }
  return { supported, actual, required }
}
