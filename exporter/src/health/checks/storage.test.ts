import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseClusterResources,
  parseClusterStatus,
  parseNodeStorage,
  parseVersion,
  type PveGuest,
  type PveNodeStorage,
} from '../../pve-model/index.js';
import type { Filesystem, FilesystemsSnapshot } from '../../sources/filesystems/index.js';
import { parseMounts } from '../../sources/filesystems/parse.js';
import {
  DEFAULT_FS_TYPES_EXCLUDE,
  DEFAULT_MOUNT_POINTS_EXCLUDE,
  selectMounts,
} from '../../sources/filesystems/select.js';
import type { PveSnapshot } from '../../sources/pve/index.js';
import type { ZpoolSnapshot } from '../../sources/zpool/index.js';
import { mergePools, parseZpoolList } from '../../sources/zpool/parse.js';
import { checkStorage } from './storage.js';
import {
  consistent,
  hostInputs,
  rowsOf,
  srcFile,
  srcJson,
  type HostInputsOptions,
} from './fixtures/host-category-inputs.js';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
const GIB = 1024 ** 3;

/**
 * A standalone PVE 9.2 node (real version, cluster status and guest list) whose storage status is the
 * recorded `/nodes/{node}/storage` reply: `local` (dir) 85.0 % full, `synology` (nfs) 72.7 %.
 */
function pveNode(
  change: { storages?: (s: PveNodeStorage[]) => void; guests?: (g: PveGuest[]) => void } = {},
) {
  const model = 'pve-model/fixtures/';
  const storages = ok(parseNodeStorage(srcJson(`${model}node-storage.json`)));
  const guests = ok(
    parseClusterResources(srcJson(`${model}pve92-cluster-resources-vm-sparse-entry-real.json`)),
  ).guests;
  change.storages?.(storages);
  change.guests?.(guests);
  const snapshot: PveSnapshot = {
    mode: 'pvesh',
    scope: 'node',
    node: 'pve',
    version: ok(parseVersion(srcJson(`${model}pve92-version-real.json`))),
    cluster: ok(parseClusterStatus(srcJson(`${model}pve92-cluster-status-standalone-real.json`))),
    guests,
    storages,
  };
  return snapshot;
}

/** CT 120 of the recorded guest list, constructed as running with 7.5 GiB of its 8 GiB root disk used (93.8 %). */
const runningCt120 = (guests: PveGuest[]) => {
  const ct = guests.find((g) => g.vmid === 120)!;
  Object.assign(ct, { status: 'running', disk: 7.5 * GIB });
};

/** `zpool list` of a TrueNAS host (telegraf's recording): temp1 54.4 % allocated, red1 12.6 %. */
function pools(): ZpoolSnapshot {
  const list = ok(
    parseZpoolList(srcFile('sources/zpool/fixtures/zpool-list-Hp-4pools.txt'), [
      'name',
      'health',
      'size',
      'allocated',
      'free',
      'fragmentation',
      'capacity',
      'dedupratio',
    ]),
  );
  return { format: 'text', pools: mergePools([], list) };
}

/** The constructed PVE 8 mount table through the source's own parser and default selection. */
function mounts(stuck: readonly string[] = []): FilesystemsSnapshot {
  const table = ok(
    parseMounts(srcFile('sources/filesystems/fixtures/proc-mounts-pve8-zfs-nfs-constructed.txt')),
  );
  const selected = selectMounts(table, {
    fsTypesExclude: DEFAULT_FS_TYPES_EXCLUDE,
    mountPointsExclude: DEFAULT_MOUNT_POINTS_EXCLUDE,
  });
  const filesystems: Filesystem[] = selected.map((m) =>
    stuck.includes(m.mountpoint)
      ? { ...m, deviceError: true, stuck: true, error: 'stat: timed out after 5000 ms' }
      : {
          ...m,
          deviceError: false,
          stuck: false,
          sizeBytes: 100 * GIB,
          freeBytes: 50 * GIB,
          availBytes: 45 * GIB,
          usedBytes: 50 * GIB,
          files: 1,
          filesFree: 1,
        },
  );
  return { filesystems };
}

