import type { LogAnalysisOptions } from '../logs/analyze.js';
import { LOG_CHECKS } from '../logs/analyze.js';
import type { CategoryCheck, CheckRow } from '../check.js';
import type { Finding, Severity } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { byCodePoint } from '../../compare.js';

const SEVERITY_RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/**
 * The log analyzer's options from the `logs` thresholds: the cycle builds the analyzer (or each step's
 * options) with these, so every configurable log threshold reaches the four checks.
 */
export function logAnalysisOptions(
  t: Thresholds,
): Pick<
  LogAnalysisOptions,
  'cascadeMinCount' | 'spikeMinCount' | 'spikeRatio' | 'persistentMinCount' | 'persistentMinSpanMs'
> {
  return {
    cascadeMinCount: t.logs.cascade_count,
    spikeMinCount: t.logs.spike_count,
    spikeRatio: t.logs.spike_factor,
    persistentMinCount: t.logs.persistent_count,
    persistentMinSpanMs: t.logs.persistent_seconds * 1000,
  };
}

const OK_REASONS: Record<(typeof LOG_CHECKS)[keyof typeof LOG_CHECKS], string> = {
  [LOG_CHECKS.critical]: 'No critical errors in the journal in the last 5 min',
  [LOG_CHECKS.cascade]: 'No error repeating as a cascade in the last 5 min',
  [LOG_CHECKS.spike]: 'No spike of errors in the last 5 min',
  [LOG_CHECKS.persistent]: 'No error pattern persisting across cycles',
};

/**
 * The journal analysis of this cycle (`extras.logs`, run by the cycle before the pure checks), passed
 * through: its findings as they are, its rows plus one row per finding the analysis did not give a row
 * for, and an OK row for each of the four log checks that found nothing. UNKNOWN with the analyzer's
 * reason when the journal could not be read.
 */
export const checkLogs: CategoryCheck = (inputs) => {
  const logs = inputs.extras.logs;
  if (logs === undefined)
    return { category: 'logs', rows: [], findings: [], unknown: 'the journal was not analysed this cycle' };
  if ('unknown' in logs) return { category: 'logs', rows: [], findings: [], unknown: logs.unknown };

  const findings = [...logs.findings].sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || byCodePoint(a.errorKey, b.errorKey),
  );
  const rows = [...logs.rows];
  const covered = new Set(rows.flatMap((r) => (r.errorKey === undefined ? [] : [r.errorKey])));
  for (const f of findings) if (!covered.has(f.errorKey)) rows.push(findingRow(f));
  for (const [check, reason] of Object.entries(OK_REASONS)) {
    if (!rows.some((r) => r.check === check)) rows.push({ check, status: 'OK', reason });
  }
  return { category: 'logs', rows, findings };
};

function findingRow(f: Finding): CheckRow {
  const hash = f.details?.['hash'];
  const count = f.details?.['count'];
  return {
    check: f.check,
    ...(typeof hash === 'string' && { resource: hash }),
    status: f.severity,
    reason: f.reason,
    errorKey: f.errorKey,
    ...(typeof count === 'number' && { value: count }),
  };
}
