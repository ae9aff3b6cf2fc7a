/**
 * One journal entry as `journalctl -o json` prints it, reduced to the fields the health checks use
 * (the logs category here; the vms category's guest start/QMP checks read the same shape).
 */
export interface JournalEntry {
  /** Opaque position; `--after-cursor` resumes right after it. */
  cursor: string;
  /** __REALTIME_TIMESTAMP, in unix milliseconds (microseconds dropped). */
  timeMs: number;
  /**
   * The text. undefined when journalctl printed null: a field over 4096 bytes, which it leaves out
   * unless `--all` is given. Binary (non-UTF-8) messages are decoded with U+FFFD replacements.
   */
  message: string | undefined;
  /** Syslog priority 0 (emerg) .. 7 (debug); undefined when the entry has none. */
  priority: number | undefined;
  unit: string | undefined;
  identifier: string | undefined;
  pid: number | undefined;
  hostname: string | undefined;
  bootId: string | undefined;
}

export interface ParsedJournal {
  entries: JournalEntry[];
  /** Lines that were not a JSON object with a cursor and a timestamp; skipped, never thrown. */
  malformed: number;
}

/** Parses `journalctl -o json` output: one JSON object per line. */
export function parseJournalJson(text: string): ParsedJournal {
  const entries: JournalEntry[] = [];
  let malformed = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    // Blank lines, and journalctl's own markers (`-- No entries --` in some versions), are not entries.
    if (line.trim() === '' || line.startsWith('-- ')) continue;
    const entry = parseJournalLine(line);
    if (entry) entries.push(entry);
    else malformed++;
  }
  return { entries, malformed };
}

/** One line of `journalctl -o json`, or undefined when it is not a usable entry. */
export function parseJournalLine(line: string): JournalEntry | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const fields = raw as Record<string, unknown>;
  return journalEntry({
    cursor: fieldText(fields['__CURSOR']),
    micros: fieldText(fields['__REALTIME_TIMESTAMP']),
    timeMs: undefined,
    message: fieldText(fields['MESSAGE']),
    priority: fieldText(fields['PRIORITY']),
    unit: fieldText(fields['_SYSTEMD_UNIT']),
    identifier: fieldText(fields['SYSLOG_IDENTIFIER']),
    pid: fieldText(fields['_PID']),
    hostname: fieldText(fields['_HOSTNAME']),
    bootId: fieldText(fields['_BOOT_ID']),
  });
}

/** The text of the journal fields an entry is made of, as one line or block gave them. */
export interface EntryFields {
  cursor: string | undefined;
  micros: string | undefined;
  /** __REALTIME_TIMESTAMP in ms when a parser read it in place (then `micros` is not looked at). */
  timeMs: number | undefined;
  message: string | undefined;
  priority: string | undefined;
  unit: string | undefined;
  identifier: string | undefined;
  pid: string | undefined;
  hostname: string | undefined;
  bootId: string | undefined;
}

/** The EntryFields slots that hold a field's text. */
export type TextSlot = Exclude<keyof EntryFields, 'timeMs'>;

export const emptyFields = (): EntryFields => ({
  cursor: undefined,
  micros: undefined,
  timeMs: undefined,
  message: undefined,
  priority: undefined,
  unit: undefined,
  identifier: undefined,
  pid: undefined,
  hostname: undefined,
  bootId: undefined,
});

export function clearFields(f: EntryFields): void {
  f.cursor = f.micros = f.message = f.priority = f.unit = f.identifier = undefined;
  f.timeMs = undefined;
  f.pid = f.hostname = f.bootId = undefined;
}

/**
 * Which EntryFields slot the journal field named by `text[start, start + length)` fills, if any;
 * compared in place, so reading a field name allocates nothing.
 */
export function fieldSlot(text: string, start: number, length: number): TextSlot | undefined {
  switch (length) {
    case 4:
      return text.startsWith('_PID', start) ? 'pid' : undefined;
    case 7:
      return text.startsWith('MESSAGE', start) ? 'message' : undefined;
    case 8:
      if (text.startsWith('__CURSOR', start)) return 'cursor';
      if (text.startsWith('PRIORITY', start)) return 'priority';
      return text.startsWith('_BOOT_ID', start) ? 'bootId' : undefined;
    case 9:
      return text.startsWith('_HOSTNAME', start) ? 'hostname' : undefined;
    case 13:
      return text.startsWith('_SYSTEMD_UNIT', start) ? 'unit' : undefined;
    case 17:
      return text.startsWith('SYSLOG_IDENTIFIER', start) ? 'identifier' : undefined;
    case 20:
      return text.startsWith('__REALTIME_TIMESTAMP', start) ? 'micros' : undefined;
    default:
      return undefined;
  }
}

/** The entry the fields make, or undefined without a cursor and a realtime timestamp. */
export function journalEntry(f: EntryFields): JournalEntry | undefined {
  const { cursor, micros } = f;
  if (!cursor) return undefined;
  let timeMs = f.timeMs;
  if (timeMs === undefined) {
    if (micros === undefined || !digits(micros, 19)) return undefined;
    timeMs = Math.floor(Number(micros) / 1000);
    if (!Number.isSafeInteger(timeMs)) return undefined;
  }
  return {
    cursor,
    timeMs,
    message: f.message,
    priority: smallInt(f.priority, 7),
    unit: f.unit,
    identifier: f.identifier,
    pid: smallInt(f.pid, 2 ** 31),
    hostname: f.hostname,
    bootId: f.bootId,
  };
}

/**
 * A field's value as text. journalctl prints a string; an array of byte values for data that is not
 * valid UTF-8 (or has control characters); an array of values when the field occurs more than once
 * (the first is kept); null when the value was too large to print.
 */
function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (value.every(isByte)) return Buffer.from(value as number[]).toString('utf8');
  return fieldText(value[0]);
}

const isByte = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255;

function smallInt(text: string | undefined, max: number): number | undefined {
  if (text === undefined || !digits(text, 10)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/**
 * `text[start, end)` as journalEntry reads __REALTIME_TIMESTAMP, without a copy: unix ms, or undefined
 * where a copy must decide (not digits, or past 2^53, where the sum below could round differently
 * from Number(); below it every step is exact).
 */
export function microsToMs(text: string, start: number, end: number): number | undefined {
  if (end <= start || end - start > 16) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
  }
  return n <= Number.MAX_SAFE_INTEGER ? Math.floor(n / 1000) : undefined;
}

/** Whether `text` is 1 to `max` ASCII digits (`/^\d{1,max}$/`, without a regex per field). */
function digits(text: string, max: number): boolean {
  if (text.length === 0 || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
