import type { Exec } from '../../sources/exec.js';
import { fail, ok, type Result } from '../../sources/source.js';
import type { Db } from '../../store/db.js';
import type { JournalLine } from '../check.js';
import type { Finding } from '../finding.js';
import { analyzeLogs, DEFAULT_LOG_ANALYSIS_OPTIONS, type LogAnalysisOptions } from './analyze.js';
import type { JournalEntry } from './journal.js';
import { createClassifier, type ClassifyOptions, type LogLine } from './patterns.js';
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
  /** Kernel `oom-kill:` summaries in the lookback (see KERNEL_OOM); undefined when that read failed. */
  oomSummaries: number | undefined;
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
   * `now`, and the kernel's `oom-kill:` summaries (info level) among them, oldest first, as of the last
   * successful step: the vms checks read them. Only those `keepLine` accepts (see LogAnalyzerDeps).
   */
  recentLines(now: number): readonly JournalLine[];
}

export interface LogAnalyzerDeps {
  db: Db;
  exec: Exec;
  options?: Partial<LogAnalyzerOptions>;
  /** Test seam: runs inside the state transaction, after the writes and before the commit. */
  beforeCommit?: () => void;
  /**
   * Which journal lines recentLines hands over (all by default): the health cycle keeps only those its
   * vms checks can use, so that tens of thousands of others are neither copied nor held.
   */
  keepLine?: (message: string) => boolean;
}

export function createLogAnalyzer({
  db,
  exec,
  options: given = {},
  beforeCommit,
  keepLine = () => true,
}: LogAnalyzerDeps): LogAnalyzer {
  const merged: LogAnalyzerOptions = { ...DEFAULT_LOG_ANALYZER_OPTIONS, ...given };
  // The first read and the refill after a restart must cover both windows.
  const options = { ...merged, lookbackMs: Math.max(merged.lookbackMs, 2 * merged.windowMs) };
  const recent = new RecentRing<LogLine>(options.maxRecentLines);
  const held = new RecentRing<JournalLine>(options.maxRecentLines);
  // Whether `recent` holds the last lookback's lines; false in a new process until the first step.
  let primed = false;
  // The kernel's OOM summaries of the last lookback, read afresh each step.
  let oomLines: JournalLine[] = [];
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
    const fresh = classify(read.value.entries, options, counts).filter(
      (l) => !recent.has(l.cursor, l.timeMs),
    );

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
    const window = (from: number, to: number) =>
      recent
        .between(from, to)
        .concat(extra.filter((l) => l.timeMs > from && l.timeMs <= to && !recent.has(l.cursor, l.timeMs)));
    const current = window(now - options.windowMs, Infinity);
    const previous = window(now - 2 * options.windowMs, now - options.windowMs);
    const state = guard('loading the log patterns', () => loadPatternState(db));
    if (!state.ok) return state;
    const analysis = analyzeLogs({ current, previous, fresh, state: state.value, now }, options);

    const saved = guard('saving the log analysis state', () =>
      saveLogState(db, analysis.state, read.value.cursor, now, beforeCommit),
    );
    if (!saved.ok) return saved;
    // Only once stored: a failed step leaves the ring as it was, and the retry reads the same lines.
    const oldest = now - options.lookbackMs;
    for (let i = 0; i < extra.length; i++) recent.push(extra[i]!, extra[i]!.cursor, extra[i]!.timeMs);
    recent.trim(oldest);
    hold(refilled, held, keepLine);
    hold(read.value.entries, held, keepLine);
    held.trim(oldest);
    primed = true;
    const oom = await readJournal(exec, { sinceMs: oldest }, { ...options, ...KERNEL_OOM }, signal);
    if (oom.ok) oomLines = journalLines(oom.value.entries).filter((l) => keepLine(l.message));

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
        oomSummaries: oom.ok ? oomLines.length : undefined,
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
      const lines = held.between(now - options.lookbackMs, Infinity);
      const oom = oomLines.filter((l) => l.at > now - options.lookbackMs);
      // A stable sort: held lines keep their journal order.
      return oom.length === 0 ? lines : lines.concat(oom).sort((a, b) => a.at - b.at);
    },
  };
}

/**
 * The kernel prints its OOM summary, `oom-kill:constraint=...,task_memcg=/qemu.slice/<vmid>.scope,...`,
 * the one line naming the guest's cgroup, at info level: below the analyzer's read (`Out of memory:
 * Killed process N (kvm)`, at err, names no guest). So each step also reads just those lines, kernel
 * notice and info ones whose message starts `oom-kill:`, over the lookback.
 */
const KERNEL_OOM: Partial<JournalReaderOptions> = {
  priority: 'notice..info',
  matches: ['_TRANSPORT=kernel'],
  grep: '^oom-kill:',
  maxLines: 1000,
};

/**
 * An entry as the vms checks read it, or undefined without a message or a priority. Indexed loops
 * here and below: a cycle runs each once over tens of thousands of entries, often before the
 * optimiser has compiled it, and an unoptimised for-of allocates at every step.
 */
function journalLine(e: JournalEntry): JournalLine | undefined {
  if (e.message === undefined || e.priority === undefined) return undefined;
  const line: JournalLine = { at: e.timeMs, message: e.message, priority: e.priority };
  if (e.unit !== undefined) line.unit = e.unit;
  if (e.identifier !== undefined) line.identifier = e.identifier;
  return line;
}

function hold(
  entries: readonly JournalEntry[],
  ring: RecentRing<JournalLine>,
  keep: (message: string) => boolean,
): void {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.message === undefined || !keep(e.message)) continue;
    const line = journalLine(e);
    if (line) ring.push(line, e.cursor, e.timeMs);
  }
}

function journalLines(entries: readonly JournalEntry[]): JournalLine[] {
  const lines: JournalLine[] = [];
  for (let i = 0; i < entries.length; i++) {
    const line = journalLine(entries[i]!);
    if (line) lines.push(line);
  }
  return lines;
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
  const verdictOf = createClassifier(options);
  const lines: LogLine[] = [];
  for (let i = 0; i < entries.length; i++) {
    const v = verdictOf(entries[i]!);
    if (v === 'benign') counts.benign++;
    else if (v === 'empty') counts.empty++;
    else if (v === 'other') counts.unclassified++;
    else lines.push(v);
  }
  return lines;
}
