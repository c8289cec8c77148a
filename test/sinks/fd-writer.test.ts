import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import v8 from 'node:v8'
import vm from 'node:vm'
import { setTimeout as sleep } from 'node:timers/promises'
import { FdWriter, fdTarget, type DropReason } from '../../src/sinks/fd-writer'
import { tmpDir } from '../helpers/tmp'

function fifo (): { read: number, write: number } {
  const p = path.join(tmpDir(), 'pipe')
  execFileSync('mkfifo', [p])
  const read = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  const write = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)
  return { read, write }
}

/** Reads what the pipe holds now, as bytes (a chunk may end inside a character). */
function drain (fd: number): Buffer {
  const chunks: Buffer[] = []
  for (;;) {
    const buf = Buffer.alloc(1 << 16)
    try {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) return Buffer.concat(chunks)
      chunks.push(buf.subarray(0, n))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return Buffer.concat(chunks)
      throw err
    }
  }
}

test('a slow pipe (EAGAIN): memory stays bounded, drops are counted, and reported once it drains', async () => {
  const { read, write } = fifo()
  const recovered: Array<[number, DropReason]> = []
  const w = new FdWriter(fdTarget(write, true), { maxBuffer: 128 * 1024, onRecovered: (n, r) => { recovered.push([n, r]) } })
  const line = 'x'.repeat(1023) + '\n'
  let accepted = 0
  for (let i = 0; i < 1000; i++) if (w.write(line)) accepted++
  // The pipe holds 64 KiB and the buffer 128 KiB: most of the 1000 KiB had to be dropped.
  assert.ok(accepted < 300, `accepted ${accepted}`)
  assert.equal(w.stats.dropped.buffer_full, 1000 - accepted)
  let received = ''
  for (let i = 0; i < 200 && received.split('\n').length - 1 < accepted; i++) {
    received += drain(read).toString('latin1')
    await sleep(10)
  }
  assert.equal(received.split('\n').length - 1, accepted)
  assert.deepEqual(recovered, [[1000 - accepted, 'buffer_full']])
  assert.equal(w.stats.errors.EAGAIN, undefined)
  w.close()
  fs.closeSync(read)
})

test('flushSync waits a bounded time on EAGAIN, then leaves the rest for the retry timer', () => {
  const { read, write } = fifo()
  const w = new FdWriter(fdTarget(write, true), { maxBuffer: 1 << 20 })
  w.write('y'.repeat(200 * 1024) + '\n')
  const started = Date.now()
  w.flushSync(50)
  assert.ok(Date.now() - started < 5000)
  assert.ok(w.stats.bytes >= 64 * 1024 && w.stats.bytes < 200 * 1024, String(w.stats.bytes))
  w.close(0)
  assert.equal(w.stats.dropped.closed, 1)
  fs.closeSync(read)
})

test('the reader went away (EPIPE): the writer stops quietly and counts what it dropped', () => {
  const { read, write } = fifo()
  fs.closeSync(read)
  const gone: string[] = []
  const w = new FdWriter(fdTarget(write, true), { maxBuffer: 1 << 20, onGone: (code) => { gone.push(code) } })
  w.write('a\nb\n')
  w.flushSync()
  assert.equal(w.write('c\n'), false)
  assert.deepEqual(gone, ['EPIPE'])
  assert.equal(w.isOpen, false)
  assert.equal(w.stats.dropped.destination_gone, 3)
  assert.equal(w.stats.errors.EPIPE, 1)
  w.close()
})

test('a failing disk (ENOSPC on /dev/full): no throw, data kept up to the cap, then dropped as write_error', () => {
  const fd = fs.openSync('/dev/full', 'w')
  const w = new FdWriter(fdTarget(fd, true), { maxBuffer: 64 * 1024 })
  const line = 'z'.repeat(99) + '\n'
  w.write(line)
  w.flushSync()
  assert.equal(w.stats.errors.ENOSPC, 1)
  for (let i = 0; i < 1000; i++) w.write(line)
  w.flushSync()
  assert.ok(w.stats.dropped.write_error > 0)
  assert.equal(w.stats.bytes, 0)
  w.close(0)
})

