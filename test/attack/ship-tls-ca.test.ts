// Attack: syslog+tls://…?ca=<path> names something that is not a small
// regular file. The CA file was read with readFileSync on the first send, on
// the main thread: a FIFO with no writer blocked the host forever, and
// /dev/zero grew its memory until it died. It must be refused (the batch is
// retried later with a reason) and the host must go on and exit by itself.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'
import { runScript } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

for (const kind of ['fifo', '/dev/zero']) {
  test(`a ca= that is ${kind === 'fifo' ? 'a FIFO without a writer' : kind} neither hangs nor floods the host`, () => {
    const dir = tmpDir()
    let ca = kind
    if (kind === 'fifo') {
      ca = path.join(dir, 'ca.pem')
      execFileSync('mkfifo', [ca])
    }
    const r = runScript(`
      const log = lib.createLogger({ log_file: ${JSON.stringify(path.join(dir, 'agent.log'))}, log_ship: ${JSON.stringify(`syslog+tls://127.0.0.1:6514?ca=${ca}`)} })
      log.info('hello')
      setTimeout(() => { log.info('still alive'); process.stdout.write(JSON.stringify(log.stats().ship)) }, 2500)
    `, { timeout: 20_000 })
    assert.equal(r.signal, null, `the host hung (killed by ${r.signal ?? ''})`)
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /"failures":[1-9]/)
  })
}
