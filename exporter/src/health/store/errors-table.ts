import type { Db } from '../../store/db.js';
import { CATEGORIES, type Category, type Severity } from '../finding.js';
import { DISMISSED_SQL, ERROR_COLUMNS, SEVERITY_ORDER_SQL, type ErrorRow } from './error-row.js';
import type { ErrorCounts } from './types.js';

export type NewErrorRow = Omit<ErrorRow, 'id'>;

const SET_ALL =
  'category = @category, check_name = @check_name, severity = @severity, reason = @reason, details = @details, ' +
  'resource_kind = @resource_kind, resource_id = @resource_id, last_seen = @last_seen, ' +
  'occurrences = @occurrences, persistent_at = @persistent_at, acknowledged_at = @acknowledged_at, ' +
  'acknowledged_by = @acknowledged_by, dismiss_hours = @dismiss_hours, dismiss_source = @dismiss_source, ' +
  'resolved_at = @resolved_at, resolution = @resolution';

/** Prepared statements over `health_errors`; callers hold the transaction. */
export class ErrorsTable {
  private readonly insertRow;
  private readonly updateRow;
  private readonly selectOpen;
  private readonly selectOpenKey;
  private readonly selectLatestKey;
  private readonly selectOpenResource;
  private readonly selectActive;
  private readonly selectDismissed;
  private readonly countActive;
  private readonly deleteResolved;
  private readonly resyncDismissals;

  constructor(db: Db) {
    this.insertRow = db.prepare(
      `INSERT INTO health_errors (${ERROR_COLUMNS.replace('id, ', '')})
       VALUES (@error_key, @category, @check_name, @severity, @reason, @details, @resource_kind, @resource_id,
         @first_seen, @last_seen, @occurrences, @persistent_at, @acknowledged_at, @acknowledged_by,
         @dismiss_hours, @dismiss_source, @resolved_at, @resolution)`,
    );
    this.updateRow = db.prepare(`UPDATE health_errors SET ${SET_ALL} WHERE id = @id`);
    this.selectOpen = db.prepare(
      `SELECT ${ERROR_COLUMNS} FROM health_errors WHERE resolved_at IS NULL ORDER BY id`,
    );
    this.selectOpenKey = db.prepare(
      `SELECT ${ERROR_COLUMNS} FROM health_errors WHERE error_key = ? AND resolved_at IS NULL`,
    );
    this.selectLatestKey = db.prepare(
      `SELECT ${ERROR_COLUMNS} FROM health_errors WHERE error_key = ? ORDER BY id DESC LIMIT 1`,
    );
    this.selectOpenResource = db.prepare(
      `SELECT ${ERROR_COLUMNS} FROM health_errors
       WHERE resource_kind = ? AND resource_id = ? AND resolved_at IS NULL`,
    );
    this.selectActive = db.prepare(
      `SELECT ${ERROR_COLUMNS} FROM health_errors WHERE resolved_at IS NULL AND NOT ${DISMISSED_SQL}
       ORDER BY ${SEVERITY_ORDER_SQL}, first_seen, error_key`,
    );
    this.selectDismissed = db.prepare(
      `SELECT ${ERROR_COLUMNS} FROM health_errors WHERE resolved_at IS NULL AND ${DISMISSED_SQL}
       ORDER BY ${SEVERITY_ORDER_SQL}, first_seen, error_key`,
    );
    this.countActive = db.prepare(
      `SELECT category, severity, count(*) AS n FROM health_errors
       WHERE resolved_at IS NULL AND NOT ${DISMISSED_SQL} GROUP BY category, severity`,
    );
    this.deleteResolved = db.prepare(
      `DELETE FROM health_errors WHERE resolved_at IS NOT NULL AND resolved_at < ?`,
    );
    // Only dismissals that follow the category default, and only while they are in force.
    this.resyncDismissals = db.prepare(
      `UPDATE health_errors SET dismiss_hours = @hours
       WHERE resolved_at IS NULL AND category = @category AND dismiss_source IN ('default', 'auto')
         AND ${DISMISSED_SQL}`,
    );
  }

  insert(row: NewErrorRow): ErrorRow {
    const id = Number(this.insertRow.run(row).lastInsertRowid);
    return { id, ...row };
  }

  save(row: ErrorRow): void {
    this.updateRow.run(row);
  }

  /** Every unresolved row by key (at most one per key: a unique partial index). */
  open(): Map<string, ErrorRow> {
    const rows = this.selectOpen.all() as ErrorRow[];
    return new Map(rows.map((r) => [r.error_key, r]));
  }

  openRow(errorKey: string): ErrorRow | undefined {
    return this.selectOpenKey.get(errorKey) as ErrorRow | undefined;
  }

  /** The unresolved row, or else the last resolved one. */
  latest(errorKey: string): ErrorRow | undefined {
    return this.openRow(errorKey) ?? (this.selectLatestKey.get(errorKey) as ErrorRow | undefined);
  }

  openForResource(kind: string, id: string): ErrorRow[] {
    return this.selectOpenResource.all(kind, id) as ErrorRow[];
  }

  active(now: number): ErrorRow[] {
    return this.selectActive.all({ now }) as ErrorRow[];
  }

  dismissed(now: number): ErrorRow[] {
    return this.selectDismissed.all({ now }) as ErrorRow[];
  }

  counts(now: number): ErrorCounts {
    const counts = Object.fromEntries(
      CATEGORIES.map((c) => [c, { INFO: 0, WARNING: 0, CRITICAL: 0 }]),
    ) as ErrorCounts;
    for (const r of this.countActive.all({ now }) as { category: string; severity: string; n: number }[]) {
      const byCategory = counts[r.category as Category] as Record<Severity, number> | undefined;
      if (byCategory && r.severity in byCategory) byCategory[r.severity as Severity] = r.n;
    }
    return counts;
  }

  deleteResolvedBefore(cutoff: number): number {
    return this.deleteResolved.run(cutoff).changes;
  }

  resyncDefaultDismissals(category: Category, hours: number | null, now: number): number {
    return this.resyncDismissals.run({ category, hours, now }).changes;
  }
}
