// Every function and constructor exported from src/index.ts, called with
// generated arguments of any type (including proxies and getters that throw),
// returns without throwing into the caller.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import * as api from '../src/index'
import { tmpDir } from './helpers/tmp'

const dir = tmpDir()
const cwd = process.cwd()
// Relative paths that generated strings may name land in a temp dir, not the checkout.
process.chdir(dir)
for (const k of Object.keys(process.env)) if (k.startsWith('ONEAPM_') || k === 'DEBUG') Reflect.deleteProperty(process.env, k)
process.env.ONEAPM_LOG_FILE = path.join(dir, 'global.log')
test.after(() => {
  process.chdir(cwd)
  fs.rmSync(dir, { recursive: true, force: true })
})

const trap = (): never => { throw new Error('trap') }
// fast-check asks every generated value whether it has fc.cloneMethod; everything else traps.
const has = (_t: object, k: string | symbol): boolean => { if (k === fc.cloneMethod) return false; return trap() }
const throwingProxy = new Proxy({}, { get: trap, has, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap, apply: trap })
const throwingFn = new Proxy(() => {}, { get: trap, apply: trap, has, ownKeys: trap })
const revoked = Proxy.revocable({}, {})
revoked.revoke()
// fast-check cannot hold a revoked proxy (it asks it for fc.cloneMethod); it holds this stand-in instead.
const REVOKED = Symbol('revoked proxy')
const resolve = (a: unknown): unknown => a === REVOKED ? revoked.proxy : a
const getters = Object.defineProperties({}, Object.fromEntries(
  ['log_file', 'log_level', 'host', 'proxy', 'licenseKey', 'extraNames', 'file', 'env', 'overrides', 'cwd', 'name', 'child', 'kind', 'source', 'hostLogger', 'global', 'hooks', 'log_max_size', 'log_rotate', 'toString', 'valueOf', 'length', 'code', 'message']
    .map((k) => [k, { enumerable: true, get: trap }])
))
const badString = { toString: trap, valueOf: trap, [Symbol.toPrimitive]: trap }

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.anything({ withBigInt: true, withMap: true, withSet: true, withObjectString: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true, withDate: true }) },
  // Picked by index: fast-check itself must not touch the traps.
  fc.nat(15).map((i) => [throwingProxy, throwingFn, REVOKED, getters, badString, Symbol('s'), Number.NaN, -1, 2 ** 53, '', '\0', 'stderr', '/dev/null', '/proc/self', '~', 'x'.repeat(10_000)][i]),
  fc.record({
    log_file: fc.constantFrom(path.join(dir, 'a.log'), path.join(dir, 'sub', 'b.log'), '', 42),
    log_level: fc.oneof(fc.constantFrom('debug', 'nope', 'off'), fc.anything()),
    name: fc.oneof(fc.string(), fc.anything()),
    kind: fc.constantFrom('default', 'code', 'env', 'file', 'other'),
    file: fc.oneof(fc.constant(false), fc.string(), fc.anything()),
    env: fc.oneof(fc.nat(0).map(() => throwingProxy), fc.dictionary(fc.constantFrom('ONEAPM_LOG_LEVEL', 'ONEAPM_PROXY', 'ONEAPM_HOST', 'ONEAPM_X'), fc.anything())),
    overrides: fc.oneof(fc.nat(0).map(() => getters), fc.dictionary(fc.constantFrom('log_level', 'log_levels', 'proxy', 'host', 'log_file'), fc.anything()))
  }, { requiredKeys: [] })
)

const args = fc.array(hostile, { maxLength: 4 })

/** Calls fn (and awaits what it returns, if a promise) and reports a throw or rejection. */
async function noThrow (label: string, fn: (a: unknown[]) => unknown, runs = 100): Promise<void> {
  await fc.assert(fc.asyncProperty(args, async (generated) => {
    const a = generated.map(resolve)
    let result: unknown
    try {
      result = fn(a)
    } catch (err) {
      assert.fail(`${label} threw: ${String((err as Error)?.message ?? err)}`)
    }
    if (result instanceof Promise) await result.catch((err: unknown) => assert.fail(`${label} rejected: ${String((err as Error)?.message ?? err)}`))
  }), { numRuns: runs })
}

const call = (f: unknown) => (a: unknown[]): unknown => (f as (...x: unknown[]) => unknown)(...a)

const exported = Object.entries(api).filter(([, v]) => typeof v === 'function')

