// The archive, through node-tar (docs/dependencies.md), required here on
// first use: neither the library nor the CLI's other commands load it.

import fs from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import type * as Tar from 'tar'

function tar (): typeof Tar {
  return require('tar') as typeof Tar
}

/**
 * Packs `members` (paths relative to `dir`) into a new gzipped tar at
 * `file`: created exclusively (an existing name, a symlink included, is
 * never written through), mode 0600, no owner or device metadata.
 */
export async function writeArchive (file: string, dir: string, members: readonly string[]): Promise<void> {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600)
  const out = fs.createWriteStream('', { fd })
  const pack = tar().create({ gzip: true, cwd: dir, portable: true, noDirRecurse: true }, [...members])
  await new Promise<void>((resolve, reject) => {
    out.on('error', reject)
    out.on('close', () => { resolve() })
    pack.on('error', reject)
    pack.pipe(out)
  })
}

export interface ReadBack {
  readonly path: string
  readonly type: string
  /** Bytes of content. */
  readonly size: number
}

/**
 * Reads the whole archive back (gunzip, tar list), handing each member's
 * content to `onText` as it is decoded; resolves with the members seen.
 */
export async function readArchive (file: string, onText: (member: string, text: string, done: boolean) => void): Promise<ReadBack[]> {
  const seen: ReadBack[] = []
  await tar().list({
    file,
    onReadEntry: (entry) => {
      const decoder = new StringDecoder('utf8')
      let size = 0
      const member = String(entry.path)
      entry.on('data', (chunk: Buffer) => {
        size += chunk.length
        onText(member, decoder.write(chunk), false)
      })
      entry.on('end', () => {
        onText(member, decoder.end(), true)
        seen.push({ path: member, type: String(entry.type), size })
      })
    }
  })
  return seen
}
