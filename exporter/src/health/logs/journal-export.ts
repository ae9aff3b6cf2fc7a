import {
  clearFields,
  emptyFields,
  fieldSlot,
  journalEntry,
  microsToMs,
  type TextSlot,
  type JournalEntry,
  type ParsedJournal,
} from './journal.js';

/**
 * `journalctl -o json` prints a field as null when `NAME=value` takes this many bytes or more (without
 * `--all`); the export format prints it whole, so the same cut is made here.
 */
const JSON_THRESHOLD = 4096;
const NEWLINE = 0x0a;
const EQUALS = 0x3d;
const REPLACEMENT = 0xfffd;

export interface ParsedExport extends ParsedJournal {
  /**
   * Set when an entry could not be read back exactly (see binaryField): `entries` and `malformed` then
   * hold the first `blocks` entries only, and the rest of the output must be read another way.
   */
  stopped?: { blocks: number };
}

/**
 * Parses `journalctl -o export` output as Exec hands it over, decoded as UTF-8, into the same entries
 * `-o json` gives (parseJournalJson): the first value of a repeated field, undefined for a value JSON
 * prints as null. Export is much cheaper for journalctl to print than JSON, which matters when a cycle
 * reads tens of thousands of lines. A field is `NAME=value\n`, or `NAME\n<8-byte length><bytes>\n` when
 * the value has a newline, a control character or invalid UTF-8; an entry ends with an empty line.
 */
export function parseJournalExport(text: string): ParsedExport {
  const entries: JournalEntry[] = [];
  let malformed = 0;
  let blocks = 0;
  // Up to the last good entry: where a read that stops resumes (after that entry's cursor).
  let keptMalformed = 0;
  let keptBlocks = 0;
  const fields = emptyFields();
  const recent = new RecentValues();
  let pos = 0;
  while (pos < text.length) {
    clearFields(fields);
    let seen = 0;
    let lines = 0;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl === -1) nl = text.length;
      if (nl === pos) {
        pos++;
        break;
      }
      lines++;
      const eq = text.indexOf('=', pos);
      let slot: TextSlot | undefined;
      let value: string | undefined;
      if (eq !== -1 && eq < nl) {
        slot = fieldSlot(text, pos, eq - pos);
        if (slot !== undefined && (seen & SLOT_BIT[slot]) === 0) {
          if (slot === 'micros') {
            // Read in place; a copy only where microsToMs cannot tell.
            const ms = microsToMs(text, eq + 1, nl);
            seen |= SLOT_BIT.micros;
            if (ms !== undefined) fields.timeMs = ms;
            else fields.micros = text.slice(eq + 1, nl);
          } else if (REPEATING & SLOT_BIT[slot]) value = recent.value(slot, text, eq + 1, nl, eq - pos);
          else value = textValue(text, eq + 1, nl, eq - pos);
        }
        pos = nl + 1;
      } else {
        const binary = binaryField(text, nl + 1, nl - pos);
        if (binary === undefined)
          return { entries, malformed: keptMalformed, stopped: { blocks: keptBlocks } };
        slot = fieldSlot(text, pos, nl - pos);
        value = binary.value;
        pos = binary.next;
      }
      // A repeated field keeps its first value, as JSON's array of values does.
      if (slot !== undefined && (seen & SLOT_BIT[slot]) === 0) {
        seen |= SLOT_BIT[slot];
        fields[slot] = value;
      }
    }
    if (lines === 0) continue;
    blocks++;
    const entry = journalEntry(fields);
    if (entry === undefined) {
      malformed++;
      continue;
    }
    entries.push(entry);
    keptMalformed = malformed;
    keptBlocks = blocks;
  }
  return { entries, malformed };
}

const SLOT_BIT: Record<TextSlot, number> = {
  cursor: 1,
  micros: 2,
  message: 4,
  priority: 8,
  unit: 16,
  identifier: 32,
  pid: 64,
  hostname: 128,
  bootId: 256,
};
/**
 * The last few values of the fields that take few values (identifiers, units, priorities): a value
 * seen lately is reused rather than copied, for tens of thousands of entries.
 */
class RecentValues {
  private readonly seen: Partial<Record<TextSlot, string[]>> = {};

  value(slot: TextSlot, text: string, start: number, end: number, nameLength: number): string | undefined {
    const list = (this.seen[slot] ??= []);
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!;
      if (v.length === end - start && text.startsWith(v, start)) {
        if (i > 0) {
          list.splice(i, 1);
          list.unshift(v);
        }
        return v;
      }
    }
    const v = textValue(text, start, end, nameLength);
    if (v !== undefined) {
      list.unshift(v);
      if (list.length > 8) list.pop();
    }
    return v;
  }
}

