// What `bundle` prints: where the archive is and a table of its members.

import { formatBytes } from '../doctor'

export interface MemberRow {
  readonly name: string
  readonly bytes: number
  /** Bytes of the source left out to keep within --max-size (0: whole). */
  readonly leftOut: number
}

export function renderTable (file: string, archiveBytes: number, rows: readonly MemberRow[]): string {
  const width = Math.max(6, ...rows.map((r) => r.name.length))
  const lines = [`Wrote ${file} (${formatBytes(archiveBytes)})`, '', `  ${'member'.padEnd(width)}  ${'size'.padStart(9)}`]
  for (const r of rows) {
    lines.push(`  ${r.name.padEnd(width)}  ${formatBytes(r.bytes).padStart(9)}${r.leftOut > 0 ? `  (head and tail: ${formatBytes(r.leftOut)} of the middle left out)` : ''}`)
  }
  const total = rows.reduce((n, r) => n + r.bytes, 0)
  lines.push(`  ${'total'.padEnd(width)}  ${formatBytes(total).padStart(9)}`, '')
  lines.push('Read back and checked: no license key, URL password, bearer/basic token or secret field is left in clear.')
  lines.push('Nothing was uploaded. Look inside (tar xzf), then send the file to OneAPM support.')
  return lines.join('\n') + '\n'
}
