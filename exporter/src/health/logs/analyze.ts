import type { Finding } from '../finding.js';
import type { LogLine, LogSeverity } from './patterns.js';

/** Thresholds of the four log checks; the health cycle maps its configurable thresholds onto these. */
export interface LogAnalysisOptions {
  /** Length of the current window (and of the previous one before it). */
  windowMs: number;
  /** cascade: the same pattern at least this often in the current window. */
  cascadeMinCount: number;
  /** spike: a pattern at least this often in the current window ... */
  spikeMinCount: number;
  /** ... and at least this many times as often as in the previous window. */
  spikeRatio: number;
  /** persistent: at least this many occurrences ... */
  persistentMinCount: number;
  /** ... spread over at least this long (first to last occurrence). */
  persistentMinSpanMs: number;
  /** A pattern unseen this long is forgotten. */
  persistentForgetMs: number;
  /** At most this many patterns are remembered; the least recently seen go first. */
  persistentMaxPatterns: number;
}

export const DEFAULT_LOG_ANALYSIS_OPTIONS: Readonly<LogAnalysisOptions> = {
  windowMs: 5 * 60_000,
  cascadeMinCount: 15,
  spikeMinCount: 5,
  spikeRatio: 4,
  persistentMinCount: 3,
  persistentMinSpanMs: 15 * 60_000,
  persistentForgetMs: 30 * 60_000,
  persistentMaxPatterns: 500,
};

/** What is remembered of one pattern across cycles (and restarts: the `log_patterns` table). */
export interface PatternRecord {
  hash: string;
  pattern: string;
  severity: LogSeverity;
  /** Unix ms of the first and last occurrence (journal time, not read time). */
  firstSeen: number;
  lastSeen: number;
  count: number;
  /** The latest raw line. */
  sample: string;
}

export type PatternState = ReadonlyMap<string, PatternRecord>;

export interface LogAnalysisInput {
  /** Classified lines of the current window, (now - windowMs, now]. */
  current: readonly LogLine[];
  /** Classified lines of the window before it, (now - 2 windowMs, now - windowMs]. */
  previous: readonly LogLine[];
  /**
   * Lines read for the first time in this step: only these are counted into the persistent state, so a
   * line is counted once however the windows overlap between steps.
   */
  fresh: readonly LogLine[];
  state: PatternState;
  now: number;
}

export interface LogAnalysis {
  findings: Finding[];
  state: Map<string, PatternRecord>;
}

export const LOG_CHECKS = {
  critical: 'log_critical_errors',
  cascade: 'log_error_cascade',
  spike: 'log_error_spike',
  persistent: 'log_persistent_errors',
} as const;

/** The four log checks over one step's windows. Pure: same input, same output. */
export function analyzeLogs(
  input: LogAnalysisInput,
  options: LogAnalysisOptions = DEFAULT_LOG_ANALYSIS_OPTIONS,
): LogAnalysis {
  const minutes = formatMinutes(options.windowMs);
  const current = groupByPattern(input.current);
  const previous = groupByPattern(input.previous);
  const findings: Finding[] = [];

  for (const g of current.values()) {
    if (g.severity !== 'CRITICAL') continue;
    findings.push({
      errorKey: `log_critical_${g.hash}`,
      category: 'logs',
      check: LOG_CHECKS.critical,
      severity: 'CRITICAL',
      reason: `${times(g.count)} in the last ${minutes}: ${g.sample}`,
      details: groupDetails(g),
    });
  }

  for (const g of current.values()) {
    if (g.count < options.cascadeMinCount) continue;
    findings.push({
      errorKey: `log_cascade_${g.hash}`,
      category: 'logs',
      check: LOG_CHECKS.cascade,
      severity: 'WARNING',
      reason: `The same error ${times(g.count)} in the last ${minutes}: ${g.sample}`,
      details: groupDetails(g),
    });
  }

  const spikes = [...current.values()]
    .map((g) => ({ g, before: previous.get(g.hash)?.count ?? 0 }))
    .filter(({ g, before }) => g.count >= options.spikeMinCount && g.count >= options.spikeRatio * before);
  if (spikes.length > 0) {
    const top = spikes[0]!;
    const total = spikes.reduce((n, s) => n + s.g.count, 0);
    findings.push({
      errorKey: 'log_error_spike',
      category: 'logs',
      check: LOG_CHECKS.spike,
      severity: 'WARNING',
      reason:
        `${spikes.length === 1 ? 'An error' : `${spikes.length} errors`} jumped to ${total} in the last ${minutes} ` +
        `(${top.before} in the ${minutes} before): ${top.g.sample}`,
      details: {
        patterns: spikes.map(({ g, before }) => ({ ...groupDetails(g), previousCount: before })),
      },
    });
  }

  const state = updateState(input.state, input.fresh, input.now, options);
  const persistent = [...state.values()]
    .filter(
      (r) => r.count >= options.persistentMinCount && r.lastSeen - r.firstSeen >= options.persistentMinSpanMs,
    )
    .sort(byCountThenHash);
  for (const r of persistent) {
    findings.push({
      errorKey: `log_persistent_${r.hash}`,
      category: 'logs',
      check: LOG_CHECKS.persistent,
      severity: 'WARNING',
      reason: `${times(r.count)} over ${formatMinutes(r.lastSeen - r.firstSeen)}: ${r.sample}`,
      details: {
        pattern: r.pattern,
        hash: r.hash,
        count: r.count,
        firstSeen: r.firstSeen,
        lastSeen: r.lastSeen,
        sample: r.sample,
      },
    });
  }
  return { findings, state };
}

