import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { memoryLogger, waitFor } from '../test-support/tools.js';
import { scheduleHistoryMaintenance } from './maintenance.js';
import { HISTORY_MIGRATION } from './schema.js';
import { createHistoryStore, type HistoryStore } from './store.js';

const T0 = Date.UTC(2026, 10, 26);

function store(): HistoryStore {
  const db = new Database(':memory:');
  db.exec(HISTORY_MIGRATION);
  return createHistoryStore(db);
}

describe('scheduleHistoryMaintenance', () => {
  it('catches up at start, then runs on its schedule until stopped', async () => {
    const s = store();
    s.insert([{ series: 'x', key: '', ts: T0, value: 1 }]);
    const times: number[] = [];
    let now = T0 + 10 * 60_000;
    const counting: HistoryStore = {
      ...s,
      maintain: (at) => {
        times.push(at);
        return s.maintain(at);
      },
    };
    const job = scheduleHistoryMaintenance({ store: counting, schedule: '* * * * * *', now: () => now });
    try {
      // The start-up run rolled the first bucket already.
      expect(times).toEqual([T0 + 10 * 60_000]);
      expect(s.query({ series: 'x', key: '', from: T0, to: now, step: 300_000 })).toEqual([
        { ts: T0, avg: 1, min: 1, max: 1, count: 1 },
      ]);
      now = T0 + 2 * 86_400_000;
      await waitFor(() => times.length >= 2, 5_000);
      expect(s.query({ series: 'x', key: '', from: T0, to: now, step: 'raw' })).toEqual([]);
    } finally {
      await job.stop();
    }
    const runs = times.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(times.length).toBe(runs);
  });

  it('refuses a bad cron expression and logs a failing run instead of throwing', async () => {
    expect(() => scheduleHistoryMaintenance({ store: store(), schedule: 'every minute' })).toThrow(
      /not a cron expression/,
    );
    const { logger, lines } = memoryLogger();
    const failing: HistoryStore = {
      ...store(),
      maintain: () => {
        throw new Error('disk I/O error');
      },
    };
    const job = scheduleHistoryMaintenance({ store: failing, logger });
    try {
      expect(job.run()).toBeInstanceOf(Error);
      expect(lines.filter((l) => l.msg === 'history maintenance failed').map((l) => l.reason)).toEqual([
        'disk I/O error',
        'disk I/O error',
      ]);
    } finally {
      await job.stop();
    }
  });
});
