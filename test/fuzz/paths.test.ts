// Fuzz: log_file paths an operator may write: relative, ~, odd characters,
// directories that do not exist, /dev/null, /dev/full, a FIFO with no reader,
// a directory, symlinks (to a file, to a directory, dangling), /proc. Each
// runs in a child process, so a hang fails the property instead of the suite.
// Invariants: the host is never blocked and never sees a throw; nothing that
// is not the agent's own regular file is unlinked, renamed or replaced; a
// regular file gets parseable lines; doctor says what kind of path it is.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { cleanEnv, runScript } from '../helpers/child'
import { property } from './harness'
import { checkLines } from './lines'
import { inTempDir } from './session'

const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js')

type Kind = 'relative' | 'tilde' | 'odd name' | 'missing dirs' | '/dev/null' | '/dev/full' | 'fifo' | 'directory' | 'symlink to file' | 'symlink to dir' | 'dangling symlink' | '/proc'
const KINDS: readonly Kind[] = ['relative', 'tilde', 'odd name', 'missing dirs', '/dev/null', '/dev/full', 'fifo', 'directory', 'symlink to file', 'symlink to dir', 'dangling symlink', '/proc']

const oddName = fc.array(fc.constantFrom('a', ' ', 'é', '#', ';', '%', '$', "'", '"', '\n', '\t', '*', '?', '[', ']', '\\', '..', '💥', '-', '~'), { minLength: 1, maxLength: 12 })
  .map((a) => a.join('').replace(/^\.\.$/, 'x..') + '.log')

interface Setup {
  /** The log_file setting. */
  readonly setting: string
  /** The file the records should land in, when the path is a writable regular file. */
  readonly regular: string | undefined
  /** Things that must be exactly as they were afterwards. */
  readonly keep: ReadonlyArray<{ readonly at: string, readonly what: string }>
  /** Words doctor must use about this path. */
  readonly doctorSays: RegExp | undefined
}

function setUp (kind: Kind, dir: string, name: string): Setup {
  const work = path.join(dir, 'work')
  fs.mkdirSync(work)
  switch (kind) {
    case 'relative': return { setting: path.join('logs', name), regular: path.join(work, 'logs', name), keep: [], doctorSays: undefined }
    case 'tilde': return { setting: `~/${name}`, regular: path.join(dir, 'home', name), keep: [], doctorSays: undefined }
    case 'odd name': return { setting: path.join(dir, name), regular: path.join(dir, name), keep: [], doctorSays: undefined }
    case 'missing dirs': return { setting: path.join(dir, 'a', 'b', 'c', name), regular: path.join(dir, 'a', 'b', 'c', name), keep: [], doctorSays: undefined }
    case '/dev/null': return { setting: '/dev/null', regular: undefined, keep: [{ at: '/dev/null', what: 'char' }], doctorSays: /device/i }
    case '/dev/full': return { setting: '/dev/full', regular: undefined, keep: [{ at: '/dev/full', what: 'char' }], doctorSays: /device/i }
    case 'fifo': {
      const fifo = path.join(dir, 'agent.fifo')
      spawnSync('mkfifo', [fifo])
      return { setting: fifo, regular: undefined, keep: [{ at: fifo, what: 'fifo' }], doctorSays: /fifo|named pipe/i }
    }
    case 'directory': {
      const d = path.join(dir, 'logdir')
      fs.mkdirSync(d)
      fs.writeFileSync(path.join(d, 'keep.txt'), 'operator data')
      return { setting: d, regular: undefined, keep: [{ at: d, what: 'dir' }, { at: path.join(d, 'keep.txt'), what: 'file:operator data' }], doctorSays: /director/i }
    }
    case 'symlink to file': {
      const target = path.join(dir, 'real.log')
      fs.writeFileSync(target, '')
      const link = path.join(dir, name)
      fs.symlinkSync(target, link)
      return { setting: link, regular: target, keep: [{ at: link, what: `link:${target}` }], doctorSays: /symlink|symbolic link/i }
    }
    case 'symlink to dir': {
      const target = path.join(dir, 'realdir')
      fs.mkdirSync(target)
      const link = path.join(dir, 'linkdir')
      fs.symlinkSync(target, link)
      return { setting: link, regular: undefined, keep: [{ at: link, what: `link:${target}` }, { at: target, what: 'dir' }], doctorSays: /symlink|symbolic link|director/i }
    }
    case 'dangling symlink': {
      const link = path.join(dir, name)
      fs.symlinkSync(path.join(dir, 'nowhere', 'x.log'), link)
      return { setting: link, regular: undefined, keep: [{ at: link, what: `link:${path.join(dir, 'nowhere', 'x.log')}` }], doctorSays: /symlink|symbolic link/i }
    }
    case '/proc': return { setting: '/proc/self/oneapm/agent.log', regular: undefined, keep: [], doctorSays: undefined }
  }
}

