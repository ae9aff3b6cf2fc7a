import type { Db } from '../store/db.js';

export interface AuditEntry {
  actor?: string | null;
  ip?: string | null;
  action: string;
  target?: string | null;
  /** Context for the entry; never a secret. */
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string | null;
  ip: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}

/** Append-only record of logins, token changes, settings changes, guest actions and terminal sessions. */
export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  record(e: AuditEntry): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, ip, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        this.now(),
        e.actor ?? null,
        e.ip ?? null,
        e.action,
        e.target ?? null,
        e.detail ? JSON.stringify(e.detail) : null,
      );
  }

  /** Newest first; `before` is the id to continue from (keyset paging stays stable while rows are added). */
  page(limit: number, before?: number): { entries: AuditRow[]; next_before: number | null } {
    const rows = this.db
      .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(before ?? Number.MAX_SAFE_INTEGER, limit) as Array<
      Omit<AuditRow, 'at' | 'detail'> & { at: number; detail: string | null }
    >;
    const entries = rows.map((r) => ({
      ...r,
      at: new Date(r.at).toISOString(),
      detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    }));
    return { entries, next_before: rows.length === limit ? rows[rows.length - 1]!.id : null };
  }
}