const storage = (o: HostInputsOptions) => checkStorage(hostInputs(o));
const all = (pve = pveNode(), zpool = pools(), filesystems = mounts()) => ({ pve, zpool, filesystems });

describe('checkStorage from recorded inputs', () => {
  it('the recorded `local` storage at 85.0 % warns; the rest is OK', () => {
    const e = storage({ fresh: all() });
    expect(rowsOf(e)).toEqual({
      'pve_storage[local]': 'WARNING',
      'pve_storage[synology]': 'OK',
      'zfs_pool_capacity[freenas-boot]': 'OK',
      'zfs_pool_capacity[red1]': 'OK',
      'zfs_pool_capacity[temp1]': 'OK',
      'zfs_pool_capacity[temp2]': 'OK',
      'remote_mount[/mnt/pve/nfs-backup]': 'OK',
      'remote_mount[/mnt/pve/cifs iso]': 'OK',
    });
    expect(e.findings).toEqual([
      {
        errorKey: 'pve_storage_full_local',
        category: 'storage',
        check: 'pve_storage',
        severity: 'WARNING',
        reason: 'storage local (dir) is 85% full, 79.8 GiB of 93.9 GiB (warning at 85%)',
        details: expect.objectContaining({ value: 85, resource: { kind: 'storage', id: 'local' } }),
      },
    ]);
    expect(e.present).toEqual({
      storage: new Set(['local', 'synology']),
      guest: new Set(['120', '211', '212', '213', '9000']),
      pool: new Set(['freenas-boot', 'red1', 'temp1', 'temp2']),
      mount: new Set(['/mnt/pve/nfs-backup', '/mnt/pve/cifs iso']),
    });
    expect(consistent(e)).toBe(true);
  });

  it('pve_storage_warning and pve_storage_critical are read', () => {
    const crit = storage({ fresh: all(), thresholds: { storage: { pve_storage_critical: 85 } } });
    expect(crit.findings.map((f) => [f.errorKey, f.severity])).toEqual([
      ['pve_storage_full_local', 'CRITICAL'],
    ]);
    const calm = storage({
      fresh: all(),
      thresholds: { storage: { pve_storage_warning: 86, pve_storage_critical: 90 } },
    });
    expect(calm.findings).toEqual([]);
    const nfs = storage({
      fresh: all(),
      thresholds: { storage: { pve_storage_warning: 70, pve_storage_critical: 99 } },
    });
    expect(nfs.findings.map((f) => f.errorKey)).toEqual([
      'pve_storage_full_local',
      'pve_storage_full_synology',
    ]);
  });

  it('an inactive storage is CRITICAL storage_unavailable_<name>; a disabled one is not judged', () => {
    const pve = pveNode({
      storages: (s) => {
        s[1]!.active = false;
        Object.assign(s[0]!, { enabled: false, active: false });
      },
    });
    const e = storage({ fresh: all(pve) });
    expect(e.findings).toEqual([
      expect.objectContaining({
        errorKey: 'storage_unavailable_synology',
        severity: 'CRITICAL',
        reason: 'storage synology (nfs) is not available on node pve',
        details: { type: 'nfs', resource: { kind: 'storage', id: 'synology' } },
      }),
    ]);
    expect(e.rows[0]).toMatchObject({
      resource: 'local',
      status: 'OK',
      reason: 'storage local (dir) is disabled on this node',
    });
  });

  it('a storage excluded from health is dropped entirely, its /mnt/pve mount too; notifications-only exclusions keep it', () => {
    const stuck = all(undefined, undefined, mounts(['/mnt/pve/nfs-backup']));
    const e = storage({ fresh: stuck, storages: { local: false, 'nfs-backup': false } });
    expect(Object.keys(rowsOf(e))).not.toContain('pve_storage[local]');
    expect(Object.keys(rowsOf(e))).not.toContain('remote_mount[/mnt/pve/nfs-backup]');
    expect(e.findings).toEqual([]);
    expect(e.present?.storage).toEqual(new Set(['synology']));
    expect(storage({ fresh: all(), storages: { local: true } }).findings).toHaveLength(1);
  });

  it('ZFS pool capacity: zfs_pool_warning and zfs_pool_critical are read (temp1 54.4 %)', () => {
    const warn = storage({
      fresh: all(),
      thresholds: { storage: { zfs_pool_warning: 50, zfs_pool_critical: 60 } },
    });
    expect(warn.findings.filter((f) => f.check === 'zfs_pool_capacity')).toEqual([
      expect.objectContaining({
        errorKey: 'zfs_pool_full_temp1',
        severity: 'WARNING',
        reason: 'ZFS pool temp1 is 54.4% allocated, 1514.6 GiB of 2784.0 GiB (warning at 50%)',
        details: expect.objectContaining({ resource: { kind: 'pool', id: 'temp1' } }),
      }),
    ]);
    const crit = storage({
      fresh: all(),
      thresholds: { storage: { zfs_pool_warning: 10, zfs_pool_critical: 54 } },
    });
    expect(
      crit.findings.filter((f) => f.check === 'zfs_pool_capacity').map((f) => [f.errorKey, f.severity]),
    ).toEqual([
      ['zfs_pool_full_red1', 'WARNING'],
      ['zfs_pool_full_temp1', 'CRITICAL'],
      ['zfs_pool_full_temp2', 'WARNING'],
    ]);
  });

  it('an UNAVAIL pool prints no sizes: no capacity verdict (its state is the disks check)', () => {
    const list = ok(
      parseZpoolList(srcFile('sources/zpool/fixtures/zpool-list-Hp-unavail.txt'), [
        'name',
        'health',
        'size',
        'allocated',
        'free',
        'fragmentation',
        'capacity',
        'dedupratio',
      ]),
    );
    const e = storage({ fresh: all(undefined, { format: 'text', pools: mergePools([], list) }) });
    expect(e.rows.find((r) => r.resource === 'temp2')).toMatchObject({
      status: 'OK',
      reason: 'pool temp2 (UNAVAIL) reports no capacity',
    });
  });

  it('container root disks: lxc_rootfs_warning and lxc_rootfs_critical are read (CT 120 at 93.8 %)', () => {
    const pve = pveNode({ guests: runningCt120 });
    const warn = storage({ fresh: all(pve) });
    expect(warn.findings.find((f) => f.check === 'lxc_disk')).toEqual(
      expect.objectContaining({
        errorKey: 'lxc_disk_120',
        severity: 'WARNING',
        reason: 'container 120 (web) root disk is 93.8% full, 7.5 GiB of 8.0 GiB (warning at 85%)',
        details: expect.objectContaining({ resource: { kind: 'guest', id: '120' } }),
      }),
    );
    const crit = storage({ fresh: all(pve), thresholds: { storage: { lxc_rootfs_critical: 93 } } });
    expect(crit.findings.find((f) => f.check === 'lxc_disk')?.severity).toBe('CRITICAL');
    const calm = storage({
      fresh: all(pve),
      thresholds: { storage: { lxc_rootfs_warning: 94, lxc_rootfs_critical: 95 } },
    });
    expect(calm.findings.find((f) => f.check === 'lxc_disk')).toBeUndefined();
    // Stopped containers report no usage and are not judged.
    expect(storage({ fresh: all() }).rows.some((r) => r.check === 'lxc_disk')).toBe(false);
  });

  it("in cluster scope another node's containers are left to that node's exporter", () => {
    const two = srcJson('pve-model/fixtures/pve-exporter-fixture-2node-constructed.json') as Record<
      string,
      unknown
    >;
    const guests = ok(parseClusterResources(two['cluster/resources'])).guests;
    guests.find((g) => g.vmid === 101)!.status = 'running'; // CT 101 on pve2, 1 of 8 GiB
    const pve: PveSnapshot = { ...pveNode(), scope: 'cluster', node: 'pve1', guests };
    const e = storage({ fresh: all(pve) });
    expect(e.rows.some((r) => r.check === 'lxc_disk')).toBe(false);
    expect(e.present?.guest).toEqual(new Set(['100']));
  });

  it('a network mount whose statfs hangs is CRITICAL mount_stale_<mountpoint>', () => {
    const e = storage({ fresh: all(undefined, undefined, mounts(['/mnt/pve/nfs-backup'])) });
    expect(e.findings).toContainEqual(
      expect.objectContaining({
        errorKey: 'mount_stale_/mnt/pve/nfs-backup',
        severity: 'CRITICAL',
        reason: 'nfs4 mount /mnt/pve/nfs-backup (192.0.2.10:/export/backup) is not responding',
        details: expect.objectContaining({ resource: { kind: 'mount', id: '/mnt/pve/nfs-backup' } }),
      }),
    );
  });
});

