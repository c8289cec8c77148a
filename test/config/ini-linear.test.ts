// The config parser's time grows linearly with its input, whatever the
// lines look like. Growth is measured in a child (a quadratic parser would
// take minutes at 1 MB, so the timeout fails it): the time for 1 MB of one
// hostile shape over 64 parses of 16 KB of it stays far below quadratic.
import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { parseIni } from '../../src/config/ini'
import { runScript } from '../helpers/child'

const INI = path.join(__dirname, '..', '..', 'src', 'config', 'ini.js')

// Each builds a text of about n characters.
const SHAPES: Record<string, string> = {
  longWord: "(n) => 'a'.repeat(n)",
  spacesNoSeparator: "(n) => 'a' + ' '.repeat(n) + 'b'",
  spacesThenSeparatorMissing: "(n) => '[oneapm]\\n' + 'k' + ' \\t'.repeat(n / 2) + 'x'",
  longKey: "(n) => '[oneapm]\\n' + 'k'.repeat(n) + ' = v'",
  longValue: "(n) => '[oneapm]\\nk = ' + 'v '.repeat(n / 2)",
  manyInlineHashes: "(n) => '[oneapm]\\nk = ' + ' #'.repeat(n / 2)",
  openHeader: "(n) => '[' + ' '.repeat(n) + 'x'",
  headerSpaces: "(n) => '[' + ' '.repeat(n) + 'x' + ' '.repeat(n) + ']x'",
  headerBrackets: "(n) => '[' + ']'.repeat(n)",
  manyLines: "(n) => '[oneapm]\\n' + 'k = v\\n'.repeat(n / 6)",
  colons: "(n) => '[oneapm]\\n' + ':'.repeat(n)"
}

test('parse time grows linearly for hostile lines (16 KB vs 1 MB)', () => {
  const r = runScript(`
    const { parseIni } = require(${JSON.stringify(INI)});
    const shapes = { ${Object.entries(SHAPES).map(([k, v]) => `${k}: ${v}`).join(',\n')} };
    const out = {};
    const time = (text, times) => {
      let best = Infinity;
      for (let run = 0; run < 3; run++) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < times; i++) parseIni(text);
        best = Math.min(best, Number(process.hrtime.bigint() - t0));
      }
      return best;
    };
    for (const [name, make] of Object.entries(shapes)) {
      const small = make(16 * 1024), big = make(1024 * 1024);
      out[name] = time(big, 1) / time(small, 64);
    }
    process.stdout.write(JSON.stringify(out));
  `, { timeout: 60_000 })
  assert.equal(r.error, undefined, `parsing did not finish in time: ${String(r.error)}`)
  assert.equal(r.status, 0, r.stderr)
  const ratios = JSON.parse(r.stdout) as Record<string, number>
  // Same total bytes on both sides: linear is ~1; quadratic is ~64.
  for (const [name, ratio] of Object.entries(ratios)) assert.ok(ratio < 12, `${name}: 1 MB took ${ratio.toFixed(1)}x 64 parses of 16 KB`)
})

const lineArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('[oneapm]', '[oneapm] ; note', '[oneapm:staging]', '[', ']', '[]', '[ ]', '[a]b', '= x', ': x', 'k', 'k =', '  ; c', '#', '\uFEFF', '\r', '\0'),
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('=', ':', ' = ', ' : '), fc.string({ maxLength: 20 })).map(([k, s, v]) => k + s + v),
  fc.string({ unit: fc.constantFrom('[', ']', '=', ':', ';', '#', ' ', '\t', 'a', '\r'), maxLength: 30 })
)

test('property: any text parses without throwing; every entry and problem points at a real line', () => {
  fc.assert(fc.property(fc.array(lineArb, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
    const text = lines.join(eol)
    const doc = parseIni(text)
    const count = text.split(/\r?\n/).length
    for (const p of doc.problems) assert.ok(p.line >= 1 && p.line <= count)
    for (const [name, entries] of doc.sections) {
      assert.equal(name, name.trim().toLowerCase())
      for (const e of entries) {
        assert.ok(e.line >= 1 && e.line <= count)
        assert.equal(e.key, e.key.trim().toLowerCase())
        assert.ok(!e.key.includes('=') && !e.key.includes(':'), e.key)
        assert.notEqual(e.key, '')
      }
    }
  }), { numRuns: 300 })
})
