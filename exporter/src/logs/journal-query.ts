import type { Exec } from '../sources/exec.js';
import { fail, ok, type Result } from '../sources/source.js';
import { parseJournalJson, type JournalEntry } from '../health/logs/journal.js';
import {
  countArgs,
  countPriorities,
  listArgs,
  type JournalLocation,
  type LogFilters,
  type PriorityCounts,
} from './query.js';

export interface JournalQueryOptions extends JournalLocation {
  timeoutMs: number;
  /** Output of one read; beyond it the read fails rather than holding it all. */
  maxBytes: number;
}

export const DEFAULT_JOURNAL_QUERY: Readonly<JournalQueryOptions> = {
  timeoutMs: 30_000,
  maxBytes: 64 * 1024 * 1024,
};

export interface LogPage {
  /** Newest first. */
  entries: JournalEntry[];
  /** Older entries exist: ask again with the last entry's cursor. */
  more: boolean;
  /** Lines journalctl printed that were not entries. */
  malformed: number;
}

const firstLine = (s: string) => s.trim().split('\n', 1)[0] ?? '';

/**
 * journalctl's ways of saying "nothing matched" rather than failing: no journal files at all, and
 * (systemd 252) `--grep` with no match, which prints `-- No entries --` and exits 1 without a word.
 */
export function noEntries(args: readonly string[], exitCode: number, stderr: string): boolean {
  if (/no journal files were found/i.test(stderr)) return true;
  return exitCode === 1 && stderr.trim() === '' && args.some((a) => a.startsWith('--grep='));
}

/**
 * Runs journalctl and separates "nothing to read" (no journal files: an empty answer) and a refused
 * cursor (`invalid` so the API can answer 400) from real failures.
 */
async function run(
  exec: Exec,
  args: string[],
  o: JournalQueryOptions,
): Promise<Result<string> | 'bad-cursor'> {
  const r = await exec('journalctl', args, { timeoutMs: o.timeoutMs, maxOutputBytes: o.maxBytes });
  if (!r.ok) return r;
  const { exitCode, stdout, stderr } = r.value;
  if (exitCode === 0) return ok(stdout);
  if (noEntries(args, exitCode, stderr)) return ok('');
  if (/seek to cursor|cursor/i.test(stderr) && args.some((a) => a.startsWith('--after-cursor=')))
    return 'bad-cursor';
  return fail('exit', `journalctl exited ${exitCode}: ${firstLine(stderr)}`);
}

export type PageResult = Result<LogPage> | { ok: false; error: { kind: 'cursor'; message: string } };

export async function readLogPage(
  exec: Exec,
  filters: LogFilters,
  page: { limit: number; cursor?: string },
  options: JournalQueryOptions,
): Promise<PageResult> {
  const out = await run(exec, listArgs(filters, page, options), options);
  if (out === 'bad-cursor')
    return { ok: false, error: { kind: 'cursor', message: 'journalctl refused the cursor' } };
  if (!out.ok) return out;
  const { entries, malformed } = parseJournalJson(out.value);
  return ok({ entries: entries.slice(0, page.limit), more: entries.length > page.limit, malformed });
}

export async function countLogs(
  exec: Exec,
  filters: Omit<LogFilters, 'maxPriority'>,
  options: JournalQueryOptions,
): Promise<Result<PriorityCounts>> {
  const out = await run(exec, countArgs(filters, options), options);
  if (out === 'bad-cursor') return fail('exit', 'unexpected cursor error');
  return out.ok ? ok(countPriorities(out.value)) : out;
}
