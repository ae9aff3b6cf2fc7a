import type { Exec } from '../../sources/exec.js';
import { fail, ok, type Result } from '../../sources/source.js';
import type { Db } from '../../store/db.js';
import type { JournalLine } from '../check.js';
import type { Finding } from '../finding.js';
import { analyzeLogs, DEFAULT_LOG_ANALYSIS_OPTIONS, type LogAnalysisOptions } from './analyze.js';
import type { JournalEntry } from './journal.js';
import { classifyEntry, type ClassifyOptions, type LogLine } from './patterns.js';
import { DEFAULT_READER_OPTIONS, readJournal, readNewEntries, type JournalReaderOptions } from './reader.js';
import { RecentRing } from './recent-ring.js';
import { loadCursor, loadPatternState, saveLogState } from './state-store.js';

export { DEFAULT_LOG_ANALYSIS_OPTIONS, LOG_CHECKS, type LogAnalysisOptions } from './analyze.js';
export { DEFAULT_READER_OPTIONS, type JournalReaderOptions } from './reader.js';
export type { JournalEntry } from './journal.js';

export interface LogAnalyzerOptions extends LogAnalysisOptions, JournalReaderOptions, ClassifyOptions {
  /** Bound on the lines held in memory for the windows and for recentLines (each). */
  maxRecentLines: number;
}

export const DEFAULT_LOG_ANALYZER_OPTIONS: Readonly<LogAnalyzerOptions> = {
  ...DEFAULT_LOG_ANALYSIS_OPTIONS,
  ...DEFAULT_READER_OPTIONS,
  maxRecentLines: 100_000,
};

export interface LogStepStats {
  /** Entries read from the journal this step (new ones only). */
  read: number;
  malformed: number;
  /** Of those read: dropped as benign, empty (no or oversized message), or matching no rule. */
  benign: number;
  empty: number;
  unclassified: number;
  /** Of those read: classified as WARNING or CRITICAL. */
  classified: number;
  /** Classified lines in the current and previous windows. */
  currentWindow: number;
  previousWindow: number;
  /** Patterns remembered for the persistent check. */
  patterns: number;
  truncated: boolean;
  skippedAhead: boolean;
  cursorReset: boolean;
}

export interface LogStep {
  findings: Finding[];
  stats: LogStepStats;
}

export interface LogAnalyzer {
  /**
   * Reads the journal since the stored cursor, runs the four checks and stores the new pattern state
   * and cursor together. Errors are values: `absent` without journalctl, `exit` when it fails, `io`
   * when the database write fails (then nothing is stored and the same lines are read again next time).
   */
  step(now: number, signal?: AbortSignal): Promise<Result<LogStep>>;
  /**
   * The journal lines (at the reader's priority or worse, benign ones included) of the lookback before
   * `now`, oldest first, as of the last successful step: the vms checks read them.
   */
  recentLines(now: number): readonly JournalLine[];
}

/** A journal entry as the ring keeps it for recentLines. */
interface HeldEntry {
  cursor: string;
  timeMs: number;
  line: JournalLine;
}

export interface LogAnalyzerDeps {
  db: Db;
  exec: Exec;
  options?: Partial<LogAnalyzerOptions>;
  /** Test seam: runs inside the state transaction, after the writes and before the commit. */
  beforeCommit?: () => void;
}

