// The support engineer's first screen, built in one pass over the records
// (in time order, from read.ts). Per record the hot path is a few counters
// and one indexOf for `event=`; the fields are read only for records with an
// event and for errors, and redacted only then. Everything kept is bounded
// (event rows, error kinds, timeline entries) and copied flat, so no kept
// string pins a read chunk. The events table keeps the last EVENT_ROWS_MAX
// rows of what may be a gigabyte: a row of a line read in place (TextView)
// is kept as the line itself, the lines of one piece of text copied at once
// (settle()), and read, redacted and cut only if it is still there at the end.

import { diagnose, type Diagnosis, type Evidence } from '../causes'
import { LineRef, TextView, parseLine, type ReadRecord } from './parse'
import {
  EVENT_ROWS_MAX, type ConnectivityChange, type EventRow, type FileRead, type Finding, type LevelName,
  type ParsedRecord, type ProcessIdentity, type Summary
} from './model'
import { LEVEL_INDEX, Tally, type TallyPart } from './tally'
import { Memo } from './memo'

const LEVEL_NAMES: readonly LevelName[] = ['critical', 'error', 'warning', 'info', 'debug', 'trace']

/** Longest string kept from a record (a message, a cause, a setting). */
const KEEP_CHARS = 1000
/** Error kinds, timeline changes, interference, drops, rotations kept: bounded whatever the log holds. */
const KINDS_MAX = 1000
const LIST_MAX = 5000
/** Failing causes followed at once, over all processes (PidState.open). */
const OPEN_MAX = 5000
/**
 * A part (one worker's share of the scan) keeps every error kind it sees, up to this many and
 * PART_KEY_CHARS characters of keys: which kinds the whole keeps depends on the parts before.
 * Past that, or past PART_LINE_CHARS of event lines, the part overflows (the scan runs on one thread).
 */
const PART_KINDS_MAX = 20_000
const PART_KEY_CHARS = 8 * 1024 * 1024
const PART_LINE_CHARS = 16 * 1024 * 1024
/** The events onEvent keeps state for: their effect depends on what came before, so a part sends their lines to be read in order. */
const ORDERED_EVENTS: ReadonlySet<string> = new Set([
  'agent_start', 'collector_connected', 'collector_request', 'collector_error', 'collector_still_failing', 'collector_recovered',
  'host_interference', 'records_dropped', 'log_rotated', 'log_file_followed', 'log_file_truncated', 'log_file_failed',
  'log_file_fallback', 'log_file_restored'
])
/** Histogram: at most this many buckets on screen, from these sizes. */
const BUCKETS_MAX = 48
const MINUTE = 60_000
const BUCKET_SIZES = [1, 5, 15, 30, 60, 180, 360, 720, 1440, 10080].map((m) => m * MINUTE)
/** The builder's memos (collectorError, status; memo.ts): entries, and the longest key kept (so at most MEMO_MAX × MEMO_KEY_CHARS characters). */
const MEMO_MAX = 1024
const MEMO_KEY_CHARS = 2048
/** Lines up to this long (characters) are kept whole for the events table until the end; longer ones are read and cut at once. */
const PENDING_MAX = 2048

/** How the builder redacts what it keeps (redact-output.ts's OutputRedactor); none: records come redacted. */
export interface RecordRedaction {
  /** The record with name, thread, message and fields redacted when read; time, level, pid and event as they are. */
  record: <R extends ParsedRecord>(r: R) => R
  text: (s: string) => string
}


/** A copy sharing no memory with the line it came from, at most `max` characters. */
function keep (s: string, max = KEEP_CHARS): string {
  const cut = s.length > max ? s.slice(0, max) + '…' : s
  return Buffer.from(cut, 'utf16le').toString('utf16le')
}

/** What agent_start says of a process (the counts are the Tally's). */
interface MutableIdentity {
  version: string | undefined
  node: string | undefined
  platform: string | undefined
  app: string | undefined
  started: number | undefined
  proxy: string | undefined
}

/** A LineRef as posted between threads: its own fields, over a string that is the line alone. */
export interface PendingRow {
  readonly time: number
  readonly level: LevelName
  readonly pid: number
  readonly s: string
  readonly start: number
  readonly end: number
  readonly nameAt: number
  readonly nameEnd: number
  readonly bodyAt: number
}

