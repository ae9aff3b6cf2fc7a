import type { JournalEntry, ParsedJournal } from './journal.js';

/**
 * `journalctl -o json` prints a field as null when `NAME=value` takes this many bytes or more (without
 * `--all`); the export format prints it whole, so the same cut is made here.
 */
const JSON_THRESHOLD = 4096;
const NEWLINE = 0x0a;
const EQUALS = 0x3d;

export interface ParsedExport extends ParsedJournal {
  /**
   * Why reading stopped before the end: the output is not the export format there (a binary field's
   * length runs past the end, or its data is not followed by a newline). `entries` and `malformed`
   * hold what came before the broken entry; nothing after it is read, as there is no telling where
   * the next entry starts.
   */
  error?: string;
}

/**
 * Parses `journalctl -o export` output, as bytes, into the entries `-o json` gives (parseJournalJson):
 * the first value of a repeated field, undefined for a value JSON prints as null. Export is much
 * cheaper for journalctl to print than JSON, and reading the bytes decodes only the fields kept. A
 * field is `NAME=value\n`, or `NAME\n<uint64 LE length><bytes>\n` when the value has a newline, a
 * control character or invalid UTF-8; an entry ends with an empty line.
 */
export function parseJournalExport(buf: Buffer): ParsedExport {
  const entries: JournalEntry[] = [];
  let malformed = 0;
  const fields = new Fields();
  const recent = new RecentValues();
  const end = buf.length;
  let pos = 0;
  while (pos < end) {
    fields.clear();
    let lines = 0;
    while (pos < end) {
      if (buf[pos] === NEWLINE) {
        pos++;
        break;
      }
      lines++;
      const name = pos;
      // The name runs to `=` (a text field) or to the end of the line (a binary one).
      let eq = pos;
      while (eq < end && buf[eq] !== EQUALS && buf[eq] !== NEWLINE) eq++;
      const slot = fieldSlot(buf, name, eq - name);
      let start: number;
      let stop: number;
      if (eq < end && buf[eq] === EQUALS) {
        start = eq + 1;
        stop = buf.indexOf(NEWLINE, start);
        if (stop === -1) stop = end;
        pos = stop + 1;
      } else {
        // Past the name's newline: 8 bytes of length, the data, a newline.
        const at = eq + 1;
        if (at + 8 > end) return broken(entries, malformed, 'a binary field without its length', at);
        const length = buf.readBigUInt64LE(at);
        start = at + 8;
        if (length > BigInt(end - start - 1))
          return broken(entries, malformed, `a binary field of ${length} bytes runs past the end`, at);
        stop = start + Number(length);
        if (buf[stop] !== NEWLINE)
          return broken(entries, malformed, 'a binary field not followed by a newline', stop);
        pos = stop + 1;
      }
      // A repeated field keeps its first value, as JSON's array of values does.
      if (slot !== Slot.None && !fields.has(slot)) fields.set(slot, buf, start, stop, eq - name, recent);
    }
    if (lines === 0) continue;
    const entry = fields.entry();
    if (entry === undefined) malformed++;
    else entries.push(entry);
  }
  return { entries, malformed };
}

function broken(entries: JournalEntry[], malformed: number, what: string, at: number): ParsedExport {
  return { entries, malformed, error: `journal export: ${what} at byte ${at}` };
}

/** The fields kept, as bit numbers (Fields.has); 0 is every other field. */
const Slot = {
  None: 0,
  Cursor: 1,
  Realtime: 2,
  Message: 3,
  Priority: 4,
  Unit: 5,
  Identifier: 6,
  Pid: 7,
  Hostname: 8,
  BootId: 9,
} as const;
type Slot = (typeof Slot)[keyof typeof Slot];

/** Which slot the field named by `buf[start, start + length)` fills; compared in place. */
function fieldSlot(buf: Buffer, start: number, length: number): Slot {
  switch (length) {
    case 4:
      return named(buf, start, '_PID') ? Slot.Pid : Slot.None;
    case 7:
      return named(buf, start, 'MESSAGE') ? Slot.Message : Slot.None;
    case 8:
      if (named(buf, start, '__CURSOR')) return Slot.Cursor;
      if (named(buf, start, 'PRIORITY')) return Slot.Priority;
      return named(buf, start, '_BOOT_ID') ? Slot.BootId : Slot.None;
    case 9:
      return named(buf, start, '_HOSTNAME') ? Slot.Hostname : Slot.None;
    case 13:
      return named(buf, start, '_SYSTEMD_UNIT') ? Slot.Unit : Slot.None;
    case 17:
      return named(buf, start, 'SYSLOG_IDENTIFIER') ? Slot.Identifier : Slot.None;
    case 20:
      return named(buf, start, '__REALTIME_TIMESTAMP') ? Slot.Realtime : Slot.None;
    default:
      return Slot.None;
  }
}

