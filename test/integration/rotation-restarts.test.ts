// Rotation across restarts and a second process, for every combination of
// size / period / both × compression on / off: no rotated or compressed
// file's content is ever lost or replaced. After each phase the content of
// every rotated file (gunzipped) is hashed; every hash seen must still be
// there at the end, and every record is there exactly once.

import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { test } from 'node:test'
import { assertExact, audit, exited, startWriter } from '../helpers/rotation'
import { tmpDir } from '../helpers/tmp'

/** Content hash → a name that held it, for every rotated file (plain or .gz) next to `file`. */
function rotatedContents (file: string): Map<string, string> {
  const dir = path.dirname(file)
  const base = path.basename(file)
  const out = new Map<string, string>()
  for (const n of fs.readdirSync(dir)) {
    if (!/^\.\d{4}-\d\d-\d\d[^/]*\.\d{3,}(\.gz)?$/.test(n.slice(base.length)) || !n.startsWith(base)) continue
    let buf = fs.readFileSync(path.join(dir, n))
    if (n.endsWith('.gz')) buf = zlib.gunzipSync(buf)
    out.set(crypto.createHash('sha256').update(buf).digest('hex'), n)
  }
  return out
}

const KINDS = {
  size: { settings: { log_max_size: '4KB' }, rotation: {} },
  // A daily label is shared by every restart that day: the case where rotated names collide.
  'daily + size': { settings: { log_max_size: '4KB', log_rotate: 'daily' }, rotation: {} },
  period: { settings: { log_max_size: 0 }, rotation: { periodMs: 100 } }
} as const

for (const [kind, spec] of Object.entries(KINDS)) {
  for (const compress of [false, true]) {
    for (const mode of ['restart', 'second process'] as const) {
      test(`${kind} rotation, compression ${compress ? 'on' : 'off'}, ${mode}: no rotated or compressed file is lost or replaced`, async (t) => {
        const dir = tmpDir()
        t.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
        const file = path.join(dir, 'agent.log')
        const records = 300
        const writer = (id: number): ReturnType<typeof startWriter> => startWriter({
          file,
          id,
          records,
          settings: { ...spec.settings, log_max_files: 0, log_compress: compress },
          rotation: { checkMs: 20, graceMs: 100, staleLockMs: 2000, ...spec.rotation },
          batch: 10,
          pauseMs: 3,
          lingerMs: compress ? 400 : 0
        })
        const seen = new Map<string, string>()
        const phases: number[][] = mode === 'restart' ? [[0], [1], [2], [3]] : [[0], [1, 2], [3]]
        for (const ids of phases) {
          const children = ids.map(writer)
          assert.deepEqual(await Promise.all(children.map(exited)), ids.map(() => 0))
          const now = rotatedContents(file)
          for (const [hash, name] of seen) assert.ok(now.has(hash), `the content once in ${name} is gone`)
          for (const [hash, name] of now) seen.set(hash, name)
        }
        assert.ok(seen.size >= 4, `only ${seen.size} rotated files`)
        const a = audit(file)
        assertExact(a, 4, records)
        if (compress) assert.ok(fs.readdirSync(dir).some((n) => n.endsWith('.gz')), 'nothing was compressed')
      })
    }
  }
}
