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
    message: fieldText(fields['MESSAGE']),
    priority: fieldText(fields['PRIORITY']),
    unit: fieldText(fields['_SYSTEMD_UNIT']),
    identifier: fieldText(fields['SYSLOG_IDENTIFIER']),
    pid: fieldText(fields['_PID']),
    hostname: fieldText(fields['_HOSTNAME']),
    bootId: fieldText(fields['_BOOT_ID']),
  });
}

/** The text of the journal fields an entry is made of, as one JSON line gave them. */
interface EntryFields {
  cursor: string | undefined;
  micros: string | undefined;
  message: string | undefined;
  priority: string | undefined;
  unit: string | undefined;
  identifier: string | undefined;
  pid: string | undefined;
  hostname: string | undefined;
  bootId: string | undefined;
}

/** The entry the fields make, or undefined without a cursor and a realtime timestamp. */
function journalEntry(f: EntryFields): JournalEntry | undefined {
  const { cursor, micros } = f;
  if (!cursor) return undefined;
  if (micros === undefined || !digits(micros, 19)) return undefined;
  const timeMs = Math.floor(Number(micros) / 1000);
  if (!Number.isSafeInteger(timeMs)) return undefined;
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

/** Whether `text` is 1 to `max` ASCII digits (`/^\d{1,max}$/`, without a regex per field). */
function digits(text: string, max: number): boolean {
  if (text.length === 0 || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