function state (at: string): string {
  try {
    const st = fs.lstatSync(at)
    if (st.isSymbolicLink()) return `link:${fs.readlinkSync(at)}`
    if (st.isFIFO()) return 'fifo'
    if (st.isCharacterDevice()) return 'char'
    if (st.isDirectory()) return 'dir'
    if (st.isFile()) return `file:${fs.readFileSync(at, 'utf8').slice(0, 100)}`
    return 'other'
  } catch (err) {
    return `missing (${(err as NodeJS.ErrnoException).code})`
  }
}

property('log_file paths: never blocks or throws, never replaces what is not ours, doctor names the kind', { runs: 12, maxRuns: 300, expensive: true },
  [fc.constantFrom(...KINDS), oddName, fc.constantFrom('text', 'json'), fc.constantFrom(0, 1024 * 1024), fc.integer({ min: 1, max: 400 })],
  async (kind: Kind, name: string, format: string, maxSize: number, records: number) => {
    await inTempDir(async (dir) => {
      const setup = setUp(kind, dir, name)
      fs.mkdirSync(path.join(dir, 'home'))
      const env = { HOME: path.join(dir, 'home') }
      // log_max_size as small as allowed, so that rotation happens too.
      const settings = { log_file: setup.setting, log_format: format, log_max_size: maxSize === 0 ? 0 : 1, log_max_files: 2 }
      const r = runScript(`
        const log = lib.createLogger(${JSON.stringify(settings)}, { global: false })
        for (let i = 0; i < ${records}; i++) log.info({ i, pad: 'x'.repeat(200) }, 'record %d', i)
        log.flush()
        log.close().then(() => process.stdout.write('done\\n'))
      `, { env, cwd: path.join(dir, 'work'), timeout: 20_000 })
      assert.equal(r.error, undefined, `the host was blocked (${String(r.error)}); stderr: ${r.stderr}`)
      assert.equal(r.status, 0, `the host exited ${r.status} (${r.signal}): ${r.stderr}`)
      assert.equal(r.stdout, 'done\n', `the host did not finish: ${r.stderr}`)
      for (const k of setup.keep) assert.equal(state(k.at), k.what, `${k.at} was changed`)
      if (setup.regular !== undefined) {
        const files = fs.readdirSync(path.dirname(setup.regular)).filter((f) => f.startsWith(path.basename(setup.regular as string)))
        let total = 0
        for (const f of files) {
          const full = path.join(path.dirname(setup.regular), f)
          if (!fs.lstatSync(full).isFile() || f.endsWith('.gz') || !fs.readFileSync(full, 'utf8').includes('record ')) continue
          total += checkLines(fs.readFileSync(full, 'utf8'), format as 'text', 16 * 1024).filter((l) => / record \d|"msg":"record \d/.test(l.line)).length
        }
        assert.ok(total >= records, `${records} records logged, ${total} found in ${files.join(', ')}`)
      }
      const config = path.join(dir, 'agent.config')
      fs.writeFileSync(config, `[oneapm]\nlog_file = ${setup.setting.includes('\n') ? path.join(dir, 'plain.log') : setup.setting}\n`)
      const doctor = spawnSync(process.execPath, [CLI, 'doctor', '--config', config], { encoding: 'utf8', env: { ...cleanEnv(), ...env }, cwd: path.join(dir, 'work'), timeout: 20_000 })
      assert.equal(doctor.error, undefined, `doctor was blocked: ${String(doctor.error)}`)
      assert.ok(doctor.status === 0 || doctor.status === 1, `doctor exited ${doctor.status}: ${doctor.stderr}`)
      // A name with ' #' or ' ;' cannot be written in INI as it is (that starts an inline comment), nor one with a newline.
      const writable = !setup.setting.includes('\n') && !/\s[;#]/.test(setup.setting)
      if (setup.doctorSays !== undefined && writable) assert.match(doctor.stdout, setup.doctorSays, `doctor does not say what ${setup.setting} is`)
      for (const k of setup.keep) assert.equal(state(k.at), k.what, `${k.at} was changed by doctor`)
    })
  })
