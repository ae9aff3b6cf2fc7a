import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPveAccess } from '../../pve/index.js';
import { parseTasks, type PveTask } from '../../pve-model/index.js';
import { sourceContext } from '../../test-support/source-context.js';
import { FailedTaskCounter } from './failed-tasks.js';
import { counting, fakeClient, fixture, NOW_MS, startModes, type Modes } from './fixtures/clients.js';
import { createPveTasksSource, type PveTasksSnapshot } from './tasks.js';

let modes: Modes;
beforeAll(async () => {
  modes = await startModes();
});
afterAll(() => modes.close());

const ctx = (nowMs = NOW_MS) => sourceContext({ now: () => nowMs });
const clusterTasks = () => fixture('pve-cluster-tasks-3node-plus-failures-constructed.json') as unknown[];
const haStatus = () => fixture('pve-ha-status-current-3node-real.json');

async function collect(...args: Parameters<typeof createPveTasksSource>): Promise<PveTasksSnapshot> {
  const r = await createPveTasksSource(...args).collect(ctx());
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('createPveTasksSource', () => {
  it.each(['pvesh', 'api'] as const)(
    'reads the last 24 h of node tasks, HA and replication through %s',
    async (mode) => {
      const client = counting(modes.client(mode));
      const s = await collect(createPveAccess({ client, hostname: 'pve' }));
      expect(client.calls).toContain('/nodes/pve/tasks?since=1785443600&limit=1000');
      expect(s.node).toBe('pve');
      expect(s.tasks).toHaveLength(14);
      expect(s.tasks[0]).toMatchObject({ type: 'qmstart', id: '213', outcome: 'failed' });
      // One real failure (apt-get update, exit 100) and two constructed ones.
      expect(s.failedTotals).toEqual(
        new Map([
          ['qmstart', 1],
          ['vzdump', 1],
          ['aptupdate', 1],
        ]),
      );
      // The recorded HA status belongs to a cluster whose nodes are pve1-3: nothing runs here.
      expect(s.ha).toEqual([]);
      expect(s.replication?.map((j) => [j.id, j.lastSync, j.failed])).toEqual([
        ['100-0', 1790604000, false],
        ['101-0', 1790590000, true],
        ['102-1', undefined, false],
      ]);
    },
  );

  it('gives the same snapshot through pvesh and the API', async () => {
    const [a, b] = await Promise.all([collect(modes.access('pvesh')), collect(modes.access('api'))]);
    expect(b).toEqual(a);
  });

  it('counts failures by type over /cluster/tasks in scope cluster (3-node cluster, 4 constructed failures)', async () => {
    const client = fakeClient({
      '/nodes': [
        { node: 'pve1', status: 'online' },
        { node: 'pve2', status: 'online' },
        { node: 'pve3', status: 'offline' },
      ],
      '/cluster/tasks': clusterTasks(),
      '/cluster/ha/status/current': haStatus(),
      '/nodes/pve1/replication': [{ id: '102-0', guest: 102, last_sync: 1790604000, fail_count: 0 }],
      '/nodes/pve2/replication': new Error('500 internal server error'),
    });
    const s = await collect(createPveAccess({ client, hostname: 'pve1', scope: 'cluster' }));
    expect(s.tasks).toHaveLength(79);
    expect(s.failedTotals).toEqual(
      new Map([
        ['qmigrate', 1],
        ['vzdump', 1],
        ['qmstart', 2],
      ]),
    );
    expect(s.ha?.filter((e) => e.type === 'service')).toHaveLength(25);
    // pve3 is offline and not asked; pve2 failed and only its jobs are missing.
    expect(client.calls).not.toContain('/nodes/pve3/replication');
    expect(s.replication?.map((j) => j.id)).toEqual(['102-0']);
  });

  it('keeps only the HA services of this node in scope node', async () => {
    const client = fakeClient({
      '/nodes': [{ node: 'pve1' }, { node: 'pve3' }],
      '/nodes/pve3/tasks': [],
      '/cluster/ha/status/current': haStatus(),
      '/nodes/pve3/replication': [],
    });
    const s = await collect(createPveAccess({ client, hostname: 'pve3' }));
    expect(s.ha?.filter((e) => e.type === 'service').map((e) => [e.sid, e.state])).toEqual([
      ['vm:110', 'started'],
      ['vm:208', 'stopped'],
      ['vm:300', 'started'],
      ['vm:301', 'started'],
    ]);
    expect(s.ha?.find((e) => e.type === 'lrm')?.id).toBe('lrm:pve3');
  });

  it('keeps the tasks when HA and replication fail', async () => {
    const client = fakeClient({ '/nodes': [{ node: 'pve1' }], '/nodes/pve1/tasks': clusterTasks() });
    const s = await collect(createPveAccess({ client, hostname: 'pve1' }));
    expect(s.tasks).toHaveLength(79);
    expect(s.ha).toBeUndefined();
    expect(s.replication).toBeUndefined();
  });

  it('fails when the task list fails', async () => {
    const client = fakeClient({
      '/nodes': [{ node: 'pve1' }],
      '/nodes/pve1/tasks': new Error('403 forbidden'),
    });
    const r = await createPveTasksSource(createPveAccess({ client, hostname: 'pve1' })).collect(ctx());
    expect(r).toEqual({ ok: false, error: { kind: 'exit', message: '403 forbidden' } });
  });

  it('counts each failed UPID once across refreshes, and only upward', async () => {
    const base = clusterTasks();
    const newFailure = {
      upid: 'UPID:pve1:00110000:0ED80000:6ABA7000:qmstart:130:root@pam:',
      node: 'pve1',
      type: 'qmstart',
      id: '130',
      user: 'root@pam',
      starttime: 1790603264,
      endtime: 1790603265,
      status: 'start failed',
    };
    const listings = [base, [newFailure, ...base], [newFailure], [newFailure]];
    let i = 0;
    const client = fakeClient({ '/nodes': [{ node: 'pve1' }], '/cluster/tasks': () => listings[i++] });
    const source = createPveTasksSource(createPveAccess({ client, hostname: 'pve1', scope: 'cluster' }));
    const totals: Array<Map<string, number>> = [];
    for (let run = 0; run < listings.length; run++) {
      const r = await source.collect(ctx(NOW_MS + run * 60_000));
      if (!r.ok) throw new Error(r.error.message);
      totals.push(r.value.failedTotals);
    }
    expect(totals.map((t) => t.get('qmstart'))).toEqual([2, 3, 3, 3]);
    expect(totals.map((t) => [...t.values()].reduce((a, b) => a + b))).toEqual([4, 5, 5, 5]);
  });
});

describe('FailedTaskCounter', () => {
  const failed = (n: number, at: number): PveTask => ({
    upid: `UPID:pve:${n}`,
    type: 'vzdump',
    starttime: at,
    endtime: at,
    status: 'job errors',
    outcome: 'failed',
  });

  it('forgets a task only once it left the listing and aged past the retention', () => {
    const c = new FailedTaskCounter({ retentionSeconds: 100 });
    c.observe([failed(1, 1000), failed(2, 1000)], 1000);
    // Still listed long after: remembered, not recounted.
    c.observe([failed(1, 1000), failed(2, 1000)], 5000);
    expect(c.totals().get('vzdump')).toBe(2);
    c.observe([failed(2, 1000)], 5000);
    expect(c.remembered).toBe(1);
    expect(c.totals().get('vzdump')).toBe(2);
  });

  it('stays bounded, dropping the oldest first', () => {
    const c = new FailedTaskCounter({ maxRemembered: 3 });
    c.observe(
      [1, 2, 3, 4, 5].map((n) => failed(n, 1000 + n)),
      2000,
    );
    expect(c.remembered).toBe(3);
    expect(c.totals().get('vzdump')).toBe(5);
    // The newest three are still known: not counted again.
    c.observe([failed(5, 1005), failed(4, 1004), failed(3, 1003)], 2000);
    expect(c.totals().get('vzdump')).toBe(5);
  });

  it('ignores running, OK and warning tasks, and counts a running task once it fails', () => {
    const tasks = parseTasks([
      { upid: 'U1', type: 'qmstart' },
      { upid: 'U2', type: 'qmstart', status: 'OK' },
      { upid: 'U3', type: 'vzdump', status: 'WARNINGS: 1' },
    ]);
    if (!tasks.ok) throw new Error('parse');
    const c = new FailedTaskCounter();
    c.observe(tasks.value, 1);
    expect(c.totals()).toEqual(new Map());
    c.observe([{ upid: 'U1', type: 'qmstart', status: 'boom', outcome: 'failed' }], 2);
    expect(c.totals()).toEqual(new Map([['qmstart', 1]]));
  });
});
