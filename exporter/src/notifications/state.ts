import type { Db } from '../store/db.js';
import type { NotificationEvent } from './event.js';

// Tables: migration 6 (notify_channels, notify_cooldown, notify_bursts, notify_rate, notify_held, notify_counters).

export interface Burst {
  type: string;
  startedAt: number;
  count: number;
  samples: NotificationEvent[];
}

const MAX_SAMPLES = 20;

/** Thin persistence for the pipeline's decisions; every method is one statement or one transaction. */
export class PipelineState {
  constructor(private readonly db: Db) {}

  lastSent(fingerprint: string): number | undefined {
    const r = this.db
      .prepare('SELECT last_sent FROM notify_cooldown WHERE fingerprint = ?')
      .get(fingerprint) as { last_sent: number } | undefined;
    return r?.last_sent;
  }

  stampSent(fingerprint: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO notify_cooldown (fingerprint, last_sent, count) VALUES (?, ?, 1)
         ON CONFLICT(fingerprint) DO UPDATE SET last_sent = excluded.last_sent, count = count + 1`,
      )
      .run(fingerprint, at);
  }

  burst(type: string): Burst | undefined {
    const r = this.db.prepare('SELECT * FROM notify_bursts WHERE type = ?').get(type) as
      { type: string; started_at: number; count: number; samples: string } | undefined;
    return r && { type: r.type, startedAt: r.started_at, count: r.count, samples: JSON.parse(r.samples) };
  }

  openBurst(type: string, at: number): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO notify_bursts (type, started_at, count, samples) VALUES (?, ?, 0, '[]')`,
      )
      .run(type, at);
  }

  holdInBurst(b: Burst, e: NotificationEvent): void {
    const samples = b.samples.length < MAX_SAMPLES ? [...b.samples, e] : b.samples;
    this.db
      .prepare('UPDATE notify_bursts SET count = count + 1, samples = ? WHERE type = ?')
      .run(JSON.stringify(samples), b.type);
  }

  /** Bursts whose window has closed, removed as they are returned (in one transaction). */
  takeClosedBursts(now: number, windowOf: (type: string) => number): Burst[] {
    return this.db.transaction(() => {
      const rows = this.db.prepare('SELECT * FROM notify_bursts').all() as Array<{
        type: string;
        started_at: number;
        count: number;
        samples: string;
      }>;
      const closed = rows.filter((r) => now - r.started_at >= windowOf(r.type) * 1000);
      const del = this.db.prepare('DELETE FROM notify_bursts WHERE type = ?');
      for (const r of closed) del.run(r.type);
      return closed.map((r) => ({
        type: r.type,
        startedAt: r.started_at,
        count: r.count,
        samples: JSON.parse(r.samples) as NotificationEvent[],
      }));
    })();
  }

  /** Counts events of a group since `since`. */
  rateCount(group: string, since: number): number {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM notify_rate WHERE grp = ? AND at >= ?')
        .get(group, since) as {
        n: number;
      }
    ).n;
  }

  recordRate(group: string, at: number): void {
    this.db.prepare('INSERT INTO notify_rate (grp, at) VALUES (?, ?)').run(group, at);
    this.db.prepare('DELETE FROM notify_rate WHERE at < ?').run(at - 3_600_000);
  }

  hold(channel: string, kind: 'quiet' | 'digest', e: NotificationEvent): void {
    this.db
      .prepare('INSERT INTO notify_held (channel, kind, at, event) VALUES (?, ?, ?, ?)')
      .run(channel, kind, e.at, JSON.stringify(e));
  }

  held(channel: string, kind: 'quiet' | 'digest'): Array<{ id: number; event: NotificationEvent }> {
    return (
      this.db
        .prepare('SELECT id, event FROM notify_held WHERE channel = ? AND kind = ? ORDER BY id')
        .all(channel, kind) as Array<{ id: number; event: string }>
    ).map((r) => ({ id: r.id, event: JSON.parse(r.event) as NotificationEvent }));
  }

  release(ids: readonly number[]): void {
    const del = this.db.prepare('DELETE FROM notify_held WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) del.run(id);
    })();
  }

  count(name: string, by = 1): void {
    this.db
      .prepare(
        `INSERT INTO notify_counters (name, value) VALUES (?, ?)
         ON CONFLICT(name) DO UPDATE SET value = value + excluded.value`,
      )
      .run(name, by);
  }

  counters(): Map<string, number> {
    const rows = this.db.prepare('SELECT name, value FROM notify_counters').all() as Array<{
      name: string;
      value: number;
    }>;
    return new Map(rows.map((r) => [r.name, r.value]));
  }

  /** Transactions across several of the above (the pipeline's one decision per event). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
