import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTasks, type PveTask } from '../../pve-model/tasks.js';
import type { NotificationEvent } from '../event.js';
import { backupWindows } from './task-watcher.js';
import { createTaskWatcher, type TaskWatcherOptions } from './task-watcher.js';

function readTasks(url: URL): PveTask[] {
  const parsed = parseTasks(JSON.parse(readFileSync(url, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}
const LIFECYCLE = readTasks(
  new URL('./fixtures/pve-tasks-guest-lifecycle-constructed.json', import.meta.url),
);
const CLUSTER = readTasks(
  new URL('../../pve-model/fixtures/pve-cluster-tasks-3node-real.json', import.meta.url),
);
/** The lifecycle fixture's first task (the vzdump job) starts here, unix seconds. */
const S = 1774360000;

function harness(options: Partial<TaskWatcherOptions> = {}, nowMs = (S + 2100) * 1000) {
  const events: NotificationEvent[] = [];
  let now = nowMs;
  const watcher = createTaskWatcher({ onEvent: (e) => events.push(e), now: () => now, ...options });
  return { watcher, events, setNow: (ms: number) => (now = ms) };
}
const brief = (events: NotificationEvent[]) => events.map((e) => [e.type, e.fields.vmid ?? null]);

describe('task watcher', () => {
  it('emits each finished task once, in end order, with the backup window and other nodes left out', () => {
    const { watcher, events } = harness({
      state: { since: (S - 1) * 1000, seen: [], announced: [] },
      guestName: (vmid) => ({ 103: 'web', 202: 'dns' })[vmid],
    });
    watcher.onTasks(LIFECYCLE, 'pve1');
    expect(brief(events)).toEqual([
      // qmshutdown 100 and qmstart 100 (during the vzdump) and vzstart 201 (within 120 s after) are dropped;
      // the failed start during the backup is not.
      ['vm_fail', 102],
      ['backup_complete', null],
      ['vm_start', 103],
      ['vm_start_warning', 104],
      ['ct_stop', 201],
      ['ct_shutdown', 202],
      ['vm_restart', 103],
      ['ct_fail', 202],
      ['snapshot_complete', 103],
      ['snapshot_fail', 202],
      ['migration_complete', 104],
      ['migration_fail', 202],
      ['migration_warning', 105],
      ['vm_restart', 107],
      ['migration_start', 106],
    ]);
    expect(events.find((e) => e.type === 'vm_start')!.fields.vmname).toBe('web');
    expect(events.find((e) => e.type === 'ct_fail')!.fields).toMatchObject({
      vmname: 'dns',
      action: 'reboot',
    });

    // The next refresh lists the same tasks: nothing new.
    events.length = 0;
    watcher.onTasks(LIFECYCLE, 'pve1');
    expect(events).toEqual([]);
  });

  it('without a node, takes every node (a standalone host lists only its own anyway)', () => {
    const { watcher, events } = harness({ state: { since: (S - 1) * 1000, seen: [], announced: [] } });
    watcher.onTasks(LIFECYCLE);
    expect(brief(events)).toContainEqual(['vm_start', 300]);
  });

  it('first run: what finished before the watcher started is history, not news', () => {
    const { watcher, events, setNow } = harness();
    watcher.onTasks(LIFECYCLE, 'pve1');
    // The migration already running when proxmon started is not announced either.
    expect(events).toEqual([]);

    // It finishes later: that is news.
    const running = LIFECYCLE.find((t) => t.outcome === 'running')!;
    const done: PveTask = { ...running, endtime: S + 2150, status: 'OK', outcome: 'ok' };
    setNow((S + 2160) * 1000);
    watcher.onTasks([done, ...LIFECYCLE.filter((t) => t !== running)], 'pve1');
    expect(brief(events)).toEqual([['migration_complete', 106]]);
  });

  it('announces a migration once while it runs, then its outcome', () => {
    const { watcher, events, setNow } = harness({}, (S + 1990) * 1000);
    const running = LIFECYCLE.find((t) => t.outcome === 'running')!;
    setNow((S + 2010) * 1000);
    watcher.onTasks([running], 'pve1');
    watcher.onTasks([running], 'pve1');
    watcher.onTasks([{ ...running, endtime: S + 2090, status: 'WARNINGS: 1', outcome: 'warning' }], 'pve1');
    expect(brief(events)).toEqual([
      ['migration_start', 106],
      ['migration_warning', 106],
    ]);
    expect(events[0]!.at).toBe((S + 2000) * 1000);
  });

  it('keeps its memory across a restart (JSON state): no repeats, and what finished meanwhile is sent', () => {
    const first = harness({ state: { since: (S - 1) * 1000, seen: [], announced: [] } });
    const older = LIFECYCLE.filter((t) => t.starttime! < S + 1500);
    first.watcher.onTasks(older, 'pve1');
    const saved = JSON.parse(JSON.stringify(first.watcher.state())) as unknown;

    const second = harness({ state: saved });
    second.watcher.onTasks(LIFECYCLE, 'pve1');
    expect(brief(second.events)).toEqual([
      ['migration_complete', 104],
      ['migration_fail', 202],
      ['migration_warning', 105],
      ['vm_restart', 107],
      ['migration_start', 106],
    ]);
  });

  it('stays bounded: forgotten UPIDs are refused by time, so they never come back', () => {
    const { watcher, events } = harness({
      state: { since: (S - 1) * 1000, seen: [], announced: [] },
      maxSeen: 5,
    });
    watcher.onTasks(LIFECYCLE, 'pve1');
    const sent = events.length;
    const state = watcher.state();
    expect(state.seen).toHaveLength(5);
    expect(state.since).toBeGreaterThan((S - 1) * 1000);
    watcher.onTasks(LIFECYCLE, 'pve1');
    expect(events).toHaveLength(sent);
  });

  it('leaves backup outcomes to the PVE webhook when told, but still quiets guest power events during the backup', () => {
    const { watcher, events } = harness({
      state: { since: (S - 1) * 1000, seen: [], announced: [] },
      backupOutcomes: false,
    });
    watcher.onTasks(LIFECYCLE, 'pve1');
    expect(events.some((e) => e.type.startsWith('backup_'))).toBe(false);
    expect(brief(events)).not.toContainEqual(['vm_start', 100]);
  });

  it('a running vzdump quiets guest starts until it ends (and 120 s after)', () => {
    const job = LIFECYCLE.find((t) => t.type === 'vzdump')!;
    const running: PveTask = { ...job, endtime: undefined, status: undefined, outcome: 'running' };
    const start = LIFECYCLE.find((t) => t.type === 'qmstart' && t.id === '100')!;
    const { watcher, events } = harness(
      { state: { since: (S - 1) * 1000, seen: [], announced: [] } },
      (S + 400) * 1000,
    );
    watcher.onTasks([running, start], 'pve1');
    expect(events).toEqual([]);
    expect(backupWindows([running], (S + 400) * 1000, 120_000)).toEqual([[S * 1000, (S + 520) * 1000]]);
  });

  it('real 3-node listing: with node pve1 only that node’s tasks, each once', () => {
    const { watcher, events } = harness({ state: { since: 0, seen: [], announced: [] } }, 1790700000 * 1000);
    watcher.onTasks(CLUSTER, 'pve1');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.fields.node === 'pve1')).toBe(true);
    expect(new Set(events.map((e) => e.fields.upid)).size).toBe(events.length);
  });

  it('never throws on persisted state of any shape', () => {
    fc.assert(
      fc.property(fc.anything(), (state) => {
        const { watcher } = harness({ state });
        watcher.onTasks(LIFECYCLE, 'pve1');
        const s = watcher.state();
        expect(Number.isFinite(s.since)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
