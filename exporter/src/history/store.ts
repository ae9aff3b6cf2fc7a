import type { Db } from '../store/db.js';

export const FIVE_MINUTES_MS = 300_000;
export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The resolution a read is answered in: every sample, or buckets of 5 minutes or an hour. */
export type HistoryStep = 'raw' | typeof FIVE_MINUTES_MS | typeof HOUR_MS;

export interface HistoryRetention {
  rawMs: number;
  fiveMinuteMs: number;
  hourlyMs: number;
}

export const DEFAULT_RETENTION: Readonly<HistoryRetention> = {
  rawMs: DAY_MS,
  fiveMinuteMs: 7 * DAY_MS,
  hourlyMs: 90 * DAY_MS,
};

export interface HistorySample {
  series: string;
  key: string;
  /** Epoch ms. */
  ts: number;
  value: number;
}

/** One point of a read: a sample (count 1) or a bucket starting at `ts`. */
export interface HistoryPoint {
  ts: number;
  avg: number;
  min: number;
  max: number;
  count: number;
}

export interface HistoryQuery {
  series: string;
  key: string;
  /** Epoch ms, inclusive: buckets that start at or after the bucket holding `from`. */
  from: number;
  /** Epoch ms, inclusive. */
  to: number;
  step: HistoryStep;
}

export interface MaintenanceResult {
  /** Buckets written per step (rewritten ones included). */
  rolledUp: { fiveMinute: number; hourly: number };
  pruned: { raw: number; fiveMinute: number; hourly: number };
}

export interface HistoryStore {
  /** Adds samples; a second sample for the same series, key and millisecond replaces the first. */
  insert(samples: readonly HistorySample[]): void;
  /**
   * Rolls complete buckets up (raw → 5 minutes → hourly) and then drops what is past retention, in
   * one transaction. Idempotent: a second run at the same `now` changes nothing.
   */
  maintain(now: number): MaintenanceResult;
  /**
   * Points oldest first. Buckets not rolled up yet (the current hour, the last minutes) are
   * aggregated on the fly from the finer data, so a read never lags the maintenance job.
   */
  query(q: HistoryQuery): HistoryPoint[];
  /** The newest sample of a series, if any is kept. */
  latest(series: string, key: string): { ts: number; value: number } | undefined;
  /** The keys a series has data for (disk ids, ping targets). */
  keys(series: string): string[];
}

interface Partial {
  bucket: number;
  sum: number;
  min: number;
  max: number;
  count: number;
}

const bucketOf = (ts: number, step: number) => Math.floor(ts / step) * step;