interface Kind { kind: string, level: LevelName, count: number, first: number, last: number, sample: string }

/**
 * What one worker read of one unit (a file, or a byte range of one) as plain data: the Tally,
 * the error kinds in order of first sight, the last rows of the events table, and the lines of
 * the ORDERED_EVENTS in order. The main thread folds parts in reading order (merge()).
 */
export interface SummaryPart {
  readonly tally: TallyPart
  readonly kinds: ReadonlyArray<Kind & { key: string }>
  /** The part's last rows, oldest first; a line not read yet as a LineRef's fields over the line alone (it is read, redacted and cut by the builder it is merged into, only if it is still in the table at the end). */
  readonly rows: ReadonlyArray<EventRow | PendingRow>
  readonly rowsSeen: number
  readonly ordered: readonly string[]
  /** Past a part's bounds: not mergeable exactly. */
  readonly overflow: boolean
}

interface MutableChange {
  time: number
  pid: number
  state: 'connected' | 'failing' | 'recovered'
  cause: string | undefined
  count: number
  diagnosis: Diagnosis | undefined
  finding: MutableFinding | undefined
}

interface MutableFinding {
  id: string
  base: string
  fix: string
  count: number
  first: number
  last: number
}

interface PidState {
  state: 'connected' | 'failing' | 'recovered' | undefined
  /** The failing changes of the outage now, by cause. */
  open: Map<string, MutableChange>
  /** log_file_failed seen and not yet restored: a log_file_restored then is the same failure. */
  fileFailing: boolean
}

export class SummaryBuilder {
  private readonly tally = new Tally()
  private readonly identities = new Map<number, MutableIdentity>()
  private settings: Record<string, { value: string, source: string }> = {}
  private settingsTime = -Infinity
  private readonly connectivity: MutableChange[] = []
  private connectivityOmitted = 0
  private readonly pids = new Map<number, PidState>()
  /** Entries in every PidState's open map (at most OPEN_MAX). */
  private openCount = 0
  /** By request kind, a word from the log: no prototype, so `__proto__` and `constructor` are kinds like any other. */
  private readonly lastStatus = new Map<string, { status: number, time: number }>()
  private readonly kinds = new Map<string, Kind>()
  private readonly interference: Array<{ time: number, pid: number, cause: string }> = []
  private readonly drops: Array<{ time: number, pid: number, reason: string, dropped: number }> = []
  private readonly rotations: Array<{ time: number, pid: number, reason: string }> = []
  private readonly findings = new Map<string, MutableFinding>()
  /** collectorError's reading of a set of fields, and status()'s request kind of a URL (see there). */
  private readonly diagnosed = new Memo<{ cause: string, diagnosis: Diagnosis, key: string }>(MEMO_MAX, MEMO_KEY_CHARS)
  private readonly kindOfUrl = new Memo<string>(MEMO_MAX, MEMO_KEY_CHARS)
  /** Rows as kept (EventRow), or lines read in place, kept by offsets and read at the end (LineRef). */
  private events: Array<EventRow | LineRef> = []
  private eventsAt = 0
  private eventsSeen = 0
  /** The row number (eventsSeen before it) of the first LineRef still in the reader's piece of text; -1: none. */
  private pieceSeq = -1
  /** A part's: the lines of ORDERED_EVENTS records, and their characters. */
  private readonly ordered: string[] | undefined
  private orderedChars = 0
  private keyChars = 0
  private overflow = false

  /**
   * `redaction` applies to every string the summary keeps of a record, before it is cut.
   * With `part`, the builder reads one unit of a parallel scan (SummaryPart) instead.
   */
  constructor (private readonly redaction?: RecordRedaction, part = false) {
    this.ordered = part ? [] : undefined
  }

