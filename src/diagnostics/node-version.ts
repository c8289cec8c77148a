// Is this Node inside the range the library supports? Prereleases count as
// their release (a nightly of 22 is a 22), and bad input is "unknown", never a throw.

import type satisfiesFn from 'semver/functions/satisfies'
import { lazy } from '../internal/lazy'
import { PACKAGE } from './package-info'

// Loaded when first asked (the startup record), not when the package is required.
const satisfies = lazy(() => require('semver/functions/satisfies') as typeof satisfiesFn)

export interface NodeVersionCheck {
  readonly supported: boolean
  readonly actual: string
  readonly required: string
}

export function checkNodeVersion (actual: string = process.version): NodeVersionCheck {
  let supported = false
  try {
    supported = satisfies()(actual, PACKAGE.engines, { includePrerelease: true })
  } catch {
    supported = false
  }
  return { supported, actual, required: PACKAGE.engines }
}
