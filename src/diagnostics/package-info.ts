// This library's own name, version and supported Node range, read once from
// its package.json (found by walking up, so it works from dist/ and build/).

import fs from 'node:fs'
import path from 'node:path'

export interface PackageInfo {
  readonly name: string
  readonly version: string
  readonly engines: string
  /** The directory holding package.json (and agent.config.example). */
  readonly root: string
}

function find (): PackageInfo {
  let dir = __dirname
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>
      if (pkg.name === 'oneapm-agent-log') {
        const engines = (pkg.engines as Record<string, string> | undefined)?.node ?? '>=20.18.1'
        return { name: 'oneapm-agent-log', version: String(pkg.version), engines, root: dir }
      }
    } catch {
      // Not here; keep walking up.
    }
    dir = path.dirname(dir)
  }
  return { name: 'oneapm-agent-log', version: 'unknown', engines: '>=20.18.1', root: path.join(__dirname, '..', '..') }
}

export const PACKAGE: PackageInfo = find()