  add (r: ParsedRecord): void {
    this.tally.add(r.time, r.level, r.pid)
    const event = r.event
    const li = LEVEL_INDEX[r.level]
    if (event === undefined && li > 2) return
    const red = this.redaction === undefined ? r : this.redaction.record(r)
    // The event as kept (rows, error kinds) is red's: a foreign or hostile writer can put a
    // secret there as anywhere else; the raw one above only decides what is kept.
    const shown = event === undefined ? undefined : red.event
    if (li <= 1) this.errorKind(r, red, shown)
    if (shown === undefined && r instanceof TextView && r.lineLength <= PENDING_MAX) this.pendingRow(r)
    else this.row(red, shown)
    if (shown === undefined) return
    if (this.ordered === undefined) this.onEvent(red, shown, this.identity(r.pid))
    else if (ORDERED_EVENTS.has(shown)) this.order(r)
  }

  /**
   * What is known of process `pid`: kept for the processes the tally lists (at most its PIDS_MAX, see tally.ts), and
   * only those. A bound of its own, filled in order of first event, let processes past the list (and, on one thread
   * only, events no part sends in order) use up the room of a listed process that started later.
   */
  private identity (pid: number): MutableIdentity {
    let p = this.identities.get(pid)
    if (p === undefined) {
      p = { version: undefined, node: undefined, platform: undefined, app: undefined, started: undefined, proxy: undefined }
      if (this.tally.pids.has(pid)) this.identities.set(pid, p)
    }
    return p
  }

  /** A part keeps the line as written (a copy: it may point into a read piece), for merge() to read in order. */
  private order (r: ParsedRecord): void {
    const line = r instanceof TextView ? r.line : (r as ReadRecord).line
    this.orderedChars += line.length
    if (this.orderedChars > PART_LINE_CHARS) this.overflow = true
    else this.ordered?.push(keep(line, Infinity))
  }

  /** This part's share, to merge() into the builder of the whole; rows are read and cut as finish() would. */
  part (): SummaryPart {
    // Records a part counted as other processes' may belong to processes the whole follows: not mergeable exactly.
    return { tally: this.tally.part(), kinds: [...this.kinds].map(([key, k]) => ({ key, ...k })), rows: this.pendingRows(), rowsSeen: this.eventsSeen, ordered: this.ordered ?? [], overflow: this.overflow || this.tally.otherRecords > 0 }
  }

  /**
   * Adds the part read after what this builder has: the same as add() of each of its records.
   * The counts add up; error kinds are taken in order of first sight, so the cap keeps the same
   * ones; the events table takes the part's last rows; the ordered events are read here, in order.
   */
  merge (p: SummaryPart, file: string): void {
    this.tally.merge(p.tally)
    for (const q of p.kinds) {
      let key = q.key
      let k = this.kinds.get(key)
      if (k === undefined) {
        if (this.kinds.size >= KINDS_MAX) key = '(other kinds)'
        k = this.kinds.get(key)
        if (k === undefined) {
          k = { kind: key === q.key ? q.kind : keep(key, 200), level: q.level, count: 0, first: q.first, last: q.last, sample: q.sample }
          this.kinds.set(key, k)
        }
      }
      k.count += q.count
      if (LEVEL_INDEX[q.level] < LEVEL_INDEX[k.level]) k.level = q.level
      if (q.first < k.first) k.first = q.first
      if (q.last > k.last) k.last = q.last
    }
    this.mergeRows(p.rows, p.rowsSeen)
    for (const line of p.ordered) {
      const r = parseLine(line, file)
      if (r === null) continue
      const red = this.redaction === undefined ? r : this.redaction.record(r)
      const shown = red.event
      if (shown !== undefined) this.onEvent(red, shown, this.identity(r.pid))
    }
  }

  /** The part's rows, the last of `seen`, after this builder's: slot seq % EVENT_ROWS_MAX holds row seq, as pushRow keeps them. */
  private mergeRows (posted: ReadonlyArray<EventRow | PendingRow>, seen: number): void {
    const rows = posted.map((r): EventRow | LineRef => 's' in r ? new LineRef(r.time, r.level, r.pid, r.s, r.start, r.end, r.nameAt, r.nameEnd, r.bodyAt) : r)
    const skipped = seen - rows.length
    if (skipped === 0) {
      for (const r of rows) this.pushRow(r)
      return
    }
    // The part's rows fill the table: all kept before is pushed out.
    const base = this.eventsSeen + skipped
    const ring = new Array<EventRow | LineRef>(EVENT_ROWS_MAX)
    for (let i = 0; i < rows.length; i++) ring[(base + i) % EVENT_ROWS_MAX] = rows[i] as EventRow | LineRef
    this.events = ring
    this.eventsSeen = base + rows.length
    this.eventsAt = this.eventsSeen % EVENT_ROWS_MAX
    this.pieceSeq = -1
  }