test('a partial write keeps the unwritten tail and sends it first', () => {
  const { read, write } = fifo()
  const w = new FdWriter(fdTarget(write, true), { maxBuffer: 1 << 20 })
  const big = 'é'.repeat(50_000) + '\n'
  w.write(big)
  w.flushSync(0)
  w.write('next\n')
  let got = Buffer.alloc(0)
  for (let i = 0; i < 100 && !got.toString().endsWith('next\n'); i++) {
    got = Buffer.concat([got, drain(read)])
    w.flushSync(0)
  }
  assert.equal(got.toString(), big + 'next\n')
  w.close()
  fs.closeSync(read)
})

test('a line torn by a partial write goes whole to the next destination (the stderr fallback), never as a headerless tail', () => {
  // A full disk takes part of a batch, then ENOSPC: the target falls back to
  // another fd. The tail of the torn line alone would be a line there with no
  // header, and one a message could shape into a forged record.
  const got = new Map<number, Buffer[]>([[3, []], [4, []]])
  let fd = 3
  let room = 70
  const w = new FdWriter({
    fdFor: () => fd,
    close () {},
    failed: (_fd, code) => { if (code !== 'ENOSPC') return 'default'; fd = 4; return 'retry' }
  }, {
    maxBuffer: 1 << 20,
    write: (to, data) => {
      const buf = data as Buffer
      const n = to === 3 ? Math.min(room, buf.length) : buf.length
      if (n === 0) throw Object.assign(new Error('full'), { code: 'ENOSPC' })
      if (to === 3) room -= n
      got.get(to)?.push(Buffer.from(buf.subarray(0, n)))
      return n
    }
  })
  const first = 'T1 INFO - first record 😀😀\n'
  const second = 'T2 INFO - fine 2026-12-01 00:00:00 ERROR - forged? 😀😀😀😀😀😀\n'
  w.write(first + second)
  w.flushSync(0)
  const file = Buffer.concat(got.get(3) ?? []).toString()
  const fallback = Buffer.concat(got.get(4) ?? []).toString()
  assert.ok(file.startsWith(first) && file.length < first.length + second.length, JSON.stringify(file))
  assert.equal(fallback, second)
  assert.equal(w.stats.bytes, Buffer.byteLength(file) + Buffer.byteLength(fallback))
})

test('a line torn on a pipe (EAGAIN after a partial write) continues where it stopped on the same fd', () => {
  const out: Buffer[] = []
  let calls = 0
  let done = 0
  const w = new FdWriter({ fdFor: () => 5, close () {} }, {
    maxBuffer: 1 << 20,
    onWritten: (_tag, n) => { done += n },
    write: (_fd, data) => {
      const buf = data as Buffer
      calls++
      if (calls === 2) throw Object.assign(new Error('again'), { code: 'EAGAIN' })
      const n = calls === 1 ? 7 : buf.length
      out.push(Buffer.from(buf.subarray(0, n)))
      return n
    }
  })
  w.write('é😀 one\n', 1)
  w.write('two\n', 1)
  w.flushSync(0)
  assert.equal(done, 0)
  w.flushSync(0)
  assert.equal(Buffer.concat(out).toString(), 'é😀 one\ntwo\n')
  assert.equal(done, 2)
})

test('a destination gone for good (EPIPE) releases the buffer it filled while the reader was slow', () => {
  // The writer lives on (later records are dropped and counted): its buffer, up
  // to log_buffer_max (256 MB at most), must not live on with it.
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const held = (): number => { gc(); gc(); return process.memoryUsage().arrayBuffers }
  let code = 'EAGAIN'
  const w = new FdWriter({ fdFor: () => 5, close () {} }, {
    maxBuffer: 32 << 20,
    write: () => { throw Object.assign(new Error(code), { code }) }
  })
  const before = held()
  const line = 'x'.repeat(1023) + '\n'
  for (let i = 0; i < 30 * 1024; i++) w.write(line)
  assert.ok(held() - before > 16 << 20)
  code = 'EPIPE'
  w.flushSync(0)
  assert.equal(w.isOpen, false)
  assert.ok(held() - before < 4 << 20, `still held: ${Math.round((held() - before) / 1048576)} MB`)
})