export function createLogAnalyzer({
  db,
  exec,
  options: given = {},
  beforeCommit,
}: LogAnalyzerDeps): LogAnalyzer {
  const merged: LogAnalyzerOptions = { ...DEFAULT_LOG_ANALYZER_OPTIONS, ...given };
  // The first read and the refill after a restart must cover both windows.
  const options = { ...merged, lookbackMs: Math.max(merged.lookbackMs, 2 * merged.windowMs) };
  const recent = new RecentRing<LogLine>(options.maxRecentLines);
  const held = new RecentRing<HeldEntry>(options.maxRecentLines);
  // Whether `recent` holds the last lookback's lines; false in a new process until the first step.
  let primed = false;
  // Steps run one at a time: two at once would read the same lines from the same cursor.
  let queue: Promise<unknown> = Promise.resolve();

  async function runStep(now: number, signal?: AbortSignal): Promise<Result<LogStep>> {
    const stored = guard('reading the journal cursor', () => loadCursor(db));
    if (!stored.ok) return stored;
    const cursor = stored.value;
    const read = await readNewEntries(exec, cursor, now, options, signal);
    if (!read.ok) return read;
    const counts = { benign: 0, empty: 0, unclassified: 0 };
    // A line the ring holds was counted already (a journalctl that refused the cursor reads it again).
    const fresh = classify(read.value.entries, options, counts).filter((l) => !recent.has(l.cursor));

    // A new process knows nothing of the lines it counted before it stopped: read the lookback once
    // more for the windows only (those lines are not fresh, so they are not counted again).
    let windowOnly: LogLine[] = [];
    let refilled: JournalEntry[] = [];
    if (!primed && cursor !== undefined && !read.value.cursorReset) {
      const refill = await readJournal(exec, { sinceMs: now - options.lookbackMs }, options, signal);
      if (!refill.ok) return refill;
      const freshCursors = new Set(read.value.entries.map((e) => e.cursor));
      refilled = refill.value.entries.filter((e) => !freshCursors.has(e.cursor));
      windowOnly = classify(refilled, options, { benign: 0, empty: 0, unclassified: 0 });
    }

    const extra = windowOnly.concat(fresh);
    const current = recent.between(now - options.windowMs, Infinity, extra);
    const previous = recent.between(now - 2 * options.windowMs, now - options.windowMs, extra);
    const state = guard('loading the log patterns', () => loadPatternState(db));
    if (!state.ok) return state;
    const analysis = analyzeLogs({ current, previous, fresh, state: state.value, now }, options);

    const saved = guard('saving the log analysis state', () =>
      saveLogState(db, analysis.state, read.value.cursor, now, beforeCommit),
    );
    if (!saved.ok) return saved;
    // Only once stored: a failed step leaves the ring as it was, and the retry reads the same lines.
    const oldest = now - options.lookbackMs;
    recent.add(extra, oldest);
    held.add(toHeld(refilled.concat(read.value.entries)), oldest);
    primed = true;

    return ok({
      findings: analysis.findings,
      stats: {
        read: read.value.entries.length,
        malformed: read.value.malformed,
        ...counts,
        classified: fresh.length,
        currentWindow: current.length,
        previousWindow: previous.length,
        patterns: analysis.state.size,
        truncated: read.value.truncated,
        skippedAhead: read.value.skippedAhead,
        cursorReset: read.value.cursorReset,
      },
    });
  }

  return {
    step(now, signal) {
      const run = queue.then(() => runStep(now, signal));
      queue = run.catch(() => undefined);
      return run;
    },

    recentLines(now) {
      return held.between(now - options.lookbackMs, Infinity).map((h) => h.line);
    },
  };
}

function toHeld(entries: readonly JournalEntry[]): HeldEntry[] {
  const out: HeldEntry[] = [];
  for (const e of entries) {
    if (e.message === undefined || e.priority === undefined) continue;
    const line: JournalLine = { at: e.timeMs, message: e.message, priority: e.priority };
    if (e.unit !== undefined) line.unit = e.unit;
    if (e.identifier !== undefined) line.identifier = e.identifier;
    out.push({ cursor: e.cursor, timeMs: e.timeMs, line });
  }
  return out;
}

/** A database call as a value: a locked or broken database fails this step, not the health cycle. */
function guard<T>(what: string, f: () => T): Result<T> {
  try {
    return ok(f());
  } catch (err) {
    return fail('io', `${what} failed: ${(err as Error).message}`);
  }
}

function classify(
  entries: readonly JournalEntry[],
  options: ClassifyOptions,
  counts: { benign: number; empty: number; unclassified: number },
): LogLine[] {
  const lines: LogLine[] = [];
  for (const e of entries) {
    const v = classifyEntry(e, options);
    if (v === 'benign') counts.benign++;
    else if (v === 'empty') counts.empty++;
    else if (v === 'other') counts.unclassified++;
    else lines.push(v);
  }
  return lines;
}