describe('checkStorage without inputs', () => {
  it('is UNKNOWN when pve, zpool and filesystems have no fresh value', () => {
    const e = storage({ missing: ['pve', 'zpool', 'filesystems'] });
    expect(e.unknown).toBe(
      'pve source failed: pve: failed; zpool source failed: zpool: failed; filesystems source failed: filesystems: failed',
    );
    expect(e.findings).toEqual([]);
  });

  it('is skipped off Proxmox without ZFS or network mounts', () => {
    const local: FilesystemsSnapshot = {
      filesystems: mounts().filesystems.filter((f) => f.device.startsWith('/dev/')),
    };
    const e = storage({ fresh: { filesystems: local }, absent: ['pve', 'zpool'] });
    expect(e.skipped).toBe('not a Proxmox VE node, no ZFS and no network mounts');
  });

  it('one source down makes its rows UNKNOWN, the others still judge', () => {
    const e = storage({ fresh: { pve: pveNode(), filesystems: mounts() }, missing: ['zpool'] });
    expect(e.unknown).toBeUndefined();
    expect(rowsOf(e)).toMatchObject({ 'pve_storage[local]': 'WARNING', zfs_pool_capacity: 'UNKNOWN' });
    expect(e.present?.pool).toBeUndefined();
    const noZfs = storage({ fresh: { pve: pveNode(), filesystems: mounts() }, absent: ['zpool'] });
    expect(rowsOf(noZfs)).toMatchObject({ zfs_pool_capacity: 'OK' });
  });

  it('unreadable storage status keeps the storage inventory unknown', () => {
    const pve = { ...pveNode(), storages: undefined };
    const e = storage({ fresh: all(pve) });
    expect(rowsOf(e)).toMatchObject({ pve_storage: 'UNKNOWN' });
    expect(e.present?.storage).toBeUndefined();
  });

  it('any storage and guest figures give consistent rows and findings', () => {
    const size = fc.option(fc.integer({ min: 0, max: 2 ** 50 }), { nil: undefined });
    const row = fc.record({
      storage: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
      content: fc.constant<string[]>([]),
      active: fc.option(fc.boolean(), { nil: undefined }),
      enabled: fc.option(fc.boolean(), { nil: undefined }),
      total: size,
      used: size,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(row, { selector: (r) => r.storage, maxLength: 8 }),
        size,
        size,
        (storages, disk, maxdisk) => {
          const pve = pveNode({
            guests: (g) =>
              Object.assign(
                g.find((x) => x.vmid === 120)!,
                { status: 'running', disk, maxdisk },
              ),
          });
          const e = storage({ fresh: all({ ...pve, storages }) });
          expect(consistent(e)).toBe(true);
          for (const f of e.findings) expect(f.details?.resource).toBeDefined();
        },
      ),
      { numRuns: 50 },
    );
  });
});
