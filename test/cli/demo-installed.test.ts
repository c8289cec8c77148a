// `demo` run from an installed package (npm pack, extracted under a temp
// project's node_modules, offline): the log goes to the working directory,
// nothing is written under node_modules, and the commands it suggests are
// ones that work there.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { cleanEnv } from '../helpers/child'
import { tmpDir } from '../helpers/tmp'

const ROOT = path.join(__dirname, '..', '..', '..')

function listTree (dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort()
}

test('demo from an installed package writes its log to the working directory, never into node_modules', () => {
  const tmp = tmpDir()
  // --ignore-scripts: `prepare` would rebuild dist/ under the tests' feet.
  const tgz = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8', env: { ...cleanEnv(), npm_config_offline: 'true' } }).trim().split('\n').at(-1) as string
  const modules = path.join(tmp, 'project', 'node_modules')
  const pkg = path.join(modules, 'oneapm-agent-log')
  fs.mkdirSync(pkg, { recursive: true })
  execFileSync('tar', ['xzf', path.join(tmp, tgz), '-C', pkg, '--strip-components=1'])
  // Its dependencies, reachable the way npm would place them.
  for (const dep of ['debug', 'ms', 'semver', 'undici']) {
    fs.symlinkSync(path.dirname(require.resolve(`${dep}/package.json`, { paths: [ROOT] })), path.join(modules, dep), 'dir')
  }
  const app = path.join(tmp, 'project', 'app')
  fs.mkdirSync(app)
  const before = listTree(pkg)
  const bin = (JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['oneapm-agent-log'] as string

  const r = spawnSync(process.execPath, [path.join(pkg, bin), 'demo'], { cwd: app, encoding: 'utf8', env: cleanEnv(), timeout: 90_000 })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  const log = path.join(app, 'oneapm_agent.log')
  assert.ok(fs.existsSync(log), `no log in the working directory:\n${r.stdout}`)
  assert.match(fs.readFileSync(log, 'utf8'), / oneapm\.collector INFO - /)
  assert.match(r.stdout, new RegExp(`Its agent log went to ${log.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`))
  assert.deepEqual(listTree(pkg), before, 'the demo wrote under node_modules')
  // Suggestions that work in a project that installed the package.
  assert.doesNotMatch(r.stdout, /npm run /)
  assert.match(r.stdout, /ONEAPM_LOG_LEVEL=debug npx oneapm-agent-log demo/)
  const doctorLine = /Check a config: (.*)$/m.exec(r.stdout)?.[1]
  assert.ok(doctorLine?.includes('npx oneapm-agent-log doctor'), r.stdout)
  // The doctor command it prints, run there (npx resolves to the installed bin), checks the log the demo used.
  const doctor = spawnSync('sh', ['-c', (doctorLine as string).replace('npx oneapm-agent-log', `"${process.execPath}" "${path.join(pkg, bin)}"`)], { cwd: app, encoding: 'utf8', env: cleanEnv(), timeout: 30_000 })
  assert.ok(doctor.status === 0 || doctor.status === 1, doctor.stderr)
  assert.match(doctor.stdout, new RegExp(`log_file\\s+${log.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`))
  assert.deepEqual(listTree(pkg), before, 'doctor wrote under node_modules')
})
