// Timestamps for both layouts. The part up to the second is rebuilt once per
// second; each record adds only its milliseconds from a table.

const MS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'))

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n

let localSecond = -1
let localHead = ''
let localTail = ''

/** `2026-11-21 13:18:00,123+0800`: Python's asctime plus the UTC offset. */
export function localTime (ms: number): string {
  const second = Math.floor(ms / 1000)
  if (second !== localSecond) {
    const d = new Date(second * 1000)
    localHead = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())},`
    // Recomputed each second, so a DST change shows up at once.
    const offset = -d.getTimezoneOffset()
    const abs = Math.abs(offset)
    localTail = (offset < 0 ? '-' : '+') + pad2(Math.floor(abs / 60)) + pad2(abs % 60)
    localSecond = second
  }
  return localHead + MS[ms - second * 1000] + localTail
}

let isoSecond = -1
let isoHead = ''

/** `2026-11-21T05:18:00.123Z`: ISO 8601, UTC, milliseconds. */
export function isoTime (ms: number): string {
  const second = Math.floor(ms / 1000)
  if (second !== isoSecond) {
    isoHead = new Date(second * 1000).toISOString().slice(0, 20)
    isoSecond = second
  }
  return isoHead + MS[ms - second * 1000] + 'Z'
}
