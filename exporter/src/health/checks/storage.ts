import type { PveNodeStorage } from '../../pve-model/index.js';
import { FILESYSTEMS_SOURCE, type FilesystemsSnapshot } from '../../sources/filesystems/index.js';
import { PVE_SOURCE, type PveSnapshot } from '../../sources/pve/index.js';
import { ZPOOL_SOURCE, type ZpoolSnapshot } from '../../sources/zpool/index.js';
import type { CategoryCheck, CategoryEvaluation, HealthInputs, ResourceInventory } from '../check.js';
import { addRow, levelOf } from './cpu.js';
import { sourceState } from './source-state.js';

/** Filesystems served over the network: a dead server hangs statfs, which the source reports as stuck. */
export const NETWORK_FS_TYPES =
  /^(nfs4?|cifs|smb3|smbfs|glusterfs|ceph|fuse\.(sshfs|glusterfs|ceph|s3fs|rclone))$/;
/** Where PVE mounts its dir-like network storages: `/mnt/pve/<storage>`. */
const PVE_MOUNT = /^\/mnt\/pve\/([^/]+)$/;

const pct = (used: number, total: number) => Math.round((used / total) * 1000) / 10;
const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

/**
 * PVE storages of this node (unavailable, full), ZFS pool capacity, container root disks of this
 * node's running containers, and network mounts that stopped answering. Storages excluded from
 * health are dropped entirely (also their `/mnt/pve/<name>` mount).
 */
export const checkStorage: CategoryCheck = (inputs) => {
  const { snapshots } = inputs;
  const evaluation: CategoryEvaluation = { category: 'storage', rows: [], findings: [] };
  const present: ResourceInventory = {};
  const pve = sourceState<PveSnapshot>(snapshots, PVE_SOURCE);
  const zpool = sourceState<ZpoolSnapshot>(snapshots, ZPOOL_SOURCE);
  const filesystems = sourceState<FilesystemsSnapshot>(snapshots, FILESYSTEMS_SOURCE);
  const all = [pve, zpool, filesystems];
  if (!all.some((s) => s.kind === 'fresh') && all.some((s) => s.kind === 'unavailable'))
    return { ...evaluation, unknown: all.map((s) => (s.kind === 'fresh' ? '' : s.reason)).join('; ') };

  if (pve.kind === 'fresh') {
    pveStorages(inputs, evaluation, present, pve.value);
    containerDisks(inputs, evaluation, present, pve.value);
  } else
    evaluation.rows.push({
      check: 'pve_storage',
      status: pve.kind === 'absent' ? 'OK' : 'UNKNOWN',
      reason: pve.kind === 'absent' ? `not a Proxmox VE node (${pve.reason})` : pve.reason,
    });

  if (zpool.kind === 'fresh') poolCapacity(inputs, evaluation, present, zpool.value);
  else
    evaluation.rows.push({
      check: 'zfs_pool_capacity',
      status: zpool.kind === 'absent' ? 'OK' : 'UNKNOWN',
      reason: zpool.kind === 'absent' ? `no ZFS on this host (${zpool.reason})` : zpool.reason,
    });

  const mounts =
    filesystems.kind === 'fresh' ? remoteMounts(inputs, evaluation, present, filesystems.value) : 0;
  if (filesystems.kind === 'unavailable')
    evaluation.rows.push({ check: 'remote_mount', status: 'UNKNOWN', reason: filesystems.reason });

  if (pve.kind === 'absent' && zpool.kind === 'absent' && mounts === 0)
    return { ...evaluation, rows: [], skipped: 'not a Proxmox VE node, no ZFS and no network mounts' };
  return { ...evaluation, present };
};

function pveStorages(
  inputs: HealthInputs,
  evaluation: CategoryEvaluation,
  present: ResourceInventory,
  pve: PveSnapshot,
): void {
  if (!pve.storages) {
    evaluation.rows.push({
      check: 'pve_storage',
      status: 'UNKNOWN',
      reason: `storage status of node ${pve.node} could not be read`,
    });
    return;
  }
  const t = inputs.thresholds.storage;
  const seen = new Set<string>();
  for (const s of pve.storages) {
    if (inputs.exclusions.storages.get(s.storage)?.health === false) continue;
    seen.add(s.storage);
    const resource = { kind: 'storage' as const, id: s.storage };
    const type = s.type ? ` (${s.type})` : '';
    if (s.enabled === false) {
      addRow(evaluation, {
        check: 'pve_storage',
        resource: s.storage,
        status: 'OK',
        reason: `storage ${s.storage}${type} is disabled on this node`,
      });
      continue;
    }
    if (s.active === false) {
      addRow(
        evaluation,
        {
          check: 'pve_storage',
          resource: s.storage,
          status: 'CRITICAL',
          reason: `storage ${s.storage}${type} is not available on node ${pve.node}`,
        },
        { key: `storage_unavailable_${s.storage}`, resource, details: { type: s.type } },
      );
      continue;
    }
    usageRow(evaluation, s, type, t.pve_storage_warning, t.pve_storage_critical, resource);
  }
  present.storage = seen;
}

