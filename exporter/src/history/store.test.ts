import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HISTORY_MIGRATION } from './schema.js';
import {
  createHistoryStore,
  FIVE_MINUTES_MS,
  HOUR_MS,
  type HistoryPoint,
  type HistorySample,
  type HistoryStore,
} from './store.js';

const MIN = 60_000;
const DAY = 24 * HOUR_MS;
/** Midnight UTC, so buckets line up with the wall clock in the assertions. */
const T0 = Date.UTC(2026, 10, 26);

function freshStore(): HistoryStore {
  const db = new Database(':memory:');
  db.exec(HISTORY_MIGRATION);
  return createHistoryStore(db);
}

/** A clock the test moves; the store only ever sees the `now` handed to maintain(). */
function clock(start: number) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) };
}

/** Aggregates computed the slow, obvious way, to hold the store's answers against. */
function bruteForce(samples: readonly HistorySample[], step: number): HistoryPoint[] {
  const buckets = new Map<number, number[]>();
  for (const s of samples) {
    const b = Math.floor(s.ts / step) * step;
    buckets.set(b, [...(buckets.get(b) ?? []), s.value]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([ts, values]) => ({
      ts,
      avg: values.reduce((x, y) => x + y, 0) / values.length,
      min: Math.min(...values),
      max: Math.max(...values),
      count: values.length,
    }));
}

const expectPoints = (actual: HistoryPoint[], expected: HistoryPoint[]) => {
  expect(actual.map(({ avg: _a, ...rest }) => rest)).toEqual(expected.map(({ avg: _a, ...rest }) => rest));
  actual.forEach((p, i) => expect(p.avg).toBeCloseTo(expected[i]!.avg, 9));
};

describe('downsampling with a controllable clock', () => {
  // One sample a minute for 3 hours: the value is the minute's number, so every aggregate is known.
  const samples: HistorySample[] = Array.from({ length: 180 }, (_, i) => ({
    series: 'cpu_temperature_celsius',
    key: '',
    ts: T0 + i * MIN,
    value: i,
  }));
  const q = (
    store: HistoryStore,
    step: 'raw' | typeof FIVE_MINUTES_MS | typeof HOUR_MS,
    from = T0,
    to = T0 + 200 * DAY,
  ) => store.query({ series: 'cpu_temperature_celsius', key: '', from, to, step });

  it('rolls complete 5-minute and hourly buckets with exact avg, min and max, and keeps them past raw retention', () => {
    const store = freshStore();
    const c = clock(T0);
    // The recorder feeds a sample a minute; the job runs every 5 minutes, 15 s past.
    for (const s of samples) {
      c.set(s.ts);
      store.insert([s]);
      if ((s.ts - T0) % FIVE_MINUTES_MS === 0) store.maintain(c.now() + 15_000);
    }
    c.set(T0 + 3 * HOUR_MS + 15_000);
    const run = store.maintain(c.now());
    expect(run.rolledUp.fiveMinute).toBeGreaterThan(0);

    const fives = q(store, FIVE_MINUTES_MS);
    expect(fives).toHaveLength(36);
    expect(fives[0]).toEqual({ ts: T0, avg: 2, min: 0, max: 4, count: 5 });
    expect(fives[35]).toEqual({ ts: T0 + 175 * MIN, avg: 177, min: 175, max: 179, count: 5 });
    const hours = q(store, HOUR_MS);
    expect(hours).toEqual([
      { ts: T0, avg: 29.5, min: 0, max: 59, count: 60 },
      { ts: T0 + HOUR_MS, avg: 89.5, min: 60, max: 119, count: 60 },
      { ts: T0 + 2 * HOUR_MS, avg: 149.5, min: 120, max: 179, count: 60 },
    ]);
    expect(q(store, 'raw')).toHaveLength(180);

    // A second run at the same time changes nothing.
    expect(store.maintain(c.now()).rolledUp).toEqual({ fiveMinute: 0, hourly: 0 });
    expect(q(store, HOUR_MS)).toEqual(hours);

    // 24 h after the last sample: raw is gone, the 5-minute and hourly buckets hold the same figures.
    c.set(T0 + 3 * HOUR_MS + DAY);
    expect(store.maintain(c.now()).pruned.raw).toBe(180);
    expect(q(store, 'raw')).toEqual([]);
    expect(q(store, FIVE_MINUTES_MS)).toEqual(fives);
    expect(q(store, HOUR_MS)).toEqual(hours);
    expect(store.latest('cpu_temperature_celsius', '')).toBeUndefined();

    // 7 days on: the 5-minute buckets are gone, hourly ones stay.
    c.set(T0 + 3 * HOUR_MS + 7 * DAY);
    expect(store.maintain(c.now()).pruned.fiveMinute).toBe(36);
    expect(q(store, FIVE_MINUTES_MS)).toEqual([]);
    expect(q(store, HOUR_MS)).toEqual(hours);

    // Retention is by bucket start: at 90 days past the second hour's start, only the first has gone.
    c.set(T0 + HOUR_MS + 90 * DAY);
    expect(store.maintain(c.now()).pruned.hourly).toBe(1);
    expect(q(store, HOUR_MS).map((p) => p.ts)).toEqual([T0 + HOUR_MS, T0 + 2 * HOUR_MS]);
    c.set(T0 + 3 * HOUR_MS + 90 * DAY);
    store.maintain(c.now());
    expect(q(store, HOUR_MS)).toEqual([]);
    expect(store.keys('cpu_temperature_celsius')).toEqual([]);
  });

  it('answers buckets not rolled up yet from the finer data, so reads never lag the job', () => {
    const store = freshStore();
    store.insert(samples.slice(0, 100));
    // Rolled up to 01:00 (5-minute) and 01:00 (hourly): 01:00-01:39 only exists as raw samples.
    store.maintain(T0 + HOUR_MS + 2 * MIN);
    const fives = q(store, FIVE_MINUTES_MS);
    expectPoints(fives, bruteForce(samples.slice(0, 100), FIVE_MINUTES_MS));
    expectPoints(q(store, HOUR_MS), [
      { ts: T0, avg: 29.5, min: 0, max: 59, count: 60 },
      { ts: T0 + HOUR_MS, avg: 79.5, min: 60, max: 99, count: 40 },
    ]);
    // Without any maintenance at all, the same figures come straight from raw.
    const cold = freshStore();
    cold.insert(samples.slice(0, 100));
    expect(q(cold, FIVE_MINUTES_MS)).toEqual(fives);
    expect(q(cold, HOUR_MS)).toEqual(q(store, HOUR_MS));
  });

  it('keeps series and keys apart and reads a window', () => {
    const store = freshStore();
    store.insert([
      { series: 'disk_temperature_celsius', key: 'WD-1', ts: T0, value: 30 },
      { series: 'disk_temperature_celsius', key: 'WD-1', ts: T0 + MIN, value: 34 },
      { series: 'disk_temperature_celsius', key: 'WD-2', ts: T0, value: 50 },
      { series: 'latency_seconds', key: 'gateway', ts: T0, value: 0.002 },
    ]);
    store.maintain(T0 + HOUR_MS);
    expect(store.keys('disk_temperature_celsius')).toEqual(['WD-1', 'WD-2']);
    expect(
      store.query({
        series: 'disk_temperature_celsius',
        key: 'WD-1',
        from: T0,
        to: T0 + HOUR_MS,
        step: FIVE_MINUTES_MS,
      }),
    ).toEqual([{ ts: T0, avg: 32, min: 30, max: 34, count: 2 }]);
    expect(
      store.query({
        series: 'disk_temperature_celsius',
        key: 'WD-1',
        from: T0 + 30_000,
        to: T0 + HOUR_MS,
        step: 'raw',
      }),
    ).toEqual([{ ts: T0 + MIN, avg: 34, min: 34, max: 34, count: 1 }]);
    expect(store.latest('disk_temperature_celsius', 'WD-1')).toEqual({ ts: T0 + MIN, value: 34 });
  });
});

describe('aggregates match a brute-force computation (fast-check)', () => {
  it('whatever the samples and whenever maintenance runs, no sample is lost or counted twice', () => {
    const sample = fc.record({
      ts: fc.integer({ min: T0, max: T0 + 20 * HOUR_MS }),
      value: fc.integer({ min: -200, max: 200 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(sample, { selector: (s) => s.ts, maxLength: 120 }),
        fc.array(fc.integer({ min: 0, max: 21 * HOUR_MS }), { maxLength: 6 }),
        (drafts, runs) => {
          const store = freshStore();
          const all = drafts.map((d) => ({ series: 's', key: 'k', ...d })).sort((a, b) => a.ts - b.ts);
          // Samples arrive in time order; maintenance runs in between at increasing times.
          const times = [...runs].map((r) => T0 + r).sort((a, b) => a - b);
          let next = 0;
          for (const t of times) {
            const arrived: HistorySample[] = [];
            while (next < all.length && all[next]!.ts <= t) arrived.push(all[next++]!);
            store.insert(arrived);
            store.maintain(t);
          }
          store.insert(all.slice(next));
          const window = { series: 's', key: 'k', from: T0, to: T0 + 21 * HOUR_MS };
          expect(store.query({ ...window, step: 'raw' }).map((p) => [p.ts, p.avg])).toEqual(
            all.map((s) => [s.ts, s.value]),
          );
          expectPoints(store.query({ ...window, step: FIVE_MINUTES_MS }), bruteForce(all, FIVE_MINUTES_MS));
          expectPoints(store.query({ ...window, step: HOUR_MS }), bruteForce(all, HOUR_MS));
        },
      ),
      { numRuns: 150 },
    );
  });
});