export function createHistoryStore(db: Db, retention: HistoryRetention = DEFAULT_RETENTION): HistoryStore {
  const insert = db.prepare(
    `INSERT OR REPLACE INTO history_raw (series, key, ts, value) VALUES (@series, @key, @ts, @value)`,
  );
  const getDone = db.prepare(`SELECT until FROM history_rollup_done WHERE step = ?`).pluck();
  const setDone = db.prepare(
    `INSERT INTO history_rollup_done (step, until) VALUES (?, ?)
     ON CONFLICT (step) DO UPDATE SET until = excluded.until`,
  );
  const oldestRaw = db.prepare(`SELECT min(ts) FROM history_raw`).pluck();
  const oldestRollup = db.prepare(`SELECT min(ts) FROM history_rollup WHERE step = ?`).pluck();
  // CAST keeps the bucket an integer whether the width is bound as INTEGER or REAL.
  const rollRaw = db.prepare(
    `INSERT OR REPLACE INTO history_rollup (step, series, key, ts, avg, min, max, count)
     SELECT @step, series, key, CAST(ts / @step AS INTEGER) * @step AS bucket,
            avg(value), min(value), max(value), count(*)
     FROM history_raw WHERE ts >= @from AND ts < @to
     GROUP BY series, key, bucket`,
  );
  const rollRollup = db.prepare(
    `INSERT OR REPLACE INTO history_rollup (step, series, key, ts, avg, min, max, count)
     SELECT @step, series, key, CAST(ts / @step AS INTEGER) * @step AS bucket,
            sum(avg * count) / sum(count), min(min), max(max), sum(count)
     FROM history_rollup WHERE step = @finer AND ts >= @from AND ts < @to
     GROUP BY series, key, bucket`,
  );
  const pruneRaw = db.prepare(`DELETE FROM history_raw WHERE ts < ?`);
  const pruneRollup = db.prepare(`DELETE FROM history_rollup WHERE step = ? AND ts < ?`);

  const rawSamples = db.prepare(
    `SELECT ts, value FROM history_raw
     WHERE series = ? AND key = ? AND ts >= ? AND ts <= ? ORDER BY ts`,
  );
  const rawPartials = db.prepare(
    `SELECT CAST(ts / @step AS INTEGER) * @step AS bucket,
            sum(value) AS sum, min(value) AS min, max(value) AS max, count(*) AS count
     FROM history_raw WHERE series = @series AND key = @key AND ts >= @from AND ts <= @to
     GROUP BY bucket`,
  );
  const rollupPartials = db.prepare(
    `SELECT CAST(ts / @step AS INTEGER) * @step AS bucket,
            sum(avg * count) AS sum, min(min) AS min, max(max) AS max, sum(count) AS count
     FROM history_rollup
     WHERE step = @source AND series = @series AND key = @key AND ts >= @from AND ts <= @to
     GROUP BY bucket`,
  );
  const latest = db.prepare(
    `SELECT ts, value FROM history_raw WHERE series = ? AND key = ? ORDER BY ts DESC LIMIT 1`,
  );
  const keys = db
    .prepare(
      `SELECT key FROM history_raw WHERE series = @series
     UNION SELECT key FROM history_rollup WHERE step = ${HOUR_MS} AND series = @series
     UNION SELECT key FROM history_rollup WHERE step = ${FIVE_MINUTES_MS} AND series = @series
     ORDER BY key`,
    )
    .pluck();

  const done = (step: number) => getDone.get(step) as number | undefined;

  /** Rolls [start, end) of the finer data into `step` buckets; start defaults to the oldest data. */
  function rollUp(step: number, end: number, oldest: number | null, roll: (from: number) => number): number {
    const start = done(step) ?? (oldest === null ? undefined : bucketOf(oldest, step));
    if (start === undefined || end <= start) return 0;
    const written = roll(start);
    setDone.run(step, end);
    return written;
  }

  const maintain = db.transaction((now: number): MaintenanceResult => {
    const fiveMinute = rollUp(
      FIVE_MINUTES_MS,
      bucketOf(now, FIVE_MINUTES_MS),
      oldestRaw.get() as number | null,
      (from) => rollRaw.run({ step: FIVE_MINUTES_MS, from, to: bucketOf(now, FIVE_MINUTES_MS) }).changes,
    );
    // An hour is complete once all its 5-minute buckets are.
    const hourEnd = bucketOf(done(FIVE_MINUTES_MS) ?? 0, HOUR_MS);
    const hourly = rollUp(
      HOUR_MS,
      hourEnd,
      oldestRollup.get(FIVE_MINUTES_MS) as number | null,
      (from) => rollRollup.run({ step: HOUR_MS, finer: FIVE_MINUTES_MS, from, to: hourEnd }).changes,
    );
    return {
      rolledUp: { fiveMinute, hourly },
      pruned: {
        raw: pruneRaw.run(now - retention.rawMs).changes,
        fiveMinute: pruneRollup.run(FIVE_MINUTES_MS, now - retention.fiveMinuteMs).changes,
        hourly: pruneRollup.run(HOUR_MS, now - retention.hourlyMs).changes,
      },
    };
  });

  function query({ series, key, from, to, step }: HistoryQuery): HistoryPoint[] {
    if (step === 'raw') {
      return (rawSamples.all(series, key, from, to) as Array<{ ts: number; value: number }>).map((r) => ({
        ts: r.ts,
        avg: r.value,
        min: r.value,
        max: r.value,
        count: 1,
      }));
    }
    const start = bucketOf(from, step);
    // Each level answers up to where the next finer one takes over, so no sample counts twice.
    const fiveDone = done(FIVE_MINUTES_MS) ?? start;
    const parts: Partial[] = [];
    const add = (rows: unknown[]) => parts.push(...(rows as Partial[]));
    if (step === HOUR_MS) {
      const hourDone = done(HOUR_MS) ?? start;
      add(
        rollupPartials.all({
          step,
          source: HOUR_MS,
          series,
          key,
          from: start,
          to: Math.min(to, hourDone - 1),
        }),
      );
      add(
        rollupPartials.all({
          step,
          source: FIVE_MINUTES_MS,
          series,
          key,
          from: Math.max(start, hourDone),
          to: Math.min(to, fiveDone - 1),
        }),
      );
    } else {
      add(
        rollupPartials.all({
          step,
          source: FIVE_MINUTES_MS,
          series,
          key,
          from: start,
          to: Math.min(to, fiveDone - 1),
        }),
      );
    }
    add(rawPartials.all({ step, series, key, from: Math.max(from, fiveDone), to }));
    return mergePartials(parts);
  }

  return {
    insert: db.transaction((samples: readonly HistorySample[]) => {
      for (const s of samples) insert.run(s);
    }),
    maintain: (now) => maintain(now),
    query,
    latest: (series, key) => latest.get(series, key) as { ts: number; value: number } | undefined,
    keys: (series) => keys.all({ series }) as string[],
  };
}

/** Partial aggregates of the same bucket (from different levels) combined into one point each. */
export function mergePartials(parts: readonly Partial[]): HistoryPoint[] {
  const byBucket = new Map<number, Partial>();
  for (const p of parts) {
    const seen = byBucket.get(p.bucket);
    if (!seen) byBucket.set(p.bucket, { ...p });
    else {
      seen.sum += p.sum;
      seen.min = Math.min(seen.min, p.min);
      seen.max = Math.max(seen.max, p.max);
      seen.count += p.count;
    }
  }
  return [...byBucket.values()]
    .sort((a, b) => a.bucket - b.bucket)
    .map((p) => ({ ts: p.bucket, avg: p.sum / p.count, min: p.min, max: p.max, count: p.count }));
}