/** Whether `buf` holds the ASCII `name` at `start` (the caller has checked the length). */
function named(buf: Buffer, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if (buf[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

/** One entry's fields as they are read: text decoded, numbers read in place. */
class Fields {
  private seen = 0;
  cursor: string | undefined;
  timeMs: number | undefined;
  message: string | undefined;
  priority: number | undefined;
  unit: string | undefined;
  identifier: string | undefined;
  pid: number | undefined;
  hostname: string | undefined;
  bootId: string | undefined;

  clear(): void {
    this.seen = 0;
    this.cursor = this.message = this.unit = this.identifier = this.hostname = this.bootId = undefined;
    this.timeMs = this.priority = this.pid = undefined;
  }

  has(slot: Slot): boolean {
    return (this.seen & (1 << slot)) !== 0;
  }

  /** Takes the value `buf[start, stop)` of a field whose name is `nameLength` bytes long. */
  set(slot: Slot, buf: Buffer, start: number, stop: number, nameLength: number, recent: RecentValues): void {
    this.seen |= 1 << slot;
    // JSON's null: the value is left undefined, whatever it is.
    if (nameLength + 1 + stop - start >= JSON_THRESHOLD) return;
    switch (slot) {
      case Slot.Cursor:
        // journalctl writes cursors in ASCII; an empty one is none.
        this.cursor = stop > start ? buf.toString('latin1', start, stop) : undefined;
        return;
      case Slot.Realtime:
        this.timeMs = realtimeMs(buf, start, stop);
        return;
      case Slot.Message:
        this.message = buf.toString('utf8', start, stop);
        return;
      case Slot.Priority:
        this.priority = smallInt(buf, start, stop, 7);
        return;
      case Slot.Pid:
        this.pid = smallInt(buf, start, stop, 2 ** 31);
        return;
      case Slot.Unit:
        this.unit = recent.value(slot, buf, start, stop);
        return;
      case Slot.Identifier:
        this.identifier = recent.value(slot, buf, start, stop);
        return;
      case Slot.Hostname:
        this.hostname = recent.value(slot, buf, start, stop);
        return;
      case Slot.BootId:
        this.bootId = recent.value(slot, buf, start, stop);
        return;
    }
  }

  /** The entry, or undefined without a cursor and a realtime timestamp (as journalEntry decides). */
  entry(): JournalEntry | undefined {
    if (this.cursor === undefined || this.timeMs === undefined) return undefined;
    return {
      cursor: this.cursor,
      timeMs: this.timeMs,
      message: this.message,
      priority: this.priority,
      unit: this.unit,
      identifier: this.identifier,
      pid: this.pid,
      hostname: this.hostname,
      bootId: this.bootId,
    };
  }
}

/**
 * __REALTIME_TIMESTAMP (1 to 19 digits of microseconds) in unix ms, as journalEntry reads it. Below 2^53
 * every step of the sum is exact; above, Number() decides, as there.
 */
function realtimeMs(buf: Buffer, start: number, stop: number): number | undefined {
  if (stop <= start || stop - start > 19) return undefined;
  let n = 0;
  for (let i = start; i < stop; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
  }
  if (n <= Number.MAX_SAFE_INTEGER) return Math.floor(n / 1000);
  const ms = Math.floor(Number(buf.toString('latin1', start, stop)) / 1000);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** 1 to 10 ASCII digits up to `max`, as journalEntry reads PRIORITY and _PID; otherwise undefined. */
function smallInt(buf: Buffer, start: number, stop: number, max: number): number | undefined {
  if (stop <= start || stop - start > 10) return undefined;
  let n = 0;
  for (let i = start; i < stop; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
  }
  return n <= max ? n : undefined;
}

/**
 * The last few values of the fields that take few values (units, identifiers, hostnames, boot ids),
 * with their bytes: a value seen lately is reused rather than decoded again, for tens of thousands of
 * entries.
 */
class RecentValues {
  private readonly seen = new Map<Slot, Array<{ bytes: Buffer; text: string }>>();

  value(slot: Slot, buf: Buffer, start: number, stop: number): string {
    let list = this.seen.get(slot);
    if (list === undefined) this.seen.set(slot, (list = []));
    const length = stop - start;
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!;
      if (v.bytes.length === length && sameBytes(v.bytes, buf, start)) {
        if (i > 0) {
          list.splice(i, 1);
          list.unshift(v);
        }
        return v.text;
      }
    }
    // A copy: the value outlives this read's buffer only through `text`, but the bytes are compared later.
    const bytes = Buffer.from(buf.subarray(start, stop));
    const text = bytes.toString('utf8');
    list.unshift({ bytes, text });
    if (list.length > 8) list.pop();
    return text;
  }
}

function sameBytes(a: Buffer, buf: Buffer, start: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}