test('the list of exported functions is the one this file covers', () => {
  assert.deepEqual(exported.map(([k]) => k).sort(), [
    'Logger', 'Redactor', 'causeOf', 'checkDebugRequest', 'checkDestination', 'checkNodeVersion', 'checkShipDestinations', 'checkShipHeaders', 'inspectShipDestination', 'configRedactor', 'createCollectorDispatcher', 'createLogger',
    'describeRotation', 'describeSource', 'diskBound', 'displaySetting', 'envName', 'getLogger', 'isAgentConfig', 'listRotated',
    'loadConfig', 'maskSecret', 'networkFs', 'parseLevel', 'recordConnections',
    'parseDuration', 'preconnectRequest', 'debugDirOf', 'debugLogName', 'debugStateName',
    'startDebugSession', 'currentDebugSession', 'writeDebugSession', 'readDebugSession', 'stopDebugSession', 'debugProcesses', 'debugSessionStates'
  ].sort())
})

const plain = ['causeOf', 'checkDestination', 'checkNodeVersion', 'checkShipDestinations', 'checkShipHeaders', 'inspectShipDestination', 'configRedactor', 'describeSource', 'diskBound',
  'envName', 'isAgentConfig', 'listRotated', 'loadConfig', 'maskSecret', 'networkFs', 'parseLevel',
  'parseDuration', 'preconnectRequest', 'debugDirOf', 'debugLogName', 'debugStateName',
  'checkDebugRequest', 'readDebugSession', 'stopDebugSession', 'debugProcesses', 'debugSessionStates', 'currentDebugSession']
for (const name of plain) {
  test(`${name}() never throws`, async () => {
    await noThrow(name, call((api as Record<string, unknown>)[name]))
  })
}

test('KEYS[*].parse never throws', async () => {
  for (const key of api.SETTING_KEYS) await noThrow(`KEYS.${key}.parse`, (a) => api.KEYS[key].parse(a[0], a[1] as string), 50)
})

test('configRedactor(cfg).text/.final never throw', async () => {
  const r = api.configRedactor(api.loadConfig({ file: false, env: { ONEAPM_LICENSE_KEY: 'abcdabcdabcdabcdabcd' } }))
  await noThrow('configRedactor().text', (a) => r.text(a[0] as string))
  await noThrow('configRedactor().final', (a) => r.final(a[0] as string))
})

test('new Redactor() and its methods never throw', async () => {
  await noThrow('new Redactor', (a) => new api.Redactor(a[0] as never))
  const r = new api.Redactor({ licenseKey: 'abcdabcdabcdabcd' })
  await noThrow('Redactor.text', (a) => r.text(a[0] as string))
  await noThrow('Redactor.isSecretKey', (a) => r.isSecretKey(a[0] as string))
  await noThrow('Redactor.maskValue', (a) => r.maskValue(a[0] as string, a[1]))
})

test('recordConnections() and createCollectorDispatcher() never throw, nor does stop() or close()', async () => {
  await noThrow('recordConnections', (a) => { api.recordConnections(a[0] as never, a[1] as never, a[2] as never).stop() })
  await noThrow('createCollectorDispatcher', async (a) => {
    const c = api.createCollectorDispatcher(a[0] as never, a[1] as never)
    c.stop()
    await c.close()
  })
})

test('writeDebugSession() and startDebugSession() never throw (a relative or odd directory is refused, nothing written)', async () => {
  // A hostile directory with a refused request (nothing may be written at a generated absolute path), then a hostile request in a temp dir.
  await noThrow('writeDebugSession (directory)', (a) => api.writeDebugSession(a[0] as never, { level: 'nope' }))
  await noThrow('writeDebugSession (request)', (a) => api.writeDebugSession(path.join(dir, 'debug'), a[0] as never))
  await noThrow('startDebugSession', (a) => { api.startDebugSession(a[0] as never).stop() })
})

test('createLogger() and getLogger() never throw', async () => {
  await noThrow('createLogger', (a) => api.createLogger(a[0] as never, a[1] as never), 40)
  await noThrow('createLogger (any options)', (a) => api.createLogger({ log_file: path.join(dir, 'b.log') }, a[0] as never), 40)
  await noThrow('getLogger', call(api.getLogger))
})

for (const name of ['describeRotation', 'displaySetting']) {
  test(`${name}() never throws`, async () => {
    await noThrow(name, call((api as Record<string, unknown>)[name]))
  })
}

test('new Logger() with bad arguments does not throw', async () => {
  await noThrow('new Logger', (a) => new (api.Logger as unknown as new (...x: unknown[]) => unknown)(...a), 50)
})

test('every Logger method never throws', async () => {
  const log = api.createLogger({ log_file: path.join(dir, 'methods.log'), log_level: 'trace' }, { global: false })
  const names = new Set<string>()
  for (let p: object | null = log; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      if (n === 'constructor') continue
      const d = Object.getOwnPropertyDescriptor(p, n)
      if (typeof d?.value === 'function') names.add(n)
    }
  }
  assert.ok(names.has('info') && names.has('child') && names.has('setLevel'), [...names].join(','))
  for (const n of names) {
    await noThrow(`Logger.${n}`, (a) => (log as unknown as Record<string, (...x: unknown[]) => unknown>)[n]?.(...a), 40)
  }
})
