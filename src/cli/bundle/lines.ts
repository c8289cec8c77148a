// Reading a file (or part of it, or its gunzipped content) line by line in
// bounded memory and in time linear in its bytes: each chunk is split
// synchronously (one indexOf per line, no allocation for a line that lies
// within its chunk), and a line longer than the cap is kept to the cap and
// the rest of it only counted, so a 200 MB line of NULs costs a read, not
// a 200 MB string.

import fs from 'node:fs'
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import zlib from 'node:zlib'

/**
 * One line: bytes `[start, end)` of `buf` are its first bytes (at most the
 * cap), without its line break; `dropped` bytes past the cap were not kept;
 * `bytes` it took in the source, line break included; `complete` whether a
 * line break ended it (else the source, or the range, ended first).
 * Answers true to stop the reading.
 */
export type OnLine = (buf: Buffer, start: number, end: number, dropped: number, bytes: number, complete: boolean) => boolean

/** Splits chunks into lines of at most `cap` bytes kept, handing each to `onLine`. */
export class LineSplitter {
  private parts: Buffer[] = []
  private kept = 0
  private dropped = 0
  private stopped = false

  constructor (private readonly cap: number, private readonly onLine: OnLine) {}

  /** Feeds one chunk; false once `onLine` asked to stop (the rest of the chunk is not read). */
  push (chunk: Buffer): boolean {
    if (this.stopped) return false
    let from = 0
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      if (this.kept + this.dropped === 0) {
        // The whole line is in this chunk: handed over in place.
        const end = Math.min(nl, from + this.cap)
        if (this.onLine(chunk, from, end, nl - end, nl - from + 1, true)) return this.stop()
      } else {
        this.take(chunk, from, nl)
        if (this.emit(true)) return this.stop()
      }
      from = nl + 1
    }
    this.take(chunk, from, chunk.length)
    return true
  }

  /** The source ended: its last line, if it had no line break. */
  end (): void {
    if (!this.stopped && this.kept + this.dropped > 0) this.emit(false)
  }

  private stop (): false {
    this.stopped = true
    return false
  }

  private take (buf: Buffer, from: number, to: number): void {
    const room = Math.min(this.cap - this.kept, to - from)
    if (room > 0) {
      // Copied: the chunk may be reused by its reader.
      this.parts.push(Buffer.from(buf.subarray(from, from + room)))
      this.kept += room
    }
    this.dropped += to - from - Math.max(room, 0)
  }

  private emit (complete: boolean): boolean {
    const text = this.parts.length === 1 ? this.parts[0] as Buffer : Buffer.concat(this.parts, this.kept)
    const dropped = this.dropped
    const bytes = this.kept + dropped + (complete ? 1 : 0)
    this.parts = []
    this.kept = 0
    this.dropped = 0
    return this.onLine(text, 0, text.length, dropped, bytes, complete)
  }
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
  const gunzip = zlib.createGunzip({ chunkSize: CHUNK })
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
