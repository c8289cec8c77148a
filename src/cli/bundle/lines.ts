// Reading a file (or part of it, or its gunzipped content) line by line in
// bounded memory: a line longer than the cap is kept to the cap and the
// rest of it only counted, so a 200 MB line of NULs costs a read, not a
// 200 MB string.

import fs from 'node:fs'
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import zlib from 'node:zlib'

export interface Line {
  /** The line's first bytes (at most the cap), decoded, without its line break. */
  readonly text: string
  /** Bytes of the line past the cap, not kept. */
  readonly dropped: number
  /** Bytes it took in the source, line break included. */
  readonly bytes: number
  /** Whether a line break ended it (else the source, or the range, ended first). */
  readonly complete: boolean
}

/** Splits a stream of chunks into lines of at most `cap` bytes kept. */
export async function * splitLines (chunks: AsyncIterable<Buffer>, cap: number): AsyncGenerator<Line> {
  let parts: Buffer[] = []
  let kept = 0
  let dropped = 0
  const take = (buf: Buffer, from: number, to: number): void => {
    const room = Math.min(cap - kept, to - from)
    if (room > 0) {
      parts.push(buf.subarray(from, from + room))
      kept += room
    }
    dropped += to - from - Math.max(room, 0)
  }
  const emit = (complete: boolean): Line => {
    const line = { text: Buffer.concat(parts, kept).toString('utf8'), dropped, bytes: kept + dropped + (complete ? 1 : 0), complete }
    parts = []
    kept = 0
    dropped = 0
    return line
  }
  for await (const chunk of chunks) {
    let from = 0
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      take(chunk, from, nl)
      yield emit(true)
      from = nl + 1
    }
    take(chunk, from, chunk.length)
  }
  if (kept + dropped > 0) yield emit(false)
}

const read = promisify(fs.read)
const CHUNK = 64 * 1024

/** Bytes `[start, end)` of an open file, in chunks (positional reads; the fd stays open, ours to close). */
export async function * rangeChunks (fd: number, start: number, end: number): AsyncGenerator<Buffer> {
  for (let pos = start; pos < end;) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - pos))
    const { bytesRead } = await read(fd, buf, 0, buf.length, pos)
    if (bytesRead === 0) return
    pos += bytesRead
    yield buf.subarray(0, bytesRead)
  }
}

/** An open gzip file's content (of `size` bytes), stopped after `max` bytes (`state.truncated` then says so). */
export async function * gunzipChunks (fd: number, size: number, max: number, state: { truncated: boolean }): AsyncGenerator<Buffer> {
  const source = Readable.from(rangeChunks(fd, 0, size))
  const gunzip = zlib.createGunzip()
  source.pipe(gunzip)
  let total = 0
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (total + chunk.length > max) {
        yield chunk.subarray(0, max - total)
        state.truncated = true
        return
      }
      total += chunk.length
      yield chunk
    }
  } finally {
    source.unpipe(gunzip)
    source.destroy()
    gunzip.destroy()
  }
}
