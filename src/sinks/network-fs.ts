// O_APPEND is not atomic on network file systems (the client emulates it),
// so several processes appending to one file there can overwrite each other.
// Detected with statfs; the caller then gives each process its own file.

import fs from 'node:fs'

const NETWORK_TYPES: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0x517b, 'SMB'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x564c, 'NCP'],
  [0x5346414f, 'AFS'],
  [0x013111a8, 'IBRIX'],
  [0x7461636f, 'OCFS2'],
  [0x47504653, 'GPFS'],
  [0x00c36400, 'CEPH']
])

export type StatfsFn = (dir: string) => { readonly type: number }

/** The network file system `dir` is on (NFS, SMB, CIFS, ...), or undefined for a local one. */
export function networkFs (dir: string, statfs: StatfsFn = fs.statfsSync): string | undefined {
  try {
    return NETWORK_TYPES.get(statfs(dir).type >>> 0)
  } catch {
    return undefined
  }
}
