import type { CategoryEvaluation } from './check.js';
import type { Category, Severity, Status } from './finding.js';

const RANK: Record<Status, number> = { OK: 0, INFO: 1, UNKNOWN: 2, WARNING: 3, CRITICAL: 4 };

export const worst = (statuses: Iterable<Status>): Status => {
  let out: Status = 'OK';
  for (const s of statuses) if (RANK[s] > RANK[out]) out = s;
  return out;
};

/** Ordinal for `proxmon_health_category_severity`: OK 0, INFO 1, WARNING 2, CRITICAL 3. */
export const severityOrdinal = (s: Status): number | undefined =>
  s === 'UNKNOWN' ? undefined : { OK: 0, INFO: 1, WARNING: 2, CRITICAL: 3 }[s];

export interface CategoryStatus {
  category: Category;
  status: Status;
  /** Set when the category could not be evaluated, or does not apply here. */
  reason?: string;
  skipped: boolean;
  /** Every WARNING/CRITICAL finding is dismissed: shown as OK with this flag. */
  allDismissed: boolean;
}

/**
 * A category's status from its evaluation and which of its findings are dismissed: the worst
 * undismissed finding; OK with `allDismissed` when every problem is dismissed; UNKNOWN when its inputs
 * were missing; OK (skipped) when it does not apply.
 */
export function categoryStatus(e: CategoryEvaluation, dismissed: ReadonlySet<string>): CategoryStatus {
  const base = { category: e.category, skipped: false, allDismissed: false };
  if (e.skipped !== undefined) return { ...base, status: 'OK', reason: e.skipped, skipped: true };
  if (e.unknown !== undefined) return { ...base, status: 'UNKNOWN', reason: e.unknown };
  const live: Severity[] = [];
  let problems = 0;
  for (const f of e.findings) {
    if (f.severity !== 'INFO') problems++;
    if (!dismissed.has(f.errorKey)) live.push(f.severity);
  }
  const status = worst(live);
  return { ...base, status, allDismissed: problems > 0 && status !== 'WARNING' && status !== 'CRITICAL' };
}

/** Overall: the worst category, except that UNKNOWN counts as WARNING and INFO as OK. */
export function overallStatus(categories: Iterable<CategoryStatus>): Status {
  const s = worst([...categories].map((c) => c.status));
  if (s === 'UNKNOWN') return 'WARNING';
  if (s === 'INFO') return 'OK';
  return s;
}

/** One cycle's outcome, as the API and metrics show it. */
export interface HealthSnapshot {
  at: number;
  durationMs: number;
  overall: Status;
  categories: Array<CategoryStatus & { evaluation: CategoryEvaluation }>;
}
