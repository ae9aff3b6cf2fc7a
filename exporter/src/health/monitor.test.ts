import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { PveGuest } from '../pve-model/index.js';
import { SnapshotCache } from '../snapshots.js';
import { createExec } from '../sources/exec.js';
import type { PveSnapshot } from '../sources/pve/index.js';
import { createZpoolSource } from '../sources/zpool/index.js';
import { openStore, type Db } from '../store/db.js';
import { sourceContext } from '../test-support/source-context.js';
import { silentLogger } from '../test-support/tools.js';
import { createHealthMonitor } from './monitor.js';
import { Sampler } from './samples.js';
import { HealthStore, type HealthEvent } from './store/index.js';

const zpoolRecorded = fileURLToPath(new URL('../../../tests/fake-bin/zpool-recorded', import.meta.url));
const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 26, 8);

let db: Db | undefined;
afterEach(() => db?.close());

/** A host whose zpool answers through the recorded stand-in and whose PVE guests the test sets. */
function host() {
  let now = T0;
  db = openStore(mkdtempSync(join(tmpdir(), 'proxmon-health-')));
  const snapshots = new SnapshotCache(() => now);
  snapshots.register('zpool', 3 * HOUR);
  snapshots.register('pve', 3 * HOUR);
  const store = new HealthStore(db, () => now);
  const monitor = createHealthMonitor({
    db,
    store,
    snapshots,
    samples: new Sampler(),
    exec: createExec(),
    paths: { procfs: '/nonexistent/proc', sysfs: '/nonexistent/sys', rootfs: '/nonexistent' },
    logger: silentLogger(),
    now: () => now,
    journal: { enabled: false },
  });
  const events: HealthEvent[] = [];
  monitor.events.on('event', (e) => events.push(e));
  return {
    store,
    monitor,
    events,
    advance: (ms: number) => (now += ms),
    async zpool(scenario: string) {
      process.env.ZPOOL_SCENARIO = scenario;
      const r = await createZpoolSource().collect(
        sourceContext({ exec: createExec({ zpool: zpoolRecorded }) }),
      );
      if (!r.ok) throw new Error(r.error.message);
      snapshots.recordSuccess('zpool', r.value, 0.01);
    },
    guests(guests: PveGuest[]) {
      const pve: PveSnapshot = {
        mode: 'pvesh',
        scope: 'node',
        node: 'pve',
        version: { version: '9.2.2', release: '9.2' } as PveSnapshot['version'],
        cluster: { nodes: [] } as unknown as PveSnapshot['cluster'],
        guests,
        storages: [],
      };
      snapshots.recordSuccess('pve', pve, 0.01);
    },
  };
}

const container = (vmid: number, disk: number): PveGuest => ({
  vmid,
  type: 'lxc',
  name: `ct${vmid}`,
  node: 'pve',
  status: 'running',
  tags: [],
  disk,
  maxdisk: 100,
});

describe('health cycle scenario', () => {
  it('persists a degraded pool, counts it, hides it while dismissed, re-triggers, resolves on repair', async () => {
    const h = host();
    await h.zpool('pve8-resilver');
    h.guests([]);

    const first = await h.monitor.runCycle();
    const disks = first.categories.find((c) => c.category === 'disks')!;
    expect(disks.status).toBe('CRITICAL');
    expect(first.overall).toBe('CRITICAL');
    const active = h.store.active().filter((e) => e.errorKey === 'zfs_pool_rpool');
    expect(active).toMatchObject([{ severity: 'CRITICAL', occurrences: 1, category: 'disks' }]);
    expect(h.events.filter((e) => e.errorKey === 'zfs_pool_rpool').map((e) => e.type)).toEqual(['new']);

    for (let i = 0; i < 3; i++) {
      h.advance(5 * MIN);
      await h.monitor.runCycle();
    }
    expect(h.store.get('zfs_pool_rpool')).toMatchObject({ occurrences: 4, severity: 'CRITICAL' });

    expect(h.store.acknowledge('zfs_pool_rpool', '24h', 'admin').ok).toBe(true);
    h.advance(5 * MIN);
    const hidden = await h.monitor.runCycle();
    expect(h.store.active().some((e) => e.errorKey === 'zfs_pool_rpool')).toBe(false);
    expect(hidden.categories.find((c) => c.category === 'disks')).toMatchObject({
      status: 'OK',
      allDismissed: true,
    });

    h.advance(24 * HOUR);
    // Sources keep refreshing meanwhile: the values are fresh at the cycle.
    await h.zpool('pve8-resilver');
    h.guests([]);
    h.events.length = 0;
    await h.monitor.runCycle();
    expect(h.events.filter((e) => e.errorKey === 'zfs_pool_rpool').map((e) => e.type)).toEqual([
      'retriggered',
    ]);
    expect(h.store.active().some((e) => e.errorKey === 'zfs_pool_rpool')).toBe(true);

    h.advance(5 * MIN);
    await h.zpool('rpool-repaired');
    h.events.length = 0;
    const repaired = await h.monitor.runCycle();
    const resolved = h.events.find((e) => e.errorKey === 'zfs_pool_rpool');
    expect(resolved).toMatchObject({ type: 'resolved', resolution: 'auto' });
    // First seen at T0; resolved 24 h and five 5-minute steps later.
    expect(resolved?.type === 'resolved' && resolved.durationSeconds).toBe(24 * 3600 + 25 * 60);
    expect(repaired.categories.find((c) => c.category === 'disks')?.status).toBe('OK');
    expect(h.store.active().filter((e) => e.category === 'disks')).toEqual([]);
  });

  it("cleans up a deleted guest's errors", async () => {
    const h = host();
    await h.zpool('rpool-repaired');
    h.guests([container(101, 97), container(102, 10)]);
    await h.monitor.runCycle();
    expect(h.store.active().map((e) => [e.errorKey, e.severity])).toContainEqual([
      'lxc_disk_101',
      'CRITICAL',
    ]);

    h.guests([container(102, 10)]);
    h.advance(5 * MIN);
    h.events.length = 0;
    await h.monitor.runCycle();
    expect(h.events.find((e) => e.errorKey === 'lxc_disk_101')).toMatchObject({
      type: 'resolved',
      resolution: 'vanished',
    });
    expect(h.store.active().some((e) => e.errorKey === 'lxc_disk_101')).toBe(false);
  });

  it('keeps errors about resources whose source went down instead of resolving them', async () => {
    const h = host();
    await h.zpool('rpool-repaired');
    h.guests([container(101, 97)]);
    await h.monitor.runCycle();
    expect(h.store.get('lxc_disk_101')?.resolvedAt).toBeUndefined();

    // The pve value goes stale (the source failed for hours); zpool still answers.
    h.advance(4 * HOUR);
    await h.zpool('rpool-repaired');
    await h.monitor.runCycle();
    expect(h.store.get('lxc_disk_101')).toMatchObject({ occurrences: 1 });
    expect(h.store.get('lxc_disk_101')?.resolvedAt).toBeUndefined();
  });

  it('never runs two cycles at once', async () => {
    const h = host();
    await h.zpool('rpool-repaired');
    const [a, b] = await Promise.all([h.monitor.runCycle(), h.monitor.runCycle()]);
    expect(a).toBe(b);
  });
});
