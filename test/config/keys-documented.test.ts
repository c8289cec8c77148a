// The README table and agent.config.example document every key with its
// default and environment variable; this keeps them true as keys are added.

import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { KEYS, SETTING_KEYS, envName } from '../../src/config/keys'

const ROOT = path.join(__dirname, '..', '..', '..')
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const example = fs.readFileSync(path.join(ROOT, 'agent.config.example'), 'utf8')

for (const key of SETTING_KEYS) {
  test(`${key} is documented in the README and agent.config.example`, () => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\` |`))
    assert.ok(row, `no README row for ${key}`)
    assert.ok(row.includes(`\`${envName(key)}\``), `README row for ${key} lacks ${envName(key)}`)
    const spec = KEYS[key]
    if (spec.default !== '') assert.ok(row.includes(`\`${spec.default}\``), `README row for ${key} lacks its default ${spec.default}`)
    assert.match(example, new RegExp(`^;? ?${key} *=`, 'm'), `agent.config.example lacks ${key}`)
    assert.match(example, new RegExp(`env: ${envName(key)}\\b`), `agent.config.example lacks ${envName(key)}`)
  })
}
