import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import {
  createPveBackupsSource,
  PVE_BACKUPS_SOURCE,
  type PveBackupsSnapshot,
} from '../sources/pve/backups.js';
import { NOW_MS, startModes, type Mode, type Modes } from '../sources/pve/fixtures/clients.js';
import { createPveSource, PVE_SOURCE, type PveSnapshot } from '../sources/pve/index.js';
import { sourceContext } from '../test-support/source-context.js';
import { metricNames, registerPveBackupMetrics } from './pve-backups.js';

let modes: Modes;
beforeAll(async () => {
  modes = await startModes();
});
afterAll(() => modes.close());

async function collect(mode: Mode): Promise<{ pve: PveSnapshot; backups: PveBackupsSnapshot }> {
  const access = modes.access(mode);
  const ctx = sourceContext({ now: () => NOW_MS });
  const [pve, backups] = await Promise.all([
    createPveSource(access).collect(ctx),
    // The recorded synology storage hangs; it only has to fail within the test.
    createPveBackupsSource(access, { storageTimeoutMs: 2000 }).collect(ctx),
  ]);
  if (!pve.ok) throw new Error(pve.error.message);
  if (!backups.ok) throw new Error(backups.error.message);
  return { pve: pve.value, backups: backups.value };
}

async function render(
  pve: PveSnapshot | undefined,
  backups: PveBackupsSnapshot | undefined,
): Promise<string[]> {
  const cache = new SnapshotCache(() => 0);
  cache.register(PVE_SOURCE, 45_000);
  cache.register(PVE_BACKUPS_SOURCE, 1_800_000);
  if (pve) cache.recordSuccess(PVE_SOURCE, pve, 0.01);
  if (backups) cache.recordSuccess(PVE_BACKUPS_SOURCE, backups, 0.01);
  const registry = new Registry();
  registerPveBackupMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('PVE backup metrics', () => {
  it('gives the last backup of the guests in scope, identical through pvesh and the API', async () => {
    const [a, b] = await Promise.all([collect('pvesh'), collect('api')]);
    const lines = await render(a.pve, a.backups);
    expect(await render(b.pve, b.backups)).toEqual(lines);
    // 120, 213 and the template 9000 were never backed up: absent, not 0.
    expect(lines).toEqual([
      'proxmon_guest_last_backup_timestamp_seconds{vmid="211"} 1785520300',
      'proxmon_guest_last_backup_timestamp_seconds{vmid="212"} 1785523050',
    ]);
  });

  it('leaves out backups of guests the pve source does not report, and needs both snapshots', async () => {
    const backups: PveBackupsSnapshot = {
      node: 'pve',
      backups: [],
      lastBackup: new Map([
        [100, 1700000000],
        [211, 1785520300],
      ]),
      failedStorages: [],
    };
    const pve = { guests: [{ vmid: 211, type: 'qemu', tags: [] }] } as unknown as PveSnapshot;
    expect(await render(pve, backups)).toEqual([
      'proxmon_guest_last_backup_timestamp_seconds{vmid="211"} 1785520300',
    ]);
    expect(await render(undefined, backups)).toEqual([]);
    expect(await render(pve, undefined)).toEqual([]);
  });
});
