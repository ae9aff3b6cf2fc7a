import { outputBytes, type Exec } from '../../sources/exec.js';
import { fail, ok, type Result } from '../../sources/source.js';
import { parseJournalExport } from './journal-export.js';
import type { JournalEntry } from './journal.js';

export interface JournalReaderOptions {
  /** Read these journal files (`--file`) instead of the system journal. */
  files?: readonly string[];
  /** Read the journal files in this directory (`--directory`) instead of the system journal. */
  directory?: string;
  /** Lowest priority read: `warning` (4) keeps emerg..warning; `notice..info` is a range. */
  priority: string;
  /** Journal matches every read adds (`_TRANSPORT=kernel`); fields of one name are ORed by journalctl. */
  matches?: readonly string[];
  /** Only entries whose MESSAGE matches this pattern (journalctl's `--grep`, PCRE). */
  grep?: string;
  /** How far back the first read (no cursor yet) goes, and what the windows need after a restart. */
  lookbackMs: number;
  /** Lines per read (`-n`); a host flooding more than this per step is read in chunks, see readNewEntries. */
  maxLines: number;
  /** Output per read; beyond it the read is retried once with a sixteenth of the lines. */
  maxBytes: number;
  timeoutMs: number;
}

export const DEFAULT_READER_OPTIONS: Readonly<JournalReaderOptions> = {
  priority: 'warning',
  lookbackMs: 10 * 60_000,
  maxLines: 50_000,
  maxBytes: 64 * 1024 * 1024,
  timeoutMs: 30_000,
};

/**
 * Fields asked for: those the checks use (journalctl adds __CURSOR, __REALTIME_TIMESTAMP and the boot id
 * anyway). Fewer fields are fewer bytes to print, pipe and skip.
 */
const OUTPUT_FIELDS = 'MESSAGE,PRIORITY,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER';

/** Where a read starts: right after a cursor, or at a time. */
export type ReadFrom = { cursor: string } | { sinceMs: number };

/**
 * Reads are in journalctl's export format, which it prints at a third of JSON's cost and which
 * parseJournalExport reads exactly from the bytes.
 */
export function journalArgs(from: ReadFrom, lines: number, options: JournalReaderOptions): string[] {
  const args = ['-o', 'export', '--no-pager', '-p', options.priority, `--output-fields=${OUTPUT_FIELDS}`];
  if (options.grep !== undefined) args.push(`--grep=${options.grep}`);
  if (options.directory !== undefined) args.push(`--directory=${options.directory}`);
  for (const f of options.files ?? []) args.push(`--file=${f}`);
  if ('cursor' in from) args.push(`--after-cursor=${from.cursor}`);
  // Whole seconds, rounded down: a second early at most, and the windows filter by milliseconds.
  else args.push(`--since=@${Math.max(0, Math.floor(from.sinceMs / 1000))}`);
  // After a cursor journalctl shows the first N lines (the rest is read next step). After --since,
  // systemd 252 does the same while newer versions show the last N; either way no line comes twice.
  args.push('-n', String(lines));
  // Matches go last: journalctl takes the rest of its arguments as matches.
  if (options.matches !== undefined) args.push(...options.matches);
  return args;
}

export interface JournalChunk {
  entries: JournalEntry[];
  malformed: number;
  /** As many lines came back as were asked for: there may be more. */
  full: boolean;
}

/**
 * Up to `options.maxLines` entries from `from`, oldest first: one `journalctl -o export` run. No journal
 * files at all is an empty read, not an error. Output that stops being the export format part way
 * (never seen from journalctl itself) gives the entries before that point, the broken one counted as
 * malformed, and `full`, so the next read resumes after the last good one; with none before it, it
 * is a parse error.
 */
export async function readJournal(
  exec: Exec,
  from: ReadFrom,
  options: JournalReaderOptions,
  signal?: AbortSignal,
): Promise<Result<JournalChunk>> {
  const run = await runJournalctl(exec, from, options.maxLines, options, signal);
  if (!run.ok) return run;
  if (run.value === undefined) return ok({ entries: [], malformed: 0, full: false });
  const { entries, malformed, error } = parseJournalExport(run.value.stdout);
  if (error === undefined)
    return ok({ entries, malformed, full: entries.length + malformed >= run.value.lines });
  if (entries.length === 0) return fail('parse', error);
  return ok({ entries, malformed: malformed + 1, full: true });
}

