import type { Db } from '../store/db.js';
import type { SelfTestStart, SelfTestType } from './types.js';

/**
 * Schema for SMART self-test schedules and the runs they (and people) started. For the lead to append
 * to store/migrations.ts as one new entry; nothing here edits the migration list.
 */
export const SMART_TESTS_SCHEMA = `CREATE TABLE smart_test_schedules (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     test_type TEXT NOT NULL CHECK (test_type IN ('short', 'long')),
     cron TEXT NOT NULL,            -- 5-field cron expression, server local time
     disks TEXT NOT NULL,           -- JSON: "all" or an array of disk_ids
     enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE smart_test_runs (
     id INTEGER PRIMARY KEY,
     disk_id TEXT NOT NULL,
     device TEXT NOT NULL,
     test_type TEXT NOT NULL CHECK (test_type IN ('short', 'long')),
     started_at INTEGER NOT NULL,
     schedule_id INTEGER REFERENCES smart_test_schedules(id) ON DELETE SET NULL,
     actor TEXT,                    -- who asked (API) or NULL for a schedule
     outcome TEXT NOT NULL CHECK (outcome IN ('started', 'busy', 'unsupported', 'failed')),
     message TEXT,
     expected_minutes INTEGER
   ) STRICT;
   CREATE INDEX smart_test_runs_disk ON smart_test_runs (disk_id, started_at);`;

/** Runs kept per disk; older ones are dropped as new ones are recorded. */
export const RUNS_KEPT_PER_DISK = 100;

export type ScheduleDisks = 'all' | string[];

export interface Schedule {
  id: number;
  name: string;
  type: SelfTestType;
  cron: string;
  disks: ScheduleDisks;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type ScheduleInput = Pick<Schedule, 'name' | 'type' | 'cron' | 'disks' | 'enabled'>;

export interface RunRecord {
  id: number;
  diskId: string;
  device: string;
  type: SelfTestType;
  startedAt: number;
  scheduleId: number | null;
  actor: string | null;
  outcome: SelfTestStart['outcome'];
  message: string | null;
  expectedMinutes: number | null;
}

interface ScheduleRow {
  id: number;
  name: string;
  test_type: string;
  cron: string;
  disks: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

interface RunRow {
  id: number;
  disk_id: string;
  device: string;
  test_type: string;
  started_at: number;
  schedule_id: number | null;
  actor: string | null;
  outcome: string;
  message: string | null;
  expected_minutes: number | null;
}

function parseDisks(text: string): ScheduleDisks {
  try {
    const v: unknown = JSON.parse(text);
    if (v === 'all') return 'all';
    if (Array.isArray(v)) return v.filter((d): d is string => typeof d === 'string');
  } catch {
    // a hand-edited row; treat as no disks rather than every disk
  }
  return [];
}

const toSchedule = (r: ScheduleRow): Schedule => ({
  id: r.id,
  name: r.name,
  type: r.test_type as SelfTestType,
  cron: r.cron,
  disks: parseDisks(r.disks),
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toRun = (r: RunRow): RunRecord => ({
  id: r.id,
  diskId: r.disk_id,
  device: r.device,
  type: r.test_type as SelfTestType,
  startedAt: r.started_at,
  scheduleId: r.schedule_id,
  actor: r.actor,
  outcome: r.outcome as SelfTestStart['outcome'],
  message: r.message,
  expectedMinutes: r.expected_minutes,
});

/** Schedules and runs in SQLite; every method is one statement or one transaction. */
export class SmartTestStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  listSchedules(): Schedule[] {
    return (this.db.prepare('SELECT * FROM smart_test_schedules ORDER BY id').all() as ScheduleRow[]).map(
      toSchedule,
    );
  }

  getSchedule(id: number): Schedule | undefined {
    const row = this.db.prepare('SELECT * FROM smart_test_schedules WHERE id = ?').get(id) as
      ScheduleRow | undefined;
    return row && toSchedule(row);
  }

  createSchedule(input: ScheduleInput): Schedule {
    const at = this.now();
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO smart_test_schedules (name, test_type, cron, disks, enabled, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(input.name, input.type, input.cron, JSON.stringify(input.disks), input.enabled ? 1 : 0, at, at);
    return this.getSchedule(Number(lastInsertRowid))!;
  }

  updateSchedule(id: number, patch: Partial<ScheduleInput>): Schedule | undefined {
    const current = this.getSchedule(id);
    if (!current) return undefined;
    const next = { ...current, ...patch };
    this.db
      .prepare(
        `UPDATE smart_test_schedules SET name = ?, test_type = ?, cron = ?, disks = ?, enabled = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(next.name, next.type, next.cron, JSON.stringify(next.disks), next.enabled ? 1 : 0, this.now(), id);
    return this.getSchedule(id);
  }

  deleteSchedule(id: number): boolean {
    return this.db.prepare('DELETE FROM smart_test_schedules WHERE id = ?').run(id).changes > 0;
  }

  recordRun(run: Omit<RunRecord, 'id' | 'startedAt'>): RunRecord {
    const startedAt = this.now();
    const id = this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO smart_test_runs
             (disk_id, device, test_type, started_at, schedule_id, actor, outcome, message, expected_minutes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.diskId,
          run.device,
          run.type,
          startedAt,
          run.scheduleId,
          run.actor,
          run.outcome,
          run.message,
          run.expectedMinutes,
        );
      this.db
        .prepare(
          `DELETE FROM smart_test_runs WHERE disk_id = ? AND id NOT IN
             (SELECT id FROM smart_test_runs WHERE disk_id = ? ORDER BY id DESC LIMIT ?)`,
        )
        .run(run.diskId, run.diskId, RUNS_KEPT_PER_DISK);
      return Number(lastInsertRowid);
    })();
    return { ...run, id, startedAt };
  }

  /** Newest first. */
  runs(filter: { diskId?: string; scheduleId?: number; limit: number }): RunRecord[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.diskId !== undefined) {
      where.push('disk_id = ?');
      args.push(filter.diskId);
    }
    if (filter.scheduleId !== undefined) {
      where.push('schedule_id = ?');
      args.push(filter.scheduleId);
    }
    const sql = `SELECT * FROM smart_test_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit) as RunRow[]).map(toRun);
  }
}
