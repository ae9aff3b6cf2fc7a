import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import type { Filesystem, FilesystemsSnapshot } from '../sources/filesystems/index.js';
import { parseMounts, parseStatfs } from '../sources/filesystems/parse.js';
import { metricNames, registerFilesystemMetrics } from './filesystem.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../sources/filesystems/fixtures/${name}`, import.meta.url), 'utf8');

function snapshotFromFixtures(): FilesystemsSnapshot {
  const mounts = parseMounts(fixture('proc-mounts-debian12-container.txt'));
  const stats = parseStatfs(fixture('stat-f-ext4-root.txt'));
  if (!mounts.ok || !stats.ok) throw new Error('fixtures do not parse');
  const root = mounts.value.find((m) => m.mountpoint === '/');
  if (!root) throw new Error('no root mount');
  const ok: Filesystem = { ...root, ...stats.value, deviceError: false, stuck: false };
  const hung: Filesystem = {
    mountpoint: '/mnt/pve/nfs-backup',
    device: '192.0.2.10:/export/backup',
    fstype: 'nfs4',
    readonly: true,
    deviceError: true,
    stuck: true,
    error: 'stat: timed out after 5000 ms',
  };
  return { filesystems: [ok, hung] };
}

async function render(snapshot: FilesystemsSnapshot | undefined): Promise<string[]> {
  const cache = new SnapshotCache(() => 1_000);
  cache.register('filesystems', 60_000);
  if (snapshot) cache.recordSuccess('filesystems', snapshot, 0.01);
  const registry = new Registry();
  registerFilesystemMetrics(registry, cache);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('filesystem metrics', () => {
  it('renders figures for statted mounts and only the error and readonly flags for a hung one', async () => {
    const root = 'mountpoint="/",device="/dev/vda",fstype="ext4"';
    const nfs = 'mountpoint="/mnt/pve/nfs-backup",device="192.0.2.10:/export/backup",fstype="nfs4"';
    expect(await render(snapshotFromFixtures())).toEqual([
      `proxmon_filesystem_size_bytes{${root}} 270553174016`,
      `proxmon_filesystem_avail_bytes{${root}} 85473034240`,
      `proxmon_filesystem_used_bytes{${root}} 23471259648`,
      `proxmon_filesystem_readonly{${root}} 0`,
      `proxmon_filesystem_readonly{${nfs}} 1`,
      `proxmon_filesystem_files{${root}} 16777216`,
      `proxmon_filesystem_files_free{${root}} 16362591`,
      `proxmon_filesystem_device_error{${root}} 0`,
      `proxmon_filesystem_device_error{${nfs}} 1`,
    ]);
  });

  it('renders no series without a fresh snapshot', async () => {
    expect(await render(undefined)).toEqual([]);
  });

  it('registers exactly the names it declares', async () => {
    const registry = new Registry();
    registerFilesystemMetrics(registry, new SnapshotCache());
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual([...metricNames]);
  });
});