function usageRow(
  evaluation: CategoryEvaluation,
  s: PveNodeStorage,
  type: string,
  warning: number,
  critical: number,
  resource: { kind: 'storage'; id: string },
): void {
  const { total, used } = s;
  // iSCSI LUN bases, ESXi imports and namespace-restricted PBS datastores report no capacity.
  if (!total || used === undefined) {
    addRow(evaluation, {
      check: 'pve_storage',
      resource: s.storage,
      status: 'OK',
      reason: `storage ${s.storage}${type} is available and reports no capacity`,
    });
    return;
  }
  const value = pct(used, total);
  const status = levelOf(value, warning, critical);
  const limit = status === 'CRITICAL' ? `critical at ${critical}%` : `warning at ${warning}%`;
  addRow(
    evaluation,
    {
      check: 'pve_storage',
      resource: s.storage,
      status,
      reason: `storage ${s.storage}${type} is ${value}% full, ${gib(used)} of ${gib(total)} (${limit})`,
      value,
    },
    { key: `pve_storage_full_${s.storage}`, resource, details: { value, used, total, warning, critical } },
  );
}

function containerDisks(
  inputs: HealthInputs,
  evaluation: CategoryEvaluation,
  present: ResourceInventory,
  pve: PveSnapshot,
): void {
  const { lxc_rootfs_warning: warning, lxc_rootfs_critical: critical } = inputs.thresholds.storage;
  // Another node's exporter judges its own guests; in cluster scope they would be reported twice.
  const local = pve.guests.filter((g) => g.node === undefined || g.node === pve.node);
  present.guest = new Set(local.map((g) => String(g.vmid)));
  for (const g of local) {
    if (g.type !== 'lxc' || g.template || g.status !== 'running') continue;
    const id = String(g.vmid);
    const name = g.name ? ` (${g.name})` : '';
    if (g.disk === undefined || !g.maxdisk) {
      addRow(evaluation, {
        check: 'lxc_disk',
        resource: id,
        status: 'OK',
        reason: `container ${id}${name} reports no root disk usage`,
      });
      continue;
    }
    const value = pct(g.disk, g.maxdisk);
    const status = levelOf(value, warning, critical);
    const limit = status === 'CRITICAL' ? `critical at ${critical}%` : `warning at ${warning}%`;
    addRow(
      evaluation,
      {
        check: 'lxc_disk',
        resource: id,
        status,
        reason: `container ${id}${name} root disk is ${value}% full, ${gib(g.disk)} of ${gib(g.maxdisk)} (${limit})`,
        value,
      },
      {
        key: `lxc_disk_${id}`,
        resource: { kind: 'guest', id },
        details: { value, used: g.disk, total: g.maxdisk, warning, critical },
      },
    );
  }
}

function poolCapacity(
  inputs: HealthInputs,
  evaluation: CategoryEvaluation,
  present: ResourceInventory,
  zpool: ZpoolSnapshot,
): void {
  const { zfs_pool_warning: warning, zfs_pool_critical: critical } = inputs.thresholds.storage;
  present.pool = new Set(zpool.pools.map((p) => p.name));
  if (zpool.pools.length === 0)
    evaluation.rows.push({ check: 'zfs_pool_capacity', status: 'OK', reason: 'no ZFS pool imported' });
  for (const p of zpool.pools) {
    const { sizeBytes: size, allocatedBytes: allocated } = p;
    if (!size || allocated === undefined) {
      // An UNAVAIL pool prints no sizes; its state is the disks category's zfs_pool check.
      addRow(evaluation, {
        check: 'zfs_pool_capacity',
        resource: p.name,
        status: 'OK',
        reason: `pool ${p.name} (${p.state}) reports no capacity`,
      });
      continue;
    }
    const value = pct(allocated, size);
    const status = levelOf(value, warning, critical);
    const limit = status === 'CRITICAL' ? `critical at ${critical}%` : `warning at ${warning}%`;
    addRow(
      evaluation,
      {
        check: 'zfs_pool_capacity',
        resource: p.name,
        status,
        reason: `ZFS pool ${p.name} is ${value}% allocated, ${gib(allocated)} of ${gib(size)} (${limit})`,
        value,
      },
      {
        key: `zfs_pool_full_${p.name}`,
        resource: { kind: 'pool', id: p.name },
        details: { value, allocated, size, warning, critical },
      },
    );
  }
}

/** Network mounts that hang statfs: a dead NFS/CIFS server. Returns how many network mounts it saw. */
function remoteMounts(
  inputs: HealthInputs,
  evaluation: CategoryEvaluation,
  present: ResourceInventory,
  snapshot: FilesystemsSnapshot,
): number {
  const mounts = snapshot.filesystems.filter((fs) => {
    if (!NETWORK_FS_TYPES.test(fs.fstype)) return false;
    const storage = PVE_MOUNT.exec(fs.mountpoint)?.[1];
    return storage === undefined || inputs.exclusions.storages.get(storage)?.health !== false;
  });
  present.mount = new Set(mounts.map((fs) => fs.mountpoint));
  for (const fs of mounts) {
    const what = `${fs.fstype} mount ${fs.mountpoint} (${fs.device})`;
    if (fs.stuck)
      addRow(
        evaluation,
        {
          check: 'remote_mount',
          resource: fs.mountpoint,
          status: 'CRITICAL',
          reason: `${what} is not responding`,
        },
        {
          key: `mount_stale_${fs.mountpoint}`,
          resource: { kind: 'mount', id: fs.mountpoint },
          details: { device: fs.device, fstype: fs.fstype, error: fs.error },
        },
      );
    else if (fs.deviceError)
      addRow(evaluation, {
        check: 'remote_mount',
        resource: fs.mountpoint,
        status: 'UNKNOWN',
        reason: `${what} could not be measured: ${fs.error ?? 'statfs failed'}`,
      });
    else
      addRow(evaluation, {
        check: 'remote_mount',
        resource: fs.mountpoint,
        status: 'OK',
        reason: `${what} answers`,
      });
  }
  return mounts.length;
}
