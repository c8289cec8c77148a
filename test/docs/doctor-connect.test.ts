// docs/doctor-connect.md's cause table names every cause diagnose() can give,
// and nothing else; its exit codes are the CLI's.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { CAUSE_IDS } from '../../src/cli/causes'

const DOC = path.join(__dirname, '..', '..', '..', 'docs', 'doctor-connect.md')

test('docs/doctor-connect.md: one cause table row per CauseId', () => {
  const text = fs.readFileSync(DOC, 'utf8')
  const section = text.slice(text.indexOf('## Causes'), text.indexOf('## Example'))
  const rows = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1])
  assert.deepEqual([...rows].sort(), [...CAUSE_IDS].sort())
  for (const status of ['0', '1', '2']) assert.match(text, new RegExp(`^\\| ${status} \\| `, 'm'))
})
