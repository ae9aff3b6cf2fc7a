import type { Registry } from 'prom-client';
import { CATEGORIES, type Category, type Severity } from '../health/finding.js';
import { severityOrdinal, worst, type CategoryStatus } from '../health/status.js';
import type { ErrorCounts } from '../health/store/index.js';
import { snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_health_category_severity',
  'proxmon_health_category_unknown',
  'proxmon_health_active_errors',
  'proxmon_health_cycle_duration_seconds',
  'proxmon_health_last_cycle_timestamp_seconds',
] as const;

/** What the health metrics read: the last cycle (none yet after a start) and the persisted errors. */
export interface HealthMetricsSource {
  latest(): { at: number; durationMs: number; categories: readonly CategoryStatus[] } | undefined;
  /** Undefined when there is no store behind (documentation, tests). */
  counts(): ErrorCounts | undefined;
}

const SEVERITIES: readonly Severity[] = ['INFO', 'WARNING', 'CRITICAL'];

/**
 * Health series. Before the first cycle after a restart, category severity comes from the persisted
 * active errors, so a dashboard or alert does not see a freshly restarted host as healthy.
 */
export function registerHealthMetrics(registry: Registry, health: HealthMetricsSource): void {
  snapshotGauge(
    registry,
    {
      name: 'proxmon_health_category_severity',
      help: 'Health of a category: 0 OK, 1 INFO, 2 WARNING, 3 CRITICAL (absent while UNKNOWN)',
      labelNames: ['category'],
    },
    (emit) => {
      const last = health.latest();
      if (last) {
        for (const c of last.categories) emit({ category: c.category }, severityOrdinal(c.status));
        return;
      }
      const counts = health.counts();
      if (!counts) return;
      for (const category of CATEGORIES) {
        const present = SEVERITIES.filter((s) => counts[category][s] > 0);
        emit({ category }, severityOrdinal(worst(present)));
      }
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_health_category_unknown',
      help: '1 when a category could not be evaluated (its sources are down)',
      labelNames: ['category'],
    },
    (emit) => {
      for (const c of health.latest()?.categories ?? [])
        emit({ category: c.category }, c.status === 'UNKNOWN' ? 1 : 0);
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_health_active_errors',
      help: 'Persisted health errors that are active (not resolved, not dismissed)',
      labelNames: ['category', 'severity'],
    },
    (emit) => {
      const counts = health.counts();
      if (!counts) return;
      for (const category of Object.keys(counts) as Category[])
        for (const severity of SEVERITIES) emit({ category, severity }, counts[category][severity]);
    },
  );
  snapshotGauge(
    registry,
    { name: 'proxmon_health_cycle_duration_seconds', help: 'How long the last health cycle took' },
    (emit) => {
      const last = health.latest();
      if (last) emit({}, last.durationMs / 1000);
    },
  );
  snapshotGauge(
    registry,
    { name: 'proxmon_health_last_cycle_timestamp_seconds', help: 'When the last health cycle ran' },
    (emit) => {
      const last = health.latest();
      if (last) emit({}, last.at / 1000);
    },
  );
}
