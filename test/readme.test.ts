// The README's "Embedding it in an agent" sample runs as written: extracted
// from README.md, run as its own script (require('oneapm-agent-log') resolves
// to the compiled library) against a loopback HTTPS collector.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { cleanEnv } from './helpers/child'
import { httpsServer, makeCerts } from './helpers/servers'
import { tmpDir } from './helpers/tmp'

const ROOT = path.join(__dirname, '..', '..')

function embeddingSample (): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const section = readme.indexOf('## Embedding it in an agent')
  assert.notEqual(section, -1, 'README has no "Embedding it in an agent" section')
  const open = readme.indexOf('```js\n', section)
  const close = readme.indexOf('\n```', open + 6)
  assert.ok(open !== -1 && close !== -1 && readme.lastIndexOf('\n## ', open) < section + 1, 'the section has no js code block')
  return readme.slice(open + 6, close + 1)
}

test('README: the embedding sample runs as written against a collector', async () => {
  const requests: string[] = []
  const collector = await httpsServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`)
    req.resume()
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"return_value":{"agent_run_id":"run-42"}}') })
  })
  try {
    const dir = tmpDir()
    const modules = path.join(dir, 'node_modules')
    fs.mkdirSync(modules)
    fs.symlinkSync(ROOT, path.join(modules, 'oneapm-agent-log'), 'dir')
    const script = path.join(dir, 'agent.js')
    fs.writeFileSync(script, embeddingSample())
    const ca = path.join(dir, 'ca.crt')
    fs.writeFileSync(ca, makeCerts().caCert)
    const logFile = path.join(dir, 'agent.log')
    const env = { ...cleanEnv(), ONEAPM_HOST: `127.0.0.1:${collector.port}`, ONEAPM_LOG_FILE: logFile, NODE_EXTRA_CA_CERTS: ca }
    const child = spawn(process.execPath, [script], { cwd: dir, env })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => { child.kill() }, 30_000)
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve))
    clearTimeout(timer)
    assert.equal(status, 0, stderr)
    const log = fs.readFileSync(logFile, 'utf8')
    assert.doesNotMatch(log, /agent start failed/, log)
    assert.match(log, / oneapm\.instrumentation\.http DEBUG - \[recorded\] wrapping node:http|oneapm INFO - oneapm-agent-log .* started/)
    assert.match(log, / oneapm\.collector\.session INFO - connected to 127\.0\.0\.1:\d+ in \d+ ms run_id=run-42/)
    assert.match(log, / oneapm\.collector\.session WARNING - collector unavailable run_id=run-42 status=503/)
    assert.match(log, / oneapm\.collector\.session ERROR - harvest failed run_id=run-42 err\.type=SyntaxError/)
    assert.match(log, /event=log_stats/)
    assert.deepEqual(requests, ['POST /agent_listener/invoke_raw_method?method=connect'])
  } finally {
    await collector.close()
  }
})
