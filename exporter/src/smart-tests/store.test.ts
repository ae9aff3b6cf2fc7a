import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/db.js';
import { migrations } from '../store/migrations.js';
import { checkCron } from './scheduler.js';
import { RUNS_KEPT_PER_DISK, SmartTestStore } from './store.js';

const open = () => openStore(mkdtempSync(join(tmpdir(), 'proxmon-smart-store-')), migrations);

describe('SmartTestStore', () => {
  it('keeps the newest runs of each disk and forgets a deleted schedule without losing its runs', () => {
    const db = open();
    let t = 0;
    const store = new SmartTestStore(db, () => ++t);
    const s = store.createSchedule({
      name: 'n',
      type: 'short',
      cron: '0 3 * * *',
      disks: 'all',
      enabled: true,
    });
    const run = (diskId: string) =>
      store.recordRun({
        diskId,
        device: `/dev/${diskId}`,
        type: 'short',
        scheduleId: s.id,
        actor: null,
        outcome: 'started',
        message: 'Testing has begun.',
        expectedMinutes: 2,
      });
    for (let i = 0; i < RUNS_KEPT_PER_DISK + 5; i++) run('a');
    run('b');
    const a = store.runs({ diskId: 'a', limit: 1000 });
    expect(a).toHaveLength(RUNS_KEPT_PER_DISK);
    expect(a[0]!.startedAt).toBe(RUNS_KEPT_PER_DISK + 6);
    expect(store.runs({ diskId: 'b', limit: 10 })).toHaveLength(1);

    expect(store.deleteSchedule(s.id)).toBe(true);
    expect(store.runs({ diskId: 'b', limit: 10 })[0]).toMatchObject({ scheduleId: null, outcome: 'started' });
    db.close();
  });

  it('reads back a row it cannot understand as no disks, never as every disk', () => {
    const db = open();
    const store = new SmartTestStore(db);
    const s = store.createSchedule({
      name: 'n',
      type: 'long',
      cron: '0 3 * * 0',
      disks: ['x'],
      enabled: false,
    });
    db.prepare('UPDATE smart_test_schedules SET disks = ? WHERE id = ?').run('not json', s.id);
    expect(store.getSchedule(s.id)).toMatchObject({ disks: [], enabled: false, type: 'long' });
    db.close();
  });
});

describe('checkCron', () => {
  it('takes five fields with a fixed minute', () => {
    expect(checkCron('0 3 * * 0')).toBeUndefined();
    expect(checkCron('15,45 */6 * * 1-5')).toBeUndefined();
    expect(checkCron('* * * * *')).toMatch(/minute field must be fixed/);
    expect(checkCron('0 0 3 * * *')).toMatch(/five fields/);
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = checkCron(s);
        expect(r === undefined || typeof r === 'string').toBe(true);
      }),
    );
  });
});