  /**
   * What add() was given before now may be reused by the reader (read-in-order.ts's TextView):
   * the lines of the rows that point into its piece of text are copied, all in one string.
   */
  settle (): void {
    if (this.pieceSeq < 0) return
    const from = Math.max(this.pieceSeq, this.eventsSeen - EVENT_ROWS_MAX)
    this.pieceSeq = -1
    const refs: LineRef[] = []
    const parts: string[] = []
    for (let seq = from; seq < this.eventsSeen; seq++) {
      const r = this.events[seq % EVENT_ROWS_MAX]
      if (r instanceof LineRef) {
        refs.push(r)
        parts.push(r.s.slice(r.start, r.end))
      }
    }
    // join makes one flat string: the rows hold it, not the piece they were read from.
    const copy = parts.join('\n')
    let at = 0
    for (const r of refs) {
      const n = r.end - r.start
      r.move(copy, at)
      at += n + 1
    }
  }

  private row (r: ParsedRecord, event: string | undefined): void {
    this.pushRow({ time: r.time, level: r.level, name: keep(r.name, 300), pid: r.pid, event: event === undefined ? undefined : keep(event, 100), msg: keep(r.msg) })
  }

  /** A row of the line `v` is at, read at the end (materialize). */
  private pendingRow (v: TextView): void {
    this.pushRow(v.ref())
    if (this.pieceSeq < 0) this.pieceSeq = this.eventsSeen - 1
  }

  /** Row number seq (the eventsSeen before it) is in slot seq % EVENT_ROWS_MAX. */
  private pushRow (row: EventRow | LineRef): void {
    this.eventsSeen++
    if (this.events.length < EVENT_ROWS_MAX) this.events.push(row)
    else {
      this.events[this.eventsAt] = row
      this.eventsAt = (this.eventsAt + 1) % EVENT_ROWS_MAX
    }
  }

  /** The LineRef in `slot`, if any, read, redacted and copied: what row() would have made of the record. */
  private materialize (slot: number): void {
    const r = this.events[slot]
    if (!(r instanceof LineRef)) return
    const text = this.redaction?.text
    const name = r.name
    const msg = r.msg
    this.events[slot] = { time: r.time, level: r.level, name: keep(text === undefined ? name : text(name), 300), pid: r.pid, event: undefined, msg: keep(text === undefined ? msg : text(msg)) }
  }

  /** `r` as read, `red` redacted: redaction masks and never renames, so a field is err.type in `red` only if it is in `r`, and only then are `red`'s fields read. */
  private errorKind (r: ParsedRecord, red: ParsedRecord, event: string | undefined): void {
    const f = event === undefined && r.fields['err.type'] !== undefined ? red.fields : undefined
    const type = f?.['err.type']
    const code = f?.['err.code']
    // A kind joined from two fields is redacted again as a whole: `Bearer` and a token are each
    // harmless alone, and only the joined text is a credential the rules recognise.
    const joined = type !== undefined && code !== undefined ? this.text(`${type} ${code}`) : type
    let kind = event ?? joined ?? shape(red.msg)
    let k = this.kinds.get(kind)
    if (k === undefined) {
      if (this.ordered !== undefined) {
        // A part: every kind, within bounds (see PART_KINDS_MAX).
        this.keyChars += kind.length
        if (this.kinds.size >= PART_KINDS_MAX || this.keyChars > PART_KEY_CHARS) { this.overflow = true; return }
      } else if (this.kinds.size >= KINDS_MAX) kind = '(other kinds)'
      k = this.kinds.get(kind)
      if (k === undefined) {
        k = { kind: keep(kind, 200), level: r.level, count: 0, first: r.time, last: r.time, sample: keep(red.msg, 300) }
        // The key copied too: a kind read from a line would hold the whole text it was read from.
        this.kinds.set(keep(kind, Infinity), k)
      }
    }
    k.count++
    if (LEVEL_INDEX[r.level] < LEVEL_INDEX[k.level]) k.level = r.level
    if (r.time < k.first) k.first = r.time
    if (r.time > k.last) k.last = r.time
  }

