import { createHash } from 'node:crypto';
import type { JournalEntry } from './journal.js';
import {
  BENIGN_RULES,
  BENIGN_UNITS,
  CRITICAL_RULES,
  FS_DEVICE_RE,
  WARNING_RULES,
  type LogRule,
} from './rules.js';

export type LogSeverity = 'WARNING' | 'CRITICAL';

/** journalctl prints longer fields as null anyway; the cap bounds the work per line. */
const MAX_TEXT = 4096;
export const MAX_PATTERN = 150;
/** The raw line kept beside a pattern, for reasons and details. */
export const MAX_SAMPLE = 300;

/**
 * Volatile parts of a line and their placeholders. They run as one regex, one pass over the line; where
 * several match at the same place the first listed wins, so UUIDs come before hex, dates and MACs
 * before the colon-separated IPv6 forms, those before bare times, pid brackets before plain numbers.
 * All match case-insensitively, and none has a capturing group (the replacer finds the rule by group).
 */
const VOLATILE: ReadonlyArray<readonly [RegExp, string | ((m: string) => string)]> = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/, '<uuid>'],
  [/\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:z|[+-]\d{2}:?\d{2})?/, '<ts>'],
  [/\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) {1,2}\d{1,2} \d{2}:\d{2}:\d{2}\b/, '<ts>'],
  // The kernel's uptime stamp, `[  123.456789]`.
  [/\[ {0,12}\d+\.\d+\]/, '<ts>'],
  [/\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/, '<mac>'],
  // IPv4, optionally IPv4-mapped (`::ffff:192.0.2.1`) and with a port; then the IPv6 forms.
  [/(?<![\w:.])(?:[0-9a-f:]{0,40}:)?\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/, '<ip>'],
  [/(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])/, '<ip>'],
  [/(?<![\w:])[0-9a-f:]{0,40}::[0-9a-f:]{0,40}(?![\w:])/, '<ip>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b/, '<ts>'],
  [/\/dev\/[\w.:/+-]+/, '<dev>'],
  // A path starts after a space, quote, bracket or `=`, so `I/O` and `1/FAILURE` stay.
  [/(?<![\w.])\/[\w.@:+~%=,/-]+/, '<path>'],
  [/\b0x[0-9a-f]+\b/, '<hex>'],
  // Bare hex of 8 or more (hashes, addresses) has digits and letters both; a word or a number is not hex.
  [/\b[0-9a-f]{8,}\b/, (m) => (/\d/.test(m) && /[a-f]/i.test(m) ? '<hex>' : m.replace(/\d{3,}/g, '<n>'))],
  [/\[\d+\]/, '[<pid>]'],
  // SCSI tags and similar counters: `tag#23`.
  [/#\d+/, '#<n>'],
  [/\bpid[=: ] ?\d+/, (m) => m.replace(/\d+$/, '<pid>')],
  // Ids, sizes, sectors, counters: any run of 3 or more digits, and any number standing alone (`QID 3`).
  // Short numbers inside names stay: ata3.00, sda1, nvme0n1, the SCSI address 2:0:0:0.
  [/\d{3,}/, '<n>'],
  [/(?<![\w.:/#-])\d+(?![\w.:/-])/, '<n>'],
  [/\s{2,}|[\t\n\r\f\v]/, ' '],
];
const VOLATILE_RE = new RegExp(VOLATILE.map(([re]) => `(${re.source})`).join('|'), 'gi');

function replaceVolatile(match: string, ...groups: unknown[]): string {
  for (let i = 0; i < VOLATILE.length; i++) {
    if (groups[i] === undefined) continue;
    const to = VOLATILE[i]![1];
    return typeof to === 'string' ? to : to(match);
  }
  return match;
}

/** A line reduced to what repeats across occurrences, at most 150 characters. */
export function normalisePattern(text: string): string {
  const s = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  return s.replace(VOLATILE_RE, replaceVolatile).trim().slice(0, MAX_PATTERN);
}

const hashes = new Map<string, string>();

/** First 8 hex digits of md5(pattern): the suffix of the pattern's error keys. */
export function patternHash(pattern: string): string {
  let hash = hashes.get(pattern);
  if (hash === undefined) {
    hash = createHash('md5').update(pattern).digest('hex').slice(0, 8);
    // Patterns repeat by design; the bound only guards against a flood of distinct ones.
    if (hashes.size >= 10_000) hashes.clear();
    hashes.set(pattern, hash);
  }
  return hash;
}

/** What the rules see: `<identifier>: <message>`, capped. */
export function entryText(entry: Pick<JournalEntry, 'identifier' | 'message'>): string {
  const text = entry.identifier ? `${entry.identifier}: ${entry.message ?? ''}` : (entry.message ?? '');
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

/** The benign rule a line matches, if any. */
export function benignRule(text: string, unit?: string): string | undefined {
  if (unit !== undefined && BENIGN_UNITS.includes(unit)) return 'unit';
  return firstMatch(BENIGN_RULES, text);
}

export interface Classification {
  severity: LogSeverity;
  rule: string;
  /** For `filesystem_error`: the device named in the line. */
  device?: string;
}

/** CRITICAL and WARNING keywords; undefined for a line that matches neither. Benign lines are not excluded here. */
export function classifyText(text: string): Classification | undefined {
  const critical = firstMatch(CRITICAL_RULES, text);
  if (critical) {
    if (critical !== 'filesystem_error') return { severity: 'CRITICAL', rule: critical };
    const m = FS_DEVICE_RE.exec(text);
    const device = m?.[1] ?? m?.[2];
    return device
      ? { severity: 'CRITICAL', rule: critical, device }
      : { severity: 'CRITICAL', rule: critical };
  }
  const warning = firstMatch(WARNING_RULES, text);
  return warning ? { severity: 'WARNING', rule: warning } : undefined;
}

/** One classified journal line, as the analysis and the recent-lines ring keep it. */
export interface LogLine {
  cursor: string;
  timeMs: number;
  severity: LogSeverity;
  rule: string;
  pattern: string;
  hash: string;
  /** The raw line (identifier and message), cut to 300 characters. */
  sample: string;
  unit?: string;
  device?: string;
}

export interface ClassifyOptions {
  /**
   * Severity of a filesystem error on `device` (undefined when the line names none). The health cycle
   * passes SMART's verdict here: CRITICAL only when the disk's SMART test FAILED, as the reference does.
   * Without it, filesystem errors stay CRITICAL.
   */
  filesystemSeverity?: (device: string | undefined) => LogSeverity;
}

/** An entry's verdict: a classified line, or why it was dropped. */
export type EntryVerdict = LogLine | 'empty' | 'benign' | 'other';

export function classifyEntry(entry: JournalEntry, options: ClassifyOptions = {}): EntryVerdict {
  if (entry.message === undefined || entry.message.trim() === '') return 'empty';
  if (entry.unit !== undefined && BENIGN_UNITS.includes(entry.unit)) return 'benign';
  return lineOf(entry, textVerdict(entryText(entry)), options);
}

/**
 * classifyEntry with a memory, for a batch of lines: journal lines repeat (the same error from many
 * guests or disks, the same chatter), so each distinct identifier and message is matched and
 * normalised once. It holds on to every message it saw: make one per batch, not one for good.
 */
export function createClassifier(options: ClassifyOptions = {}): (entry: JournalEntry) => EntryVerdict {
  // By identifier, then message: no key has to be built for a line.
  const seen = new Map<string, Map<string, TextVerdict>>();
  return (entry) => {
    const message = entry.message;
    if (message === undefined || message.trim() === '') return 'empty';
    if (entry.unit !== undefined && BENIGN_UNITS.includes(entry.unit)) return 'benign';
    // entryText treats an empty identifier as none.
    const identifier = entry.identifier || '';
    let byMessage = seen.get(identifier);
    if (byMessage === undefined) seen.set(identifier, (byMessage = new Map()));
    let verdict = byMessage.get(message);
    if (verdict === undefined) byMessage.set(message, (verdict = textVerdict(entryText(entry))));
    return lineOf(entry, verdict, options);
  };
}

/** What a line's text alone decides: dropped, or its rule, pattern and sample. */
type TextVerdict = 'benign' | 'other' | (Classification & { pattern: string; hash: string; sample: string });

function textVerdict(text: string): TextVerdict {
  if (firstMatch(BENIGN_RULES, text) !== undefined) return 'benign';
  const found = classifyText(text);
  if (!found) return 'other';
  const pattern = normalisePattern(text);
  return { ...found, pattern, hash: patternHash(pattern), sample: text.slice(0, MAX_SAMPLE) };
}

function lineOf(entry: JournalEntry, verdict: TextVerdict, options: ClassifyOptions): EntryVerdict {
  if (typeof verdict === 'string') return verdict;
  const severity =
    verdict.rule === 'filesystem_error' && options.filesystemSeverity
      ? options.filesystemSeverity(verdict.device)
      : verdict.severity;
  const line: LogLine = {
    cursor: entry.cursor,
    timeMs: entry.timeMs,
    severity,
    rule: verdict.rule,
    pattern: verdict.pattern,
    hash: verdict.hash,
    sample: verdict.sample,
  };
  if (entry.unit !== undefined) line.unit = entry.unit;
  if (verdict.device !== undefined) line.device = verdict.device;
  return line;
}

/** One regex per rule list, for the common case of no match: one scan instead of one per rule. */
const ANY = new Map<readonly LogRule[], RegExp>(
  [BENIGN_RULES, CRITICAL_RULES, WARNING_RULES].map((rules) => [
    rules,
    new RegExp(rules.map((r) => `(?:${r.re.source})`).join('|'), 'i'),
  ]),
);

/** The first rule, in list order, that matches. */
function firstMatch(rules: readonly LogRule[], text: string): string | undefined {
  if (ANY.get(rules)?.test(text) === false) return undefined;
  for (const rule of rules) if (rule.re.test(text)) return rule.name;
  return undefined;
}
