// Promise: the CLI gives clear errors on bad flags (exit 2), and a session is
// scoped to the components asked for. `--only ''` (an unset shell variable:
// --only "$COMPONENTS") and `--only ,,,` name no component at all, yet
// start a session of every component (the widest scope, 16 MB of debug per
// process) instead of a usage error.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { cli, setup } from '../helpers/debug-session'

test('debug start --only with no component name is a usage error, not a session of every component', async (t) => {
  const s = setup()
  t.after(() => { fs.rmSync(s.dir, { recursive: true, force: true }) })
  for (const only of ['', ',,,', ' , ']) {
    const r = await cli(['debug', 'start', '--config', s.config, '--for', '1m', '--only', only])
    assert.equal(r.status, 2, `--only ${JSON.stringify(only)} started a session of ${/components (.*)/.exec(r.out)?.[1] ?? '?'}`)
  }
})