  /** The connection state of process `pid`, kept for the processes the tally lists only (as identity()); another's events each start afresh. */
  private pidState (pid: number): PidState {
    let s = this.pids.get(pid)
    if (s === undefined) {
      s = { state: undefined, open: new Map(), fileFailing: false }
      if (this.tally.pids.has(pid)) this.pids.set(pid, s)
    }
    return s
  }

  private onEvent (r: ParsedRecord, event: string, p: MutableIdentity): void {
    const f = r.fields
    switch (event) {
      case 'agent_start': this.agentStart(r, p); break
      case 'collector_connected':
      case 'collector_request': {
        if (event === 'collector_request') this.status(f.url, f.status, r.time)
        const s = this.pidState(r.pid)
        // Only a followed process's first: one past the list has a new state per line, and each of its
        // requests would be a change (thousands a day), pushing the listed processes' out of the list.
        if (s.state === undefined && this.pids.get(r.pid) === s) this.change(s, { time: r.time, pid: r.pid, state: 'connected', cause: undefined, count: 0, diagnosis: undefined, finding: undefined })
        break
      }
      case 'collector_error': this.collectorError(r, p); break
      case 'collector_still_failing': {
        const s = this.pidState(r.pid)
        const c = s.open.get(f.cause ?? '')
        const n = toCount(f.count)
        if (c !== undefined) {
          c.count += n
          if (c.finding !== undefined) { c.finding.count += n; c.finding.last = Math.max(c.finding.last, r.time) }
        }
        break
      }
      case 'collector_recovered': {
        const s = this.pidState(r.pid)
        const failures = toCount(f.failures)
        // The recovery line has the outage's exact total; failures no line accounted for (repeats
        // since the last still_failing) are counted to the cause that was failing last.
        let counted = 0
        let latest: MutableChange | undefined
        for (const c of s.open.values()) {
          counted += c.count
          if (latest === undefined || c.time >= latest.time) latest = c
        }
        if (latest !== undefined && failures > counted) {
          if (latest.finding !== undefined) latest.finding.count += failures - counted
          latest.count += failures - counted
        }
        this.openCount -= s.open.size
        s.open.clear()
        this.change(s, { time: r.time, pid: r.pid, state: 'recovered', cause: `after ${failures} failure${failures === 1 ? '' : 's'} over ${toCount(f.seconds)} s`, count: failures, diagnosis: undefined, finding: undefined })
        break
      }
      case 'host_interference': {
        const cause = keep(f.cause ?? 'unknown', 100)
        if (this.interference.length < LIST_MAX) this.interference.push({ time: r.time, pid: r.pid, cause })
        this.finding(diagnose({ interference: cause }), cause, r.time, 1)
        break
      }
      case 'records_dropped':
        if (this.drops.length < LIST_MAX) this.drops.push({ time: r.time, pid: r.pid, reason: keep(f.reason ?? 'unknown', 100), dropped: toCount(f.dropped) })
        break
      case 'log_rotated':
        this.rotation(r, f.reason ?? 'size')
        break
      case 'log_file_followed':
        // At debug it is another process's rotation, already counted by its log_rotated.
        if (r.level === 'info') this.rotation(r, `renamed by another tool (${f.reason ?? 'logrotate create'})`)
        break
      case 'log_file_truncated':
        this.rotation(r, 'truncated by another tool (logrotate copytruncate)')
        break
      case 'log_file_failed':
      case 'log_file_fallback':
      case 'log_file_restored': {
        const s = this.pidState(r.pid)
        const counted = event === 'log_file_restored' && s.fileFailing
        s.fileFailing = event === 'log_file_failed'
        if (!counted) this.fileFinding(f, r.time)
        break
      }
    }
  }

