// Fuzz: any arguments in any position, through the public API into a file.
// Invariants: nothing throws into the caller; each call at an enabled level
// gives exactly one line in the layout; every line is within log_max_line.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import * as lib from '../../src/index'
import { property } from './harness'
import { checkLines } from './lines'
import { logToFile, inTempDir } from './session'
import { LEVEL_METHODS, build, buildArgs, callSpec, nastyString, spec, type CallSpec, type Spec } from './values'

const settings = fc.record({
  log_format: fc.constantFrom('text', 'json'),
  log_max_line: fc.constantFrom(1024, 2048, 16 * 1024),
  log_flight_recorder: fc.constantFrom(0, 16 * 1024, 1024 * 1024)
})

const call = fc.record({ method: fc.constantFrom(...LEVEL_METHODS), args: callSpec })

property('log calls: no throw, exactly one parseable line per record, each within log_max_line', { runs: 40 },
  [settings, fc.option(spec, { nil: undefined }), fc.string({ unit: 'binary', maxLength: 20 }), fc.array(call, { minLength: 1, maxLength: 4 })],
  async (s, bindings: Spec | undefined, childName: string, calls: Array<{ method: typeof LEVEL_METHODS[number], args: CallSpec }>) => {
    let expectedName = ''
    const out = await logToFile({ ...s, log_level: 'trace' }, (root) => {
      const named = root.child('fuzz').child(childName)
      expectedName = named.name
      const log = bindings === undefined ? named : named.child('', build(bindings) as Record<string, unknown>)
      expectedName = log.name
      for (const c of calls) log[c.method](...buildArgs(c.args))
    })
    assert.deepEqual(out.thrown.map(String), [], 'a call threw into the caller')
    const lines = checkLines(out.content, s.log_format as 'text' | 'json', s.log_max_line)
    const records = lines.filter((l) => l.name === expectedName)
    assert.equal(records.length, calls.length, `expected ${calls.length} records from ${expectedName}, got ${records.length}:\n${out.content}`)
  })

property('values that log back into the agent (toJSON, getters) give a bounded number of records', { runs: 15 },
  [settings, fc.constantFrom('toJSON', 'getter', 'toString'), fc.integer({ min: 1, max: 5 })],
  async (s, where: string, calls: number) => {
    let reentered = 0
    const out = await logToFile({ ...s, log_level: 'trace' }, (root) => {
      const log = root.child('fuzz')
      const value: Record<string, unknown> = {}
      const relog = (): string => {
        // A guard of the test's own, so a logger with no guard cannot hang the suite.
        if (++reentered < 10_000) log.info({ v: value }, 're-entered')
        return 'x'
      }
      if (where === 'toJSON') value.toJSON = relog
      else if (where === 'toString') value.toString = relog
      else Object.defineProperty(value, 'g', { get: relog, enumerable: true })
      for (let i = 0; i < calls; i++) log.info({ v: value }, '%s', value)
    })
    assert.deepEqual(out.thrown, [])
    const lines = checkLines(out.content, s.log_format as 'text' | 'json', s.log_max_line)
    assert.ok(lines.length <= 10 * calls + 10, `${lines.length} lines from ${calls} calls (re-entered ${reentered} times)`)
  })

// Every method of a logger and every exported function, with generated arguments.
const LOGGER_METHODS = ['child', 'setLevel', 'isLevelEnabled', 'keeps', 'count', 'logStats', 'stats', 'flush', ...LEVEL_METHODS] as const
const FUNCTIONS = Object.entries(lib).filter(([, v]) => typeof v === 'function' && !/^[A-Z]/.test(v.name)) as Array<[string, (...a: unknown[]) => unknown]>

const anyArg = fc.oneof(spec, fc.record({ k: fc.constant('str' as const), v: fc.constantFrom('debug', 'off', 'oneapm.collector', 'interference.x', 'collector.requests', '/dev/null', '.', '') }))

property('logger methods never throw, whatever the arguments', { runs: 60 },
  [settings, fc.array(fc.tuple(fc.constantFrom(...LOGGER_METHODS), fc.array(anyArg, { maxLength: 3 })), { minLength: 1, maxLength: 6 })],
  async (s, steps: Array<[string, Spec[]]>) => {
    const out = await logToFile({ ...s }, (root) => {
      let log = root
      for (const [method, args] of steps) {
        const r = (log as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args.map(build))
        if (method === 'child' && r instanceof lib.Logger) log = r
      }
    })
    assert.deepEqual(out.thrown, [])
    checkLines(out.content, s.log_format as 'text' | 'json', s.log_max_line)
  })

property('exported functions and constructors never throw on bad arguments', { runs: 60 },
  [fc.constantFrom(...FUNCTIONS.map(([n]) => n), 'new Redactor'), fc.array(anyArg, { maxLength: 3 })],
  async (name: string, args: Spec[]) => {
    await inTempDir(async (dir) => {
      const cwd = process.cwd()
      process.chdir(dir)
      const thrown: unknown[] = []
      try {
        const live = args.map(build)
        const r = name === 'new Redactor' ? new lib.Redactor(...(live as [])) : (lib as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...live)
        if (r instanceof lib.Redactor) { r.text(live[0] as string); r.isSecretKey(live[0] as string) }
        if (r instanceof lib.Logger) { r.info('x'); await r.close() }
        const maybe = r as { then?: unknown, close?: unknown, dispatcher?: { close?: unknown } }
        if (typeof maybe?.then === 'function') await (r as Promise<unknown>)
        if (typeof maybe?.close === 'function') await (maybe.close as () => Promise<void>).call(r)
      } catch (err) {
        thrown.push(err)
      } finally {
        process.chdir(cwd)
      }
      assert.deepEqual(thrown.map(String), [], `${name}(${args.map((a) => JSON.stringify(a, (_, v: unknown) => typeof v === 'bigint' ? `${v}n` : v)).join(', ')}) threw`)
    })
  })

property('getLogger names: any string is a usable logger', { runs: 30 }, [nastyString], async (name: string) => {
  const log = lib.getLogger(name)
  assert.ok(log instanceof lib.Logger)
  assert.match(log.name, /^oneapm(\.[A-Za-z0-9_-]+)*$/)
})
