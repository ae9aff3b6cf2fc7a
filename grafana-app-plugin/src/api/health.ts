import { api } from './client';

// The exporter's /api/health answers (exporter/src/http/health.ts).

export type HealthStatus = 'OK' | 'INFO' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export interface CheckRow {
  check: string;
  resource: string | null;
  status: HealthStatus;
  reason: string;
  value: number | null;
  error_key: string | null;
  dismissable: boolean;
  dismissed: boolean;
}

export interface CategoryDetails {
  category: string;
  status: HealthStatus;
  reason: string | null;
  skipped: boolean;
  all_dismissed: boolean;
  checks: CheckRow[];
}

export interface HealthError {
  error_key: string;
  category: string;
  check: string;
  severity: 'INFO' | 'WARNING' | 'CRITICAL';
  reason: string;
  details: Record<string, unknown> | null;
  resource: { kind: string; id: string } | null;
  first_seen: string | null;
  last_seen: string | null;
  occurrences: number;
  persistent: boolean;
  dismissed: boolean;
  dismissed_at: string | null;
  dismissed_by: string | null;
  /** Null while not dismissed, or when dismissed permanently. */
  dismiss_expires_at: string | null;
  permanent: boolean;
}

export interface HealthFull {
  /** Null before the first cycle. */
  overall: HealthStatus | null;
  at: string | null;
  duration_ms: number | null;
  categories: CategoryDetails[];
  active_errors: HealthError[];
  dismissed: HealthError[];
}

/** The exporter's dismissal durations (DISMISS_DURATIONS in exporter/src/health/store/types.ts). */
export const DISMISS_DURATIONS = [
  { value: '24h', label: '24 hours' },
  { value: '72h', label: '72 hours' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: '1y', label: '1 year' },
  { value: 'permanent', label: 'Permanently' },
] as const;
export type DismissDuration = (typeof DISMISS_DURATIONS)[number]['value'];

export const getHealthFull = () => api<HealthFull>('health/full');

export const runHealthCycle = () => api<unknown>('health/run', { method: 'POST' });

export const dismissError = (errorKey: string, duration: DismissDuration) =>
  api<{ error: HealthError }>('health/acknowledge', {
    method: 'POST',
    data: { error_key: errorKey, duration },
  });

export const undismissError = (errorKey: string) =>
  api<{ error: HealthError }>('health/un-acknowledge', { method: 'POST', data: { error_key: errorKey } });
