'use strict'
// `npm run fuzz`: the fuzz properties of test/fuzz, long. Builds the tests,
// picks a seed (printed first, so any run can be replayed) and runs every
// property with many more runs than `npm test` does.
//
//   npm run fuzz                                   # 1000 runs per property (capped for child-process ones)
//   npm run fuzz -- --runs 5000                    # longer
//   npm run fuzz -- --property secret              # only properties whose name contains "secret"
//   npm run fuzz -- --seed=N --path P --property NAME   # replay the counterexample a failure printed
//
// The same settings as environment variables: FUZZ_RUNS, FUZZ_SEED, FUZZ_PATH, FUZZ_PROPERTY.
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { parseArgs } = require('node:util')

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    seed: { type: 'string' },
    path: { type: 'string' },
    property: { type: 'string' },
    'no-build': { type: 'boolean' }
  }
})
const root = path.join(__dirname, '..')
const env = { ...process.env }
env.FUZZ_RUNS = values.runs ?? env.FUZZ_RUNS ?? '1000'
env.FUZZ_SEED = values.seed ?? env.FUZZ_SEED ?? String((Math.random() * 2 ** 31) | 0)
if (values.path !== undefined) env.FUZZ_PATH = values.path
if (values.property !== undefined) env.FUZZ_PROPERTY = values.property
if (env.FUZZ_PATH && !env.FUZZ_PROPERTY) {
  process.stderr.write('fuzz: --path replays one property; give --property NAME too\n')
  process.exit(2)
}

process.stdout.write(`fuzz: seed ${env.FUZZ_SEED}, ${env.FUZZ_RUNS} runs per property` +
  (env.FUZZ_PROPERTY ? `, properties matching ${JSON.stringify(env.FUZZ_PROPERTY)}` : '') +
  (env.FUZZ_PATH ? `, replaying path ${env.FUZZ_PATH}` : '') +
  `\nfuzz: replay this run with: npm run fuzz -- --seed=${env.FUZZ_SEED} --runs ${env.FUZZ_RUNS}\n`)

if (!values['no-build']) {
  const built = spawnSync(process.execPath, [path.join(__dirname, 'build.js'), '--tests'], { stdio: 'inherit', cwd: root })
  if (built.status !== 0) process.exit(built.status ?? 1)
}
const res = spawnSync(process.execPath, [path.join(__dirname, 'run-tests.js'), 'fuzz/'], { stdio: 'inherit', cwd: root, env })
process.stdout.write(`\nfuzz: seed was ${env.FUZZ_SEED}\n`)
process.exit(res.status ?? 1)