/**
 * Adds the fresh lines to the remembered patterns, forgets those unseen for `persistentForgetMs`, and
 * keeps at most `persistentMaxPatterns`, dropping the least recently seen.
 */
export function updateState(
  state: PatternState,
  fresh: readonly LogLine[],
  now: number,
  options: LogAnalysisOptions = DEFAULT_LOG_ANALYSIS_OPTIONS,
): Map<string, PatternRecord> {
  const next = new Map<string, PatternRecord>();
  for (const [hash, r] of state) next.set(hash, { ...r });
  for (const line of fresh) {
    const r = next.get(line.hash);
    if (!r) {
      next.set(line.hash, {
        hash: line.hash,
        pattern: line.pattern,
        severity: line.severity,
        firstSeen: line.timeMs,
        lastSeen: line.timeMs,
        count: 1,
        sample: line.sample,
      });
      continue;
    }
    r.count++;
    r.firstSeen = Math.min(r.firstSeen, line.timeMs);
    if (line.timeMs >= r.lastSeen) {
      r.lastSeen = line.timeMs;
      r.sample = line.sample;
    }
    if (line.severity === 'CRITICAL') r.severity = 'CRITICAL';
  }
  for (const [hash, r] of next) if (now - r.lastSeen > options.persistentForgetMs) next.delete(hash);
  if (next.size > options.persistentMaxPatterns) {
    const oldest = [...next.values()].sort((a, b) => a.lastSeen - b.lastSeen || (a.hash < b.hash ? -1 : 1));
    for (const r of oldest.slice(0, next.size - options.persistentMaxPatterns)) next.delete(r.hash);
  }
  return next;
}

interface PatternGroup {
  hash: string;
  pattern: string;
  severity: LogSeverity;
  rule: string;
  count: number;
  /** The latest line of the group. */
  sample: string;
  lastMs: number;
  units: Set<string>;
}

/** Groups lines by pattern, most frequent first (ties by hash, so the order is stable). */
function groupByPattern(lines: readonly LogLine[]): Map<string, PatternGroup> {
  const groups = new Map<string, PatternGroup>();
  for (const l of lines) {
    let g = groups.get(l.hash);
    if (!g) {
      g = {
        hash: l.hash,
        pattern: l.pattern,
        severity: l.severity,
        rule: l.rule,
        count: 0,
        sample: l.sample,
        lastMs: l.timeMs,
        units: new Set(),
      };
      groups.set(l.hash, g);
    }
    g.count++;
    if (l.severity === 'CRITICAL') g.severity = 'CRITICAL';
    if (l.timeMs >= g.lastMs) {
      g.lastMs = l.timeMs;
      g.sample = l.sample;
    }
    if (l.unit !== undefined) g.units.add(l.unit);
  }
  return new Map([...groups.values()].sort(byCountThenHash).map((g) => [g.hash, g]));
}

function groupDetails(g: PatternGroup): Record<string, unknown> {
  return {
    pattern: g.pattern,
    hash: g.hash,
    rule: g.rule,
    count: g.count,
    sample: g.sample,
    lastSeen: g.lastMs,
    units: [...g.units].sort(),
  };
}

const byCountThenHash = (a: { count: number; hash: string }, b: { count: number; hash: string }) =>
  b.count - a.count || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0);

const times = (n: number) => (n === 1 ? 'once' : `${n} times`);

function formatMinutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m === 1 ? '1 min' : `${m} min`;
}
