/** journalctl's names for syslog priorities 0..7, most severe first. */
export const PRIORITY_NAMES = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
] as const;
export type PriorityName = (typeof PRIORITY_NAMES)[number];

/** What a log request narrows the journal by. Every part becomes a journalctl option, never a shell word. */
export interface LogFilters {
  /** Highest priority number kept: 3 keeps emerg..err (journalctl -p). */
  maxPriority?: number;
  /** A systemd unit (`-u`): its own messages and systemd's about it. */
  unit?: string;
  /** Epoch ms, inclusive. */
  sinceMs?: number;
  /** Epoch ms, inclusive. */
  untilMs?: number;
  /** Text the message must contain, any case (a literal, not a pattern). */
  text?: string;
}

export interface JournalLocation {
  /** Read the journal files in this directory instead of the system journal (`--directory`). */
  directory?: string;
}

/** Fields a listing shows; journalctl adds __CURSOR, __REALTIME_TIMESTAMP and the boot id anyway. */
const LIST_FIELDS = 'MESSAGE,PRIORITY,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER,_PID,_HOSTNAME,_BOOT_ID';

/** journalctl --grep takes a PCRE2 pattern: every character with a meaning there is escaped. */
export function escapeGrep(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

export function filterArgs(f: LogFilters, where: JournalLocation = {}): string[] {
  const args: string[] = [];
  if (where.directory !== undefined) args.push(`--directory=${where.directory}`);
  if (f.maxPriority !== undefined) args.push('-p', String(f.maxPriority));
  if (f.unit !== undefined) args.push(`--unit=${f.unit}`);
  // Whole seconds, widened outwards: a bound can only let a second more in, never leave a line out.
  if (f.sinceMs !== undefined) args.push(`--since=@${Math.max(0, Math.floor(f.sinceMs / 1000))}`);
  if (f.untilMs !== undefined) args.push(`--until=@${Math.max(0, Math.ceil(f.untilMs / 1000))}`);
  if (f.text !== undefined) args.push(`--grep=${escapeGrep(f.text)}`, '--case-sensitive=false');
  return args;
}

/**
 * Newest first, one more line than asked so the caller knows whether a next page exists. In reverse
 * order `--after-cursor` continues with the entries older than the cursor: the next page.
 */
export function listArgs(
  f: LogFilters,
  page: { limit: number; cursor?: string },
  where: JournalLocation = {},
): string[] {
  const args = ['-o', 'json', '--no-pager', '--reverse', '--all', `--output-fields=${LIST_FIELDS}`];
  args.push(...filterArgs(f, where), '-n', String(page.limit + 1));
  if (page.cursor !== undefined) args.push(`--after-cursor=${page.cursor}`);
  return args;
}

/** One line per entry holding only its priority digit: a day of a busy host is a few megabytes. */
export function countArgs(f: Omit<LogFilters, 'maxPriority'>, where: JournalLocation = {}): string[] {
  return ['-o', 'cat', '--no-pager', '--output-fields=PRIORITY', ...filterArgs(f, where)];
}

/** Oldest first, in the classic syslog layout with ISO timestamps, for people and grep. */
export function downloadArgs(f: LogFilters, where: JournalLocation = {}): string[] {
  return ['-o', 'short-iso', '--no-pager', ...filterArgs(f, where)];
}

export interface PriorityCounts {
  /** Entries per priority 0..7. */
  byPriority: number[];
  /** Entries with a priority outside 0..7 (a malformed field); entries with none print nothing. */
  other: number;
}

/** Counts the lines of `journalctl -o cat --output-fields=PRIORITY`. */
export function countPriorities(text: string): PriorityCounts {
  const byPriority = [0, 0, 0, 0, 0, 0, 0, 0];
  let other = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    if (line.length === 1 && line >= '0' && line <= '7') byPriority[Number(line)]!++;
    else other++;
  }
  return { byPriority, other };
}

/** A journal cursor as journalctl prints it: `s=<hex>;i=<hex>;b=<hex>;m=<hex>;t=<hex>;x=<hex>`. */
export const CURSOR = /^[a-z]=[0-9a-f]{1,64}(;[a-z]=[0-9a-f]{1,64}){0,9}$/;
