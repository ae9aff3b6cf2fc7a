import { describe, expect, it } from 'vitest';
import { failedTasksByType, lastVzdumpByGuest, parseTasks, taskOutcome } from './tasks.js';
import { fixture, value } from './test-fixture.js';

describe('parseTasks', () => {
  it('reads 75 cluster tasks of a 3-node cluster, the first one running (real, pvesh)', () => {
    const tasks = value(parseTasks(fixture('pve-cluster-tasks-3node-real.json')));
    expect(tasks).toHaveLength(75);
    expect(tasks[0]).toEqual({
      upid: 'UPID:pve3:00104BF8:0ED79025:6ABA6B51:vncshell::root@pam:',
      type: 'vncshell',
      id: '',
      node: 'pve3',
      user: 'root@pam',
      starttime: 1790602065,
      endtime: undefined,
      status: undefined,
      outcome: 'running',
    });
    expect(tasks.filter((t) => t.outcome === 'ok')).toHaveLength(74);
    expect(tasks.filter((t) => t.type === 'vzdump')).toHaveLength(17);
    expect(new Set(tasks.map((t) => t.node))).toEqual(new Set(['pve1', 'pve2', 'pve3']));
    expect(failedTasksByType(tasks)).toEqual(new Map());
    // Scheduled vzdump jobs cover several guests and carry no vmid.
    expect(lastVzdumpByGuest(tasks)).toEqual(new Map());
  });

  it('reads 10 finished node tasks (real, PVE 9.2 REST)', () => {
    const tasks = value(parseTasks(fixture('pve92-node-tasks-real.json')));
    expect(tasks.map((t) => t.type)).toEqual([
      'vncshell',
      'startall',
      'stopall',
      'vncshell',
      'vncshell',
      'vncshell',
      'vncshell',
      'vncshell',
      'startall',
      'aptupdate',
    ]);
    expect(tasks[0]).toMatchObject({
      starttime: 1785507216,
      endtime: 1785507342,
      status: 'OK',
      outcome: 'ok',
    });
  });

  it('reads tasks?since with hand-edited entries (mostly real, PVE 8.4)', () => {
    const tasks = value(parseTasks(fixture('pve84-node-tasks-since-mostly-real.json')));
    expect(tasks).toHaveLength(15);
    expect(tasks[1]).toMatchObject({ type: 'vzshutdown', id: '111', endtime: 1752690541, outcome: 'ok' });
    expect(tasks[13]).toMatchObject({ type: 'qmshutdown', id: '100', endtime: 1752854281, outcome: 'ok' });
    expect(tasks.every((t) => t.outcome === 'ok')).toBe(true);
  });

  it('reads one vzdump of the guest-less kind (simplified, Home Assistant)', () => {
    const tasks = value(parseTasks(fixture('node-tasks.json')));
    expect(tasks).toEqual([
      {
        upid: 'UPID:pve1:0020C066:042DF204:69C26EB0:vzdump::root@pam:',
        type: 'vzdump',
        id: '',
        node: 'pve1',
        user: 'root@pam',
        starttime: 1774350000,
        endtime: 1774350433,
        status: 'OK',
        outcome: 'ok',
      },
    ]);
  });

  it('classifies warnings, errors and running tasks (constructed)', () => {
    const tasks = value(parseTasks(fixture('pve-tasks-failures-constructed.json')));
    expect(tasks.map((t) => t.outcome)).toEqual(['ok', 'warning', 'failed', 'failed', 'failed', 'running']);
    expect(failedTasksByType(tasks)).toEqual(
      new Map([
        ['vzdump', 1],
        ['qmstart', 2],
      ]),
    );
    expect(lastVzdumpByGuest(tasks)).toEqual(
      new Map([
        [105, 1774350200],
        [106, 1774350300],
      ]),
    );
  });

  it('skips entries without a upid and rejects a non-list', () => {
    expect(value(parseTasks([{ type: 'x' }, 3, null]))).toEqual([]);
    expect(parseTasks('nope')).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });
});

describe('taskOutcome', () => {
  it('maps PVE status strings', () => {
    expect(taskOutcome('OK')).toBe('ok');
    expect(taskOutcome('WARNINGS: 3')).toBe('warning');
    expect(taskOutcome('command failed: exit code 2')).toBe('failed');
    expect(taskOutcome(undefined)).toBe('running');
  });
});