  private agentStart (r: ParsedRecord, p: MutableIdentity): void {
    const f = r.fields
    p.version = opt(f.version)
    p.node = opt(f.node)
    p.platform = opt(f.platform)
    p.app = opt(f.app_name)
    p.started = r.time
    if (r.time < this.settingsTime) return
    this.settingsTime = r.time
    // No prototype: a setting named __proto__ is a setting, not the object's prototype.
    const settings = Object.create(null) as Record<string, { value: string, source: string }>
    try {
      const parsed = JSON.parse(f.settings ?? '{}') as Record<string, unknown>
      for (const [k, v] of Object.entries(parsed)) {
        if (typeof v !== 'string') continue
        // "value (source)": the source is the last parenthesized part.
        const open = v.lastIndexOf(' (')
        settings[keep(k, 100)] = open >= 0 && v.endsWith(')') ? { value: keep(v.slice(0, open)), source: keep(v.slice(open + 2, -1)) } : { value: keep(v), source: 'unknown' }
      }
    } catch {
      // A cut agent_start line: its settings are not whole.
    }
    this.settings = settings
    const proxy = settings.proxy?.value
    p.proxy = proxy === undefined || proxy === '(unset)' ? undefined : proxy
  }

  /** A string the builder made from a record's (redacted) strings, redacted again: decoding or joining can make a secret the parts hid. */
  private text (s: string): string {
    return this.redaction === undefined ? s : this.redaction.text(s)
  }

  private status (url: string | undefined, status: string | undefined, time: number): void {
    const n = Number(status)
    if (!Number.isInteger(n) || n <= 0) return
    // Every harvest's collector_request names one of a few URLs: each is read once.
    const memo = url !== undefined && this.kindOfUrl.on
    let kind = memo ? this.kindOfUrl.get(url) : undefined
    if (kind === undefined) {
      kind = requestKind(url, (s) => this.text(s))
      if (memo) this.kindOfUrl.set(url, kind)
    }
    const prev = this.lastStatus.get(kind)
    if (prev === undefined && this.lastStatus.size >= KINDS_MAX) return
    if (prev === undefined || time >= prev.time) this.lastStatus.set(kind, { status: n, time })
  }

  private collectorError (r: ParsedRecord, p: MutableIdentity): void {
    const f = r.fields
    this.status(f.url, f.status, r.time)
    // What an outage's lines say repeats line after line: the cause and its diagnosis are
    // worked out once per distinct set of what they are read from (bounded, cleared when full).
    const id = this.diagnosed.on ? JSON.stringify([p.proxy, f.cause, f.status, f.code, f['err.code'], f['err.cause.code'], f.url, f['err.certificate']]) : undefined
    let d = id === undefined ? undefined : this.diagnosed.get(id)
    if (d === undefined) {
      const cause = keep(f.cause ?? 'unknown', 200)
      const evidence = collectorEvidence(f, cause, p.proxy, (s) => this.text(s))
      const diagnosis = diagnose(evidence)
      d = { cause, diagnosis, key: `${diagnosis.id}\u0000${evidence.requestKind ?? ''}\u0000${cause}` }
      if (id !== undefined) this.diagnosed.set(id, d)
    }
    const { cause, diagnosis } = d
    const finding = this.finding(diagnosis, d.key, r.time, 1)
    const s = this.pidState(r.pid)
    const c: MutableChange = { time: r.time, pid: r.pid, state: 'failing', cause, count: 1, diagnosis, finding }
    // The causes failing now, over all processes, are bounded too: an outage whose every line names
    // a new cause (and no recovery) would grow them with the log. Past OPEN_MAX a new cause is not
    // followed (its still_failing lines count to nothing, its recovery to the latest followed one).
    // A process past PIDS_MAX has a state of its own for this line only: nothing to follow.
    if (this.pids.get(r.pid) === s && (s.open.has(cause) || this.openCount < OPEN_MAX)) {
      if (!s.open.has(cause)) this.openCount++
      s.open.set(cause, c)
    }
    this.change(s, c)
  }

  private fileFinding (f: Readonly<Record<string, string>>, time: number): void {
    const code = opt(f.code)
    const path = opt(f.path)
    const e: Evidence = { ...(code === undefined ? {} : { code }), ...(path === undefined ? {} : { path }) }
    const d = diagnose(e)
    this.finding(d, `${d.id}\u0000${e.path ?? ''}\u0000${e.code ?? ''}`, time, 1)
  }

