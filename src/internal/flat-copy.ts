// A string that holds no memory of another. V8 makes slices and
// concatenations of 13 characters or more point into their parent, so a kept
// 20-character slice can pin a 100 MB string: whatever we keep past the call
// (caches, the flight recorder, the early queue) is copied flat first.

/** A flat copy of `s` that shares no memory with it; lossless for every code unit, lone surrogates included. */
export function flatCopy (s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le')
}
