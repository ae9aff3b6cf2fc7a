import type { Db } from '../../store/db.js';
import type { Exclusions } from '../check.js';
import type { ExclusionKind, ExclusionRecord } from './types.js';

interface ExclusionRow {
  kind: string;
  name: string;
  health: number;
  notifications: number;
  reason: string | null;
  created_at: number;
}

export interface ExclusionInput {
  health: boolean;
  notifications: boolean;
  reason?: string;
}

/** `health_exclusions`; callers hold the transaction. */
export class ExclusionsTable {
  private readonly selectAll;
  private readonly selectOne;
  private readonly upsert;
  private readonly remove;

  constructor(db: Db) {
    this.selectAll = db.prepare(
      `SELECT kind, name, health, notifications, reason, created_at FROM health_exclusions ORDER BY kind, name`,
    );
    this.selectOne = db.prepare(
      `SELECT kind, name, health, notifications, reason, created_at FROM health_exclusions
       WHERE kind = ? AND name = ?`,
    );
    // Editing an exclusion keeps when it was first made.
    this.upsert = db.prepare(
      `INSERT INTO health_exclusions (kind, name, health, notifications, reason, created_at)
       VALUES (@kind, @name, @health, @notifications, @reason, @now)
       ON CONFLICT (kind, name) DO UPDATE SET health = excluded.health,
         notifications = excluded.notifications, reason = excluded.reason`,
    );
    this.remove = db.prepare(`DELETE FROM health_exclusions WHERE kind = ? AND name = ?`);
  }

  list(kind?: ExclusionKind): ExclusionRecord[] {
    const rows = (this.selectAll.all() as ExclusionRow[]).map(toRecord);
    return kind ? rows.filter((r) => r.kind === kind) : rows;
  }

  get(kind: ExclusionKind, name: string): ExclusionRecord | undefined {
    const row = this.selectOne.get(kind, name) as ExclusionRow | undefined;
    return row && toRecord(row);
  }

  put(kind: ExclusionKind, name: string, input: ExclusionInput, now: number): ExclusionRecord {
    this.upsert.run({
      kind,
      name,
      health: input.health ? 1 : 0,
      notifications: input.notifications ? 1 : 0,
      reason: input.reason ?? null,
      now,
    });
    return this.get(kind, name)!;
  }

  delete(kind: ExclusionKind, name: string): boolean {
    return this.remove.run(kind, name).changes > 0;
  }

  /** The shape the checks read. */
  exclusions(): Exclusions {
    const storages = new Map<string, { health: boolean; notifications: boolean }>();
    const interfaces = new Map<string, { health: boolean; notifications: boolean }>();
    for (const r of this.list()) {
      (r.kind === 'storage' ? storages : interfaces).set(r.name, {
        health: r.health,
        notifications: r.notifications,
      });
    }
    return { storages, interfaces };
  }
}

function toRecord(r: ExclusionRow): ExclusionRecord {
  const record: ExclusionRecord = {
    kind: r.kind as ExclusionKind,
    name: r.name,
    health: r.health === 1,
    notifications: r.notifications === 1,
    createdAt: r.created_at,
  };
  if (r.reason !== null) record.reason = r.reason;
  return record;
}