  private finding (d: Diagnosis, key: string, time: number, n: number): MutableFinding {
    let found = this.findings.get(key)
    if (found === undefined) {
      found = { id: d.id, base: d.cause, fix: d.fix, count: 0, first: time, last: time }
      if (this.findings.size < KINDS_MAX) this.findings.set(key, found)
    }
    found.count += n
    if (time < found.first) found.first = time
    if (time > found.last) found.last = time
    return found
  }

  private change (s: PidState, c: MutableChange): void {
    s.state = c.state
    if (this.connectivity.length < LIST_MAX) this.connectivity.push(c)
    else this.connectivityOmitted++
  }

  private rotation (r: ParsedRecord, reason: string): void {
    if (this.rotations.length < LIST_MAX) this.rotations.push({ time: r.time, pid: r.pid, reason: keep(reason, 200) })
  }

  /**
   * A part's rows, oldest first, as they are: most will be pushed out of the table by the parts
   * after, so a line kept whole is not read and redacted here but posted as it is (a copy of the
   * line alone: a LineRef points into a string of many lines).
   */
  private pendingRows (): Array<EventRow | PendingRow> {
    const rows = this.events
    const ordered = rows.length < EVENT_ROWS_MAX ? rows : [...rows.slice(this.eventsAt), ...rows.slice(0, this.eventsAt)]
    return ordered.map((r) => r instanceof LineRef ? r.alone() : r)
  }

  /** The events table's rows, oldest first, each read, redacted and cut. */
  private rows (): EventRow[] {
    for (let slot = 0; slot < this.events.length; slot++) this.materialize(slot)
    // Every row is an EventRow now.
    const rows = this.events as EventRow[]
    return rows.length < EVENT_ROWS_MAX ? rows : [...rows.slice(this.eventsAt), ...rows.slice(0, this.eventsAt)]
  }

  finish (files: readonly FileRead[], since: number, until: number): Summary {
    const events = this.rows()
    const t = this.tally
    return {
      files: [...files],
      since,
      until,
      first: t.first,
      last: t.last,
      records: t.records,
      otherProcessRecords: t.otherRecords,
      processes: [...t.pids.values()].sort((a, b) => a.firstSeen - b.firstSeen).map((p): ProcessIdentity => {
        const id = this.identities.get(p.pid)
        return { pid: p.pid, version: id?.version, node: id?.node, platform: id?.platform, app: id?.app, started: id?.started, firstSeen: p.firstSeen, lastSeen: p.lastSeen, records: p.records }
      }),
      settings: this.settings,
      connectivity: this.connectivity.map((c): ConnectivityChange => ({
        time: c.time,
        pid: c.pid,
        state: c.state,
        cause: c.cause,
        count: c.count,
        diagnosis: c.diagnosis === undefined ? undefined : { id: c.diagnosis.id, cause: c.diagnosis.cause, fix: c.diagnosis.fix }
      })),
      lastStatus: Object.fromEntries(this.lastStatus),
      histogram: this.histogram(),
      topErrors: [...this.kinds.values()].sort((a, b) => b.count - a.count || a.first - b.first).slice(0, 20),
      interference: this.interference,
      drops: this.drops,
      rotations: this.rotations,
      findings: [...this.findings.values()].sort((a, b) => a.first - b.first).map((f): Finding => ({
        id: f.id,
        cause: `${f.base} (${f.count} time${f.count === 1 ? '' : 's'} since ${shortTime(f.first)})`,
        fix: f.fix,
        count: f.count,
        first: f.first,
        last: f.last
      })),
      events,
      eventsOmitted: this.eventsSeen - events.length
    }
  }

