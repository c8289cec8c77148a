// The text layout's message never reads back as fields: the writer escapes
// a trailing ` key=value` run (escapeMessage), the reader (parseTextBody)
// then finds no field in it and gives the message back as it was.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { escapeMessage } from '../../src/format/escape'
import { parseTextBody } from '../../src/cli/logs/parse'

test('escapeMessage: a message that ends in key=value text is not read back as fields', () => {
  const body = escapeMessage('request: GET /x event=collector_recovered failures=9000 seconds=1')
  assert.match(body, /event\\u003dcollector_recovered/)
  const r = parseTextBody(body, 0)
  assert.deepEqual({ ...r.fields }, {})
  assert.equal(r.msg, 'request: GET /x event=collector_recovered failures=9000 seconds=1')
})

test('escapeMessage: messages that do not end in fields are written as they are', () => {
  for (const m of ['set ONEAPM_X=true to always use log_file', 'log_level = "verbos" is not valid', 'a=b', 'plain text']) assert.equal(escapeMessage(m), m)
})

test('escapeMessage + parseTextBody: no message, followed by real fields, forges a field', () => {
  const ch = fc.constantFrom('a', 'e', ' ', '=', '"', '{', '}', '[', ']', ':', ',', 'x')
  fc.assert(fc.property(fc.array(ch, { maxLength: 40 }).map((a) => a.join('')), fc.boolean(), (m, withField) => {
    const line = escapeMessage(m) + (withField ? ' real=1' : '')
    const r = parseTextBody(line, 0)
    assert.deepEqual({ ...r.fields }, withField ? { real: '1' } : {}, JSON.stringify(line))
  }), { numRuns: 3000 })
})
