// docs/benchmarks.md holds two reports: `npm run bench` writes the file,
// `npm run bench:host` writes its section between two markers. Each keeps
// the other's part when it rewrites its own.

export const HOST_START = '<!-- bench:host start -->'
export const HOST_END = '<!-- bench:host end -->'

/** The host section of `doc`, markers included; undefined when it has none (or only half of one). */
export function hostBlock (doc: string): string | undefined {
  const start = doc.indexOf(HOST_START)
  if (start === -1) return undefined
  const end = doc.indexOf(HOST_END, start + HOST_START.length)
  return end === -1 ? undefined : doc.slice(start, end + HOST_END.length)
}

/** `body` wrapped in the markers. */
export function wrapHost (body: string): string {
  return `${HOST_START}\n${body.trim()}\n${HOST_END}`
}

/** `doc` with its host section replaced by `block` (markers included), or `block` appended when it has none. */
export function withHostBlock (doc: string, block: string): string {
  const old = hostBlock(doc)
  if (old !== undefined) {
    const at = doc.indexOf(old)
    return doc.slice(0, at) + block + doc.slice(at + old.length)
  }
  return `${doc.trimEnd()}${doc.trim() === '' ? '' : '\n\n'}${block}\n`
}

/** For `npm run bench`: its fresh report, keeping the host section `previous` had. */
export function keepHostBlock (fresh: string, previous: string | undefined): string {
  const block = previous === undefined ? undefined : hostBlock(previous)
  return block === undefined ? fresh : withHostBlock(fresh, block)
}
