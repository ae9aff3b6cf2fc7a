import type { ResourceKind } from '../check.js';
import type { Category, Severity } from '../finding.js';
import type { DismissHours, DismissSource, HealthError, Resolution, ResourceRef } from './types.js';

const HOUR_MS = 3_600_000;

/** A `health_errors` row as SQLite returns it; the column names double as the statements' parameters. */
export interface ErrorRow {
  id: number;
  error_key: string;
  category: string;
  check_name: string;
  severity: string;
  reason: string;
  details: string | null;
  resource_kind: string | null;
  resource_id: string | null;
  first_seen: number;
  last_seen: number;
  occurrences: number;
  persistent_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  dismiss_hours: number | null;
  dismiss_source: string | null;
  resolved_at: number | null;
  resolution: string | null;
}

export const ERROR_COLUMNS =
  'id, error_key, category, check_name, severity, reason, details, resource_kind, resource_id, first_seen, ' +
  'last_seen, occurrences, persistent_at, acknowledged_at, acknowledged_by, dismiss_hours, dismiss_source, ' +
  'resolved_at, resolution';

/** SQL condition: the row's dismissal is in force at `@now`. */
export const DISMISSED_SQL = `(acknowledged_at IS NOT NULL AND (dismiss_hours IS NULL OR acknowledged_at + dismiss_hours * ${HOUR_MS} > @now))`;

export const SEVERITY_RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/** Worst first, then oldest. */
export const SEVERITY_ORDER_SQL = `CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END`;

const RESOURCE_KINDS: ReadonlySet<string> = new Set<ResourceKind>([
  'guest',
  'disk',
  'pool',
  'storage',
  'interface',
  'mount',
  'service',
]);

/** `details.resource` when it is a well-formed {kind, id}; anything else is not a resource. */
export function resourceOf(details: Record<string, unknown> | undefined): ResourceRef | undefined {
  const r = details?.['resource'];
  if (typeof r !== 'object' || r === null) return undefined;
  const { kind, id } = r as { kind?: unknown; id?: unknown };
  if (typeof kind !== 'string' || !RESOURCE_KINDS.has(kind)) return undefined;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  return { kind: kind as ResourceKind, id: String(id) };
}

export function dismissalExpiry(row: ErrorRow): number | null {
  if (row.acknowledged_at === null || row.dismiss_hours === null) return null;
  return row.acknowledged_at + row.dismiss_hours * HOUR_MS;
}

export function isDismissed(row: ErrorRow, now: number): boolean {
  if (row.acknowledged_at === null) return false;
  const expiry = dismissalExpiry(row);
  return expiry === null || expiry > now;
}

export function hoursToColumn(hours: DismissHours): number | null {
  return hours === 'permanent' ? null : hours;
}

export function parseDetails(json: string | null): Record<string, unknown> | undefined {
  if (json === null) return undefined;
  const value: unknown = JSON.parse(json);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function toHealthError(row: ErrorRow, now: number): HealthError {
  const error: HealthError = {
    errorKey: row.error_key,
    category: row.category as Category,
    check: row.check_name,
    severity: row.severity as Severity,
    reason: row.reason,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    occurrences: row.occurrences,
  };
  const details = parseDetails(row.details);
  if (details) error.details = details;
  if (row.resource_kind !== null && row.resource_id !== null) {
    error.resource = { kind: row.resource_kind as ResourceKind, id: row.resource_id };
  }
  if (row.persistent_at !== null) error.persistentAt = row.persistent_at;
  if (row.acknowledged_at !== null) {
    error.dismissal = {
      at: row.acknowledged_at,
      hours: row.dismiss_hours ?? 'permanent',
      expiresAt: dismissalExpiry(row),
      source: row.dismiss_source as DismissSource,
      inForce: isDismissed(row, now),
    };
    if (row.acknowledged_by !== null) error.dismissal.by = row.acknowledged_by;
  }
  if (row.resolved_at !== null) {
    error.resolvedAt = row.resolved_at;
    error.resolution = row.resolution as Resolution;
  }
  return error;
}
