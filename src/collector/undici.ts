// undici, loaded the first time a collector helper runs (see internal/lazy.ts).

import type * as Undici from 'undici'
import { lazy } from '../internal/lazy'

export const undici = lazy(() => require('undici') as typeof Undici)
