// `oneapm-agent-log bundle`: the support bundle (src/cli/bundle/*). The
// entry `debug start --wait` calls when its session ends.

import { bundle } from './bundle/run'

export { BUNDLE_HELP } from './bundle/run'

/** Writes the support bundle; its exit status (0 written, 1 not written, 2 usage error). */
export function runBundle (argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  return bundle(argv, out, err)
}
