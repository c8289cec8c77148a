// The settings as the startup line and doctor show them.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { displaySetting } from '../../src/logger/startup'
import { Redactor } from '../../src/format/redact'

const scrub = (s: string): string => new Redactor().text(s)

test('lists and maps go through the scrub like any text: a secret typed into log_redact or log_levels is masked', () => {
  assert.equal(displaySetting('log_redact', ['password=hunter2secret', 'x_api'], scrub), 'password=****,x_api')
  assert.equal(displaySetting('log_levels', { collector: 'token=abc123def456' }, scrub), 'collector:token=****')
  assert.equal(displaySetting('log_redact', [], scrub), '(none)')
  assert.equal(displaySetting('log_levels', {}, scrub), '(none)')
})

test('a scrub that throws or a value that cannot be printed never throws out', () => {
  const bad = { get a (): never { throw new Error('boom') } }
  assert.match(displaySetting('log_levels', bad, scrub), /^\[unprintable: /)
  assert.match(displaySetting('log_redact', ['x'], () => { throw new Error('scrub failed') }), /^\[unprintable: /)
})
