import type { Db } from '../../store/db.js';
import type { Category, Severity } from '../finding.js';
import { parseDetails, resourceOf, type ErrorRow } from './error-row.js';
import type { EventQuery, HealthEvent, HealthEventType } from './types.js';

/** The union member whose `type` admits T. */
type EventOf<T extends HealthEventType> = HealthEvent extends infer E
  ? E extends { type: infer U }
    ? T extends U
      ? E
      : never
    : never
  : never;

type Extra<T extends HealthEventType> = Omit<
  EventOf<T>,
  | 'type'
  | 'id'
  | 'at'
  | 'errorKey'
  | 'category'
  | 'check'
  | 'severity'
  | 'reason'
  | 'firstSeen'
  | 'occurrences'
>;

interface EventRow {
  id: number;
  at: number;
  type: string;
  error_key: string;
  category: string;
  severity: string;
  data: string;
}

/** The `health_events` log: every transition of an error, newest last. Callers hold the transaction. */
export class EventLog {
  private readonly insertEvent;
  private readonly deleteOld;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.insertEvent = db.prepare(
      `INSERT INTO health_events (at, type, error_key, category, severity, data)
       VALUES (@at, @type, @error_key, @category, @severity, @data)`,
    );
    this.deleteOld = db.prepare(`DELETE FROM health_events WHERE at < ?`);
  }

  /** Records an event about `row` in its state after the change. */
  append<T extends HealthEventType>(type: T, row: ErrorRow, at: number, extra: Extra<T>): HealthEvent {
    const details = parseDetails(row.details);
    const resource = resourceOf(details);
    const data: Record<string, unknown> = {
      check: row.check_name,
      reason: row.reason,
      firstSeen: row.first_seen,
      occurrences: row.occurrences,
      ...(details ? { details } : {}),
      ...(resource ? { resource } : {}),
      ...extra,
    };
    const id = Number(
      this.insertEvent.run({
        at,
        type,
        error_key: row.error_key,
        category: row.category,
        severity: row.severity,
        data: JSON.stringify(data),
      }).lastInsertRowid,
    );
    return toEvent(
      { id, at, type, error_key: row.error_key, category: row.category, severity: row.severity },
      data,
    );
  }

  list({ limit = 100, before, errorKey }: EventQuery = {}): HealthEvent[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (before !== undefined) {
      where.push('id < ?');
      params.push(before);
    }
    if (errorKey !== undefined) {
      where.push('error_key = ?');
      params.push(errorKey);
    }
    const n = Math.min(1000, Math.max(1, Math.floor(limit)));
    const rows = this.db
      .prepare(
        `SELECT id, at, type, error_key, category, severity, data FROM health_events
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${n}`,
      )
      .all(...params) as EventRow[];
    return rows.map((r) => toEvent(r, JSON.parse(r.data) as Record<string, unknown>));
  }

  deleteBefore(cutoff: number): number {
    return this.deleteOld.run(cutoff).changes;
  }
}

function toEvent(row: Omit<EventRow, 'data'>, data: Record<string, unknown>): HealthEvent {
  return {
    ...data,
    id: row.id,
    at: row.at,
    type: row.type,
    errorKey: row.error_key,
    category: row.category as Category,
    severity: row.severity as Severity,
  } as HealthEvent;
}
