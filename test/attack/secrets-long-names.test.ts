// Attack: secret names longer than 256 characters. normalizeName() only looks
// at the first 256 characters of a name, so a field or free-text name that
// *ends* in `password` after a long prefix is not secret, and its value is
// written in clear. docs/formats.md#redaction: "Fields whose name ... contains
// passw ... at any depth: the value becomes ****" and "the value after a
// secret name and =". The key itself is cut at 256 characters, so the record
// shows the password with no hint of what it is.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runScript } from '../helpers/child'

const PW = 'hunter2-Sekret-99'

for (const format of ['text', 'json']) {
  test(`${format}: a field whose long name ends in "password" has its value masked`, () => {
    const r = runScript(`
      const log = lib.createLogger({ log_file: 'stdout', log_format: ${JSON.stringify(format)} })
      log.info({ ['x_'.repeat(150) + 'password']: ${JSON.stringify(PW)} }, 'top-level field')
      log.info({ form: { ['_'.repeat(300) + 'db_password']: ${JSON.stringify(PW)} } }, 'nested field')
      log.flush()`)
    assert.equal(r.status, 0, r.stderr)
    const leaked = r.stdout.split('\n').filter((l) => l.includes(PW))
    assert.deepEqual(leaked, [], `password written in clear:\n${leaked.join('\n').slice(0, 2000)}`)
  })

  test(`${format}: "<long name>password=<value>" in free text is masked`, () => {
    const r = runScript(`
      const log = lib.createLogger({ log_file: 'stdout', log_format: ${JSON.stringify(format)} })
      // A URL-encoded form inside a parameter: a long state value, then the password.
      log.info('next=%2Fcb%3Fstate%3D' + 'a'.repeat(300) + '%26password%3D' + ${JSON.stringify(PW)})
      log.info('-'.repeat(300) + 'password=' + ${JSON.stringify(PW)})
      log.flush()`)
    assert.equal(r.status, 0, r.stderr)
    const leaked = r.stdout.split('\n').filter((l) => l.includes(PW))
    assert.deepEqual(leaked, [], `password written in clear:\n${leaked.join('\n').slice(0, 2000)}`)
  })
}
