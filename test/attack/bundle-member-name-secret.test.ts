// A member NAME is archive content too: docs/support.md says every member,
// "names included", is scanned, and the Redactor masks the license key hex-
// and base64-encoded. A session file in the debug dir whose name holds the
// key hex- or base64-encoded goes into the tar header (and the printed table)
// in clear: neither the redaction (names are never redacted, only made
// "safe") nor the read-back scan (raw key only) looks at encoded forms.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { KEY, fixture, members, runBundleIn } from '../helpers/bundle'

for (const [label, encoded] of [['hex', Buffer.from(KEY).toString('hex')], ['base64', Buffer.from(KEY).toString('base64').replace(/=+$/, '')]] as const) {
  test(`bundle: a debug-dir file named with the license key ${label}-encoded does not put the key in a member name or the printed table`, async () => {
    const f = fixture()
    fs.writeFileSync(f.log, 'hello\n')
    fs.writeFileSync(path.join(f.logs, `oneapm-debug-${encoded}.log`), 'x\n')
    const r = await runBundleIn(['--config', f.config, '--out', f.out])
    assert.ok(!r.stdout.toLowerCase().includes(encoded.toLowerCase()), `the encoded key is printed in the table:\n${r.stdout}`)
    if (r.status === 0) {
      const names = [...members(r.archive as string).keys()]
      for (const n of names) assert.ok(!n.toLowerCase().includes(encoded.toLowerCase()), `member name holds the ${label}-encoded license key: ${n}`)
    } else {
      assert.equal(r.status, 1)
      assert.deepEqual(fs.readdirSync(f.out), [], 'refused: no archive')
    }
  })
}