/** Fields that are mostly the same from one entry to the next. */
const REPEATING =
  SLOT_BIT.priority |
  SLOT_BIT.unit |
  SLOT_BIT.identifier |
  SLOT_BIT.pid |
  SLOT_BIT.hostname |
  SLOT_BIT.bootId;

function textValue(text: string, start: number, end: number, nameLength: number): string | undefined {
  const value = text.slice(start, end);
  // A UTF-16 unit is at most 3 bytes of UTF-8: most values are clearly short enough without counting.
  if (nameLength + 1 + 3 * value.length < JSON_THRESHOLD) return value;
  return nameLength + 1 + Buffer.byteLength(value, 'utf8') >= JSON_THRESHOLD ? undefined : value;
}

/**
 * A value in the binary form, read back from the decoded text: `at` is just after `NAME\n`. UTF-8
 * decoding keeps each byte below 0x80 and turns an invalid one into one U+FFFD, so the 8-byte length
 * reads exactly below 128 and as one of 128 candidates below 32 KiB; data without U+FFFD was valid
 * UTF-8, whose byte count is exact. The value is taken when exactly one candidate ends at a newline
 * followed by well-formed field lines up to the end of the entry. Anything else (invalid UTF-8 or a
 * literal U+FFFD in the data, a longer value, two ways to read it, another binary field after it) is
 * undefined: the caller reads that entry as JSON instead.
 */
function binaryField(
  text: string,
  at: number,
  nameLength: number,
): { value: string | undefined; next: number } | undefined {
  if (at + 8 > text.length) return undefined;
  for (let k = 2; k < 8; k++) if (text.charCodeAt(at + k) !== 0) return undefined;
  const high = text.charCodeAt(at + 1);
  const low = text.charCodeAt(at);
  if (high >= 0x80 || (low >= 0x80 && low !== REPLACEMENT)) return undefined;
  const min = high * 256 + (low < 0x80 ? low : 0x80);
  const max = high * 256 + (low < 0x80 ? low : 0xff);
  const data = at + 8;
  let found = -1;
  let foundBytes = 0;
  let bytes = 0;
  for (let i = data; bytes <= max;) {
    if (bytes >= min && text.charCodeAt(i) === NEWLINE) {
      const rest = restOfEntry(text, i + 1);
      if (rest === 'unknown' || (rest === 'fits' && found !== -1)) return undefined;
      if (rest === 'fits') {
        found = i;
        foundBytes = bytes;
      }
    }
    if (i >= text.length) break;
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      bytes += 1;
      i += 1;
    } else if (c < 0x800) {
      bytes += 2;
      i += 1;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return undefined;
      bytes += 4;
      i += 2;
    } else if ((c >= 0xdc00 && c <= 0xdfff) || c === REPLACEMENT) {
      return undefined;
    } else {
      bytes += 3;
      i += 1;
    }
  }
  if (found === -1) return undefined;
  const value = nameLength + 1 + foundBytes >= JSON_THRESHOLD ? undefined : text.slice(data, found);
  return { value, next: found + 1 };
}

/**
 * Whether the text from `pos` reads as the rest of an entry: `NAME=value` lines of payload fields,
 * then an empty line followed by the next entry's `__CURSOR=` or the end. `unknown` at a bare `NAME` line (another binary
 * value, which cannot be checked without reading it).
 */
function restOfEntry(text: string, pos: number): 'fits' | 'not' | 'unknown' {
  for (;;) {
    if (pos >= text.length) return 'fits';
    const nl = text.indexOf('\n', pos);
    if (nl === -1) return 'not';
    if (nl === pos) return nl + 1 >= text.length || text.startsWith('__CURSOR=', nl + 1) ? 'fits' : 'not';
    let end = pos;
    while (end < nl && isNameChar(text.charCodeAt(end))) end++;
    if (end === pos || !payloadName(text, pos, end)) return 'not';
    if (end === nl) return 'unknown';
    if (text.charCodeAt(end) !== EQUALS) return 'not';
    pos = nl + 1;
  }
}

/**
 * Whether a field named `text[start, end)` can come after an entry's first fields: not `__CURSOR` and
 * the other `__` addresses, nor `_BOOT_ID`, which export prints only among those first fields.
 */
const payloadName = (text: string, start: number, end: number) =>
  !text.startsWith('__', start) && !(end - start === 8 && text.startsWith('_BOOT_ID', start));

/** Journal field names: upper-case letters, digits and underscores. */
const isNameChar = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
