/** Health categories, in the order the cycle evaluates and reports them. */
export const CATEGORIES = [
  'cpu',
  'memory',
  'storage',
  'disks',
  'network',
  'vms',
  'services',
  'logs',
  'updates',
  'security',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Severities of a finding; a category's status adds OK and UNKNOWN. */
export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';
export type Status = 'OK' | Severity | 'UNKNOWN';

/**
 * One problem a check found in one cycle. `errorKey` is stable across cycles (it names the resource and
 * the check, never a value), so the store can deduplicate, count and resolve it.
 */
export interface Finding {
  errorKey: string;
  category: Category;
  /** The check within the category that produced it (e.g. `log_error_cascade`). */
  check: string;
  severity: Severity;
  /** One human sentence, values included. */
  reason: string;
  details?: Record<string, unknown>;
}
