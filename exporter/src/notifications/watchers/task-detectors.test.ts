import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTasks, taskOutcome, type PveTask } from '../../pve-model/tasks.js';
import { eventDef, isKnownEvent } from '../catalogue.js';
import { migrationStartEvent, parseUpid, taskEvent } from './task-detectors.js';

/** Real (and constructed) task listings: pve-model's fixtures, and this folder's lifecycle set. */
function readTasks(url: URL): PveTask[] {
  const parsed = parseTasks(JSON.parse(readFileSync(url, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}
const pveModel = (name: string) => readTasks(new URL(`../../pve-model/fixtures/${name}`, import.meta.url));
const here = (name: string) => readTasks(new URL(`./fixtures/${name}`, import.meta.url));

const NOW = Date.UTC(2026, 10, 26, 10, 0, 0);
const opts = { backupOutcomes: true, now: NOW };
const summary = (t: PveTask) => {
  const e = taskEvent(t, opts);
  return e ? [t.type, t.id, e.type, e.severity] : [t.type, t.id, null, null];
};

describe('parseUpid', () => {
  it('splits a real UPID', () => {
    expect(parseUpid('UPID:pve3:00023527:0C7A4334:6AB45DC0:qmigrate:121:root@pam:')).toEqual({
      node: 'pve3',
      type: 'qmigrate',
      id: '121',
      user: 'root@pam',
    });
    expect(parseUpid('UPID:pve3:00104BF8:0ED79025:6ABA6B51:vncshell::root@pam:')).toEqual({
      node: 'pve3',
      type: 'vncshell',
      user: 'root@pam',
    });
    expect(parseUpid('not a upid')).toEqual({});
  });
});

describe('taskEvent', () => {
  it('pve-tasks-failures-constructed.json: backups OK, WARNINGS and errors; start failures with their text', () => {
    const tasks = pveModel('pve-tasks-failures-constructed.json');
    expect(tasks.map(summary)).toEqual([
      ['vzdump', '105', 'backup_complete', 'INFO'],
      ['vzdump', '106', 'backup_warning', 'WARNING'],
      ['vzdump', '107', 'backup_fail', 'CRITICAL'],
      ['qmstart', '108', 'vm_fail', 'CRITICAL'],
      ['qmstart', '109', 'vm_fail', 'CRITICAL'],
      ['vzdump', '105', null, null],
    ]);
    const fail = taskEvent(tasks[3]!, { ...opts, guestName: 'db' })!;
    expect(fail).toMatchObject({
      source: 'tasks',
      at: tasks[3]!.endtime! * 1000,
      entity: { kind: 'guest', id: '108' },
      fields: {
        reason: 'qmstart 108: start failed: QEMU exited with code 1',
        vmid: 108,
        vmname: 'db',
        guest_type: 'vm',
        action: 'start',
        node: 'pve1',
        user: 'root@pam',
        task_type: 'qmstart',
        status: 'start failed: QEMU exited with code 1',
        duration_seconds: 1,
      },
    });
    expect(taskEvent(tasks[2]!, opts)!.fields.reason).toBe('vzdump 107: job errors');
  });

  it('leaves backups to the PVE webhook when asked', () => {
    const tasks = pveModel('pve-tasks-failures-constructed.json');
    expect(tasks.slice(0, 3).map((t) => taskEvent(t, { ...opts, backupOutcomes: false }))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('pve-tasks-guest-lifecycle-constructed.json: every guest action, each outcome', () => {
    const rows = here('pve-tasks-guest-lifecycle-constructed.json')
      .filter((t) => t.outcome !== 'running')
      .sort((a, b) => a.starttime! - b.starttime!)
      .map(summary);
    expect(rows).toEqual([
      ['vzdump', '', 'backup_complete', 'INFO'],
      ['qmshutdown', '100', 'vm_shutdown', 'INFO'],
      ['qmstart', '100', 'vm_start', 'INFO'],
      ['qmstart', '102', 'vm_fail', 'CRITICAL'],
      ['vzstart', '201', 'ct_start', 'INFO'],
      ['qmstart', '103', 'vm_start', 'INFO'],
      ['qmstart', '104', 'vm_start_warning', 'WARNING'],
      ['vzstop', '201', 'ct_stop', 'INFO'],
      // No ct_shutdown_warning in the catalogue: the type stays, the severity says it.
      ['vzshutdown', '202', 'ct_shutdown', 'WARNING'],
      ['qmreboot', '103', 'vm_restart', 'INFO'],
      ['vzreboot', '202', 'ct_fail', 'CRITICAL'],
      ['qmsnapshot', '103', 'snapshot_complete', 'INFO'],
      ['vzsnapshot', '202', 'snapshot_fail', 'CRITICAL'],
      ['qmigrate', '104', 'migration_complete', 'INFO'],
      ['vzmigrate', '202', 'migration_fail', 'CRITICAL'],
      ['qmigrate', '105', 'migration_warning', 'WARNING'],
      ['aptupdate', '', null, null],
      ['vncproxy', '103', null, null],
      ['qmreset', '107', 'vm_restart', 'INFO'],
      ['qmstart', '300', 'vm_start', 'INFO'],
    ]);
  });

  it('a backup job over several guests is its own entity', () => {
    const job = here('pve-tasks-guest-lifecycle-constructed.json').find((t) => t.type === 'vzdump')!;
    expect(taskEvent(job, opts)!.entity).toEqual({ kind: 'task', id: job.upid });
    expect(taskEvent(job, opts)!.fields.vmid).toBeUndefined();
  });

  it('pve-cluster-tasks-3node-real.json: starts, shutdowns, migrations and backups; HA requests and consoles are not notified', () => {
    const events = pveModel('pve-cluster-tasks-3node-real.json')
      .map((t) => taskEvent(t, opts))
      .filter((e) => e !== undefined);
    const types = new Map<string, number>();
    for (const e of events) types.set(e.type, (types.get(e.type) ?? 0) + 1);
    expect(Object.fromEntries(types)).toEqual({
      backup_complete: 17,
      vm_shutdown: 1,
      migration_complete: 9,
      vm_start: 28,
    });
    expect(events.every((e) => e.severity === 'INFO')).toBe(true);
  });

  it('pve84-node-tasks-since-mostly-real.json: container starts and shutdowns, a VM shutdown', () => {
    const events = pveModel('pve84-node-tasks-since-mostly-real.json')
      .map((t) => taskEvent(t, opts))
      .filter((e) => e !== undefined);
    expect(events.map((e) => [e.type, e.fields.vmid, e.fields.node])).toEqual([
      ['ct_shutdown', 111, 'ip-122-82-3-112'],
      ['ct_start', 111, 'ip-122-82-3-112'],
      ['ct_shutdown', 111, 'ip-122-82-3-112'],
      ['ct_start', 111, 'ip-122-82-3-112'],
      ['ct_shutdown', 111, 'ip-122-82-3-112'],
      ['ct_start', 111, 'ip-122-82-3-112'],
      ['ct_shutdown', 111, 'ip-122-82-3-112'],
      ['ct_start', 111, 'ip-122-82-3-112'],
      ['ct_shutdown', 111, 'ip-122-82-3-112'],
      ['vm_shutdown', 100, 'ip-122-82-3-112'],
    ]);
  });

  it('migrationStartEvent only for running migrations', () => {
    const tasks = here('pve-tasks-guest-lifecycle-constructed.json');
    const running = tasks.find((t) => t.outcome === 'running')!;
    expect(migrationStartEvent(running, 'mail')).toMatchObject({
      type: 'migration_start',
      severity: 'INFO',
      at: running.starttime! * 1000,
      fields: {
        vmid: 106,
        vmname: 'mail',
        action: 'migrate',
        reason: 'qmigrate 106 started by root@pam on pve1',
      },
    });
    expect(
      migrationStartEvent(tasks.find((t) => t.type === 'qmigrate' && t.outcome === 'ok')!),
    ).toBeUndefined();
    expect(taskEvent(running, opts)).toBeUndefined();
  });

  it('never throws on odd tasks, and only emits known task events', () => {
    const task = fc.record({
      upid: fc.oneof(fc.string(), fc.constantFrom('UPID:pve1:1:2:3:qmstart:100:root@pam:', 'UPID:::::::')),
      type: fc.option(
        fc.constantFrom('qmstart', 'vzdump', 'qmigrate', 'vzsnapshot', 'qmreset', 'aptupdate', ''),
        {
          nil: undefined,
        },
      ),
      id: fc.option(fc.oneof(fc.string({ maxLength: 12 }), fc.nat().map(String)), { nil: undefined }),
      node: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
      user: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
      starttime: fc.option(fc.integer({ min: -1, max: 2 ** 32 }), { nil: undefined }),
      endtime: fc.option(fc.integer({ min: -1, max: 2 ** 32 }), { nil: undefined }),
      status: fc.option(fc.oneof(fc.string(), fc.constantFrom('OK', 'WARNINGS: 3', 'job errors')), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(task, fc.boolean(), (raw, backupOutcomes) => {
        const t: PveTask = { ...raw, outcome: taskOutcome(raw.status) };
        for (const e of [taskEvent(t, { backupOutcomes, now: NOW }), migrationStartEvent(t)]) {
          if (!e) continue;
          expect(isKnownEvent(e.type)).toBe(true);
          expect(eventDef(e.type).emitter).not.toBe('journal');
          expect(Object.values(e.fields)).not.toContain(undefined);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
