'use strict'
// Project lint: the rules that keep the architecture readable, checked on
// every CI run (tsc --noEmit checks the types).
//  1. Imports point down the layers of docs/architecture.md:
//       internal → record → format → sinks → collector → ship → logger → index → cli
//     config/ and diagnostics/ are shared: anyone may import them, and they
//     import only internal, record, format, sinks and each other.
//  2. cli/ uses the library only through src/index.ts (or src/tools.ts, the part of it the
//     log readers need, which loads without the logger).
//  3. src/index.ts names every export (no `export *`).
//  4. No console.* in src/: the host owns the console; we write to fds.
const fs = require('node:fs')
const path = require('node:path')

const src = path.join(__dirname, '..', 'src')
const RANK = { internal: 0, record: 1, format: 2, sinks: 3, config: 3.5, diagnostics: 3.5, collector: 4, ship: 4.5, logger: 5, 'tools.ts': 5.5, 'index.ts': 6, cli: 7 }
const SHARED = new Set(['config', 'diagnostics'])
const problems = []

function areaOf (file) {
  return path.relative(src, file).split(path.sep)[0]
}

function allowed (from, to) {
  if (from === to) return true
  if (from === 'cli') return to === 'index.ts' || to === 'tools.ts'
  if (SHARED.has(from)) return RANK[to] <= RANK.sinks || SHARED.has(to)
  if (SHARED.has(to)) return true
  return RANK[to] < RANK[from]
}

const files = fs.readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => path.join(src, f))
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8')
  const rel = path.relative(path.join(src, '..'), file)
  const from = areaOf(file)
  if (!(from in RANK)) problems.push(`${rel}: src/${from} is not a known layer; add it to scripts/lint.js and docs/architecture.md`)
  for (const m of text.matchAll(/(?:from|import|require\()\s*'(\.[^']*)'/g)) {
    const target = path.resolve(path.dirname(file), m[1])
    const to = areaOf(target.endsWith('.ts') ? target : target + '.ts')
    if (!allowed(from, to)) problems.push(`${rel}: imports ${m[1]} (${from} → ${to} goes against the layer order)`)
  }
  text.split('\n').forEach((line, i) => {
    if (/\bconsole\.\w+\s*\(/.test(line) && !line.trim().startsWith('//')) problems.push(`${rel}:${i + 1}: console.* in src (write to a file descriptor instead)`)
    if (file.endsWith('index.ts') && /export \*/.test(line)) problems.push(`${rel}:${i + 1}: export * (name every export)`)
  })
}

if (problems.length > 0) {
  console.error(problems.join('\n'))
  console.error(`\nlint: ${problems.length} problem(s)`)
  process.exit(1)
}
console.log(`lint: ${files.length} files ok`)