/**
 * One `journalctl` run of up to `lines` entries: its output and the lines asked for, or undefined
 * when there are no journal files.
 */
async function runJournalctl(
  exec: Exec,
  from: ReadFrom,
  lines: number,
  options: JournalReaderOptions,
  signal: AbortSignal | undefined,
): Promise<Result<{ stdout: Buffer; lines: number } | undefined>> {
  for (let attempt = 0; ; attempt++) {
    const run = await exec('journalctl', journalArgs(from, lines, options), {
      timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxBytes,
      ...(signal ? { signal } : {}),
    });
    if (!run.ok) {
      // Exec reports an overflow as an io error; huge messages, so fewer lines fit: try once with fewer.
      if (attempt === 0 && run.error.kind === 'io' && run.error.message.includes('output exceeded')) {
        lines = Math.max(1, Math.floor(lines / 16));
        continue;
      }
      return run;
    }
    const { exitCode, stderr } = run.value;
    // The bytes only: parseJournalExport decodes the fields it keeps, never the whole output.
    const stdout = outputBytes(run.value);
    if (exitCode !== 0) {
      if (/no journal files were found/i.test(stderr)) return ok(undefined);
      // With --grep, journalctl exits 1 when no entry matched, saying nothing.
      if (exitCode === 1 && options.grep !== undefined && stdout.length === 0 && stderr.trim() === '')
        return ok({ stdout, lines });
      return fail('exit', `journalctl exited ${exitCode}: ${firstLine(stderr)}`);
    }
    return ok({ stdout, lines });
  }
}

export interface NewEntries {
  /** Entries after the stored cursor (or since the lookback when there is none), oldest first. */
  entries: JournalEntry[];
  malformed: number;
  /** The cursor to store once these entries are counted; the old one when nothing new came. */
  cursor: string | undefined;
  /** More lines were waiting than one read takes: the rest comes next step. */
  truncated: boolean;
  /**
   * The backlog was older than the lookback, so reading jumped to the lookback's start: the lines
   * between were never read (a flood, or proxmon was stopped for long).
   */
  skippedAhead: boolean;
  /** The stored cursor was refused by journalctl (not a cursor); reading restarted from the lookback. */
  cursorReset: boolean;
}

/**
 * Reads the entries not seen yet. Lines are taken oldest first from the cursor. When a read comes back
 * full and its last line is already older than the lookback, the windows cannot use what follows
 * either, so it jumps to the lookback's start instead of falling further behind.
 */
export async function readNewEntries(
  exec: Exec,
  cursor: string | undefined,
  now: number,
  options: JournalReaderOptions,
  signal?: AbortSignal,
): Promise<Result<NewEntries>> {
  const since = { sinceMs: now - options.lookbackMs };
  let cursorReset = false;
  let first = await readJournal(exec, cursor !== undefined ? { cursor } : since, options, signal);
  if (!first.ok && cursor !== undefined && /seek to cursor/i.test(first.error.message)) {
    cursorReset = true;
    first = await readJournal(exec, since, options, signal);
  }
  if (!first.ok) return first;
  let { entries, malformed, full } = first.value;
  let skippedAhead = false;
  const last = entries.at(-1);
  if (full && last && last.timeMs < since.sinceMs) {
    const ahead = await readJournal(exec, since, options, signal);
    if (!ahead.ok) return ahead;
    const seen = new Set(entries.map((e) => e.cursor));
    entries = entries.concat(ahead.value.entries.filter((e) => !seen.has(e.cursor)));
    malformed += ahead.value.malformed;
    full = ahead.value.full;
    skippedAhead = true;
  }
  return ok({
    entries,
    malformed,
    cursor: entries.at(-1)?.cursor ?? (cursorReset ? undefined : cursor),
    truncated: full,
    skippedAhead,
    cursorReset,
  });
}

const firstLine = (s: string) => s.trim().split('\n', 1)[0] ?? '';