  private histogram (): Summary['histogram'] {
    const t = this.tally
    if (t.records === 0) return { bucketMs: t.bucketMs, buckets: [] }
    const span = t.last - t.first
    const size = BUCKET_SIZES.find((s) => s >= t.bucketMs && span / s < BUCKETS_MAX) ?? Math.max(t.bucketMs, Math.ceil(span / BUCKETS_MAX / MINUTE) * MINUTE)
    const from = Math.floor(t.first / size)
    const to = Math.floor(t.last / size)
    const rows = Array.from({ length: to - from + 1 }, () => [0, 0, 0, 0, 0, 0])
    for (const [k, c] of t.counts) {
      const row = rows[Math.floor(k * t.bucketMs / size) - from]
      if (row !== undefined) for (let i = 0; i < 6; i++) row[i] = (row[i] as number) + (c[i] as number)
    }
    return {
      bucketMs: size,
      buckets: rows.map((row, i) => ({
        start: (from + i) * size,
        counts: Object.fromEntries(LEVEL_NAMES.map((l, j) => [l, row[j] as number])) as Record<LevelName, number>
      }))
    }
  }
}

function opt (s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : keep(s, 200)
}

function toCount (s: string | undefined): number {
  const n = Number(s)
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0
}

/**
 * The collector method of a request: the `method=` query parameter (the agent protocol), else the path's last segment.
 * The parameter is decoded, which can spell out a secret the URL's redaction could not see in its encoded
 * form (`0%312%33...`): `redact` runs on the decoded kind, before it is cut.
 */
export function requestKind (url: string | undefined, redact: (s: string) => string = (s) => s): string {
  if (url === undefined || url === '') return 'unknown'
  const q = url.indexOf('?')
  if (q >= 0) {
    for (const part of url.slice(q + 1).split('&')) {
      if (part.startsWith('method=')) return keep(redact(decodeSafe(part.slice(7))), 100)
    }
  }
  const pathEnd = q >= 0 ? q : url.length
  const slash = url.lastIndexOf('/', pathEnd - 1)
  const seg = url.slice(slash + 1, pathEnd)
  return seg === '' ? 'unknown' : keep(seg, 100)
}

function decodeSafe (s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** What a collector_error says of its failure, for causes.ts. */
function collectorEvidence (f: Readonly<Record<string, string>>, cause: string, proxy: string | undefined, redact: (s: string) => string): Evidence {
  const status = Number(f.status)
  const code = f.code ?? f['err.code'] ?? f['err.cause.code'] ?? (cause.startsWith('HTTP ') ? undefined : cause.split(' ')[0])
  const e: { -readonly [K in keyof Evidence]: Evidence[K] } = {}
  if (Number.isInteger(status) && status > 0) e.status = status
  if (code !== undefined && code !== '') e.code = keep(code, 100)
  if (f.url !== undefined) {
    e.requestKind = requestKind(f.url, redact)
    const host = hostOf(f.url)
    if (host !== undefined) e.host = host
  }
  if (proxy !== undefined) e.proxy = proxy
  const cert = f['err.certificate']
  if (cert !== undefined) {
    try {
      const c = JSON.parse(cert) as { subject?: unknown, issuer?: unknown }
      const issuer = dn(c.issuer)
      const subject = dn(c.subject)
      if (issuer !== undefined) e.issuer = issuer
      if (subject !== undefined) e.subject = subject
    } catch {
      // A cut certificate field.
    }
  }
  return e
}

function hostOf (url: string): string | undefined {
  const s = url.indexOf('//')
  if (s < 0) return undefined
  let end = s + 2
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end++
  const authority = url.slice(s + 2, end)
  const at = authority.lastIndexOf('@')
  const host = at >= 0 ? authority.slice(at + 1) : authority
  return host === '' ? undefined : keep(host, 200)
}

/** A certificate name as `CN=x, O=y` (Node gives an object of its parts). */
function dn (v: unknown): string | undefined {
  if (typeof v === 'string') return keep(v, 200)
  if (typeof v !== 'object' || v === null) return undefined
  const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`)
  return parts.length === 0 ? undefined : keep(parts.join(', '), 200)
}

/** A message's shape for grouping: digit runs as N, cut short. */
function shape (msg: string): string {
  const out = msg.slice(0, 80).replace(DIGIT_RUN, 'N')
  return out === '' ? '(empty message)' : out
}

const DIGIT_RUN = /[0-9]+/g

const pad = (n: number): string => (n < 10 ? '0' : '') + String(n)

/** `2026-11-21 10:02` in this machine's time zone. */
export function shortTime (ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? '?' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}
