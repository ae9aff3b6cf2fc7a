import {
  FILESYSTEMS_SOURCE,
  type Filesystem,
  type FilesystemsSnapshot,
} from '../../sources/filesystems/index.js';
import {
  SMART_SOURCE,
  temperatureClass,
  type DiskState,
  type SmartSnapshot,
  type UnreadableDevice,
} from '../../sources/smart/index.js';
import { ZPOOL_SOURCE, type ZpoolPool, type ZpoolSnapshot } from '../../sources/zpool/index.js';
import type { CategoryCheck, CategoryEvaluation, HealthInputs, ResourceInventory } from '../check.js';
import type { Status } from '../finding.js';
import type { Thresholds } from '../thresholds.js';
import { addRow, levelOf } from './cpu.js';
import { sourceState } from './source-state.js';

/** Mounts the host cannot run without: read-only there is CRITICAL, elsewhere a WARNING. */
const SYSTEM_MOUNTS = /^\/(var|tmp|boot|boot\/efi|var\/lib\/vz)?$/;

/**
 * Host filesystems on local disks. ZFS datasets share their pool's space (the pool's capacity is
 * the storage category's check), so only the system mountpoints among them are judged here. Network
 * mounts are the storage category's.
 */
export function isHostDiskFilesystem(fs: Pick<Filesystem, 'device' | 'fstype' | 'mountpoint'>): boolean {
  if (fs.fstype === 'zfs') return SYSTEM_MOUNTS.test(fs.mountpoint);
  // FUSE mounts name /dev/fuse as their device: /etc/pve (pmxcfs) is no disk.
  return fs.device.startsWith('/dev/') && !/^fuse(\.|$)/.test(fs.fstype);
}

/** Pool states that mean lost redundancy or lost access; any other state that is not ONLINE warns. */
const POOL_CRITICAL_STATES = new Set(['DEGRADED', 'FAULTED', 'UNAVAIL', 'REMOVED', 'SUSPENDED']);
const VDEV_FINE_STATES = new Set(['ONLINE', 'AVAIL', 'INUSE']);
/** smart source verdicts that proxmon's own thresholds replace. */
const THRESHOLD_CODES = new Set([
  'temperature',
  'reallocated_sectors',
  'pending_sectors',
  'offline_uncorrectable',
  'wear',
]);

const SEVERITY: readonly Status[] = ['OK', 'INFO', 'WARNING', 'CRITICAL'];
const rank = (s: Status) => Math.max(0, SEVERITY.indexOf(s));

/**
 * Host filesystems (space, read-only), ZFS pool health and vdev state, and per disk the SMART
 * verdict (sectors and wear against proxmon's thresholds) and temperature by disk type.
 */
export const checkDisks: CategoryCheck = (inputs) => {
  const { snapshots } = inputs;
  const evaluation: CategoryEvaluation = { category: 'disks', rows: [], findings: [] };
  const present: ResourceInventory = {};
  const filesystems = sourceState<FilesystemsSnapshot>(snapshots, FILESYSTEMS_SOURCE);
  const zpool = sourceState<ZpoolSnapshot>(snapshots, ZPOOL_SOURCE);
  const smart = sourceState<SmartSnapshot>(snapshots, SMART_SOURCE);
  const all = [filesystems, zpool, smart];
  if (!all.some((s) => s.kind === 'fresh') && all.some((s) => s.kind === 'unavailable'))
    return { ...evaluation, unknown: all.map((s) => (s.kind === 'fresh' ? '' : s.reason)).join('; ') };

  if (filesystems.kind === 'fresh') hostFilesystems(inputs, evaluation, present, filesystems.value);
  else evaluation.rows.push({ check: 'disk_space', status: 'UNKNOWN', reason: filesystems.reason });

  if (zpool.kind === 'fresh') {
    present.pool = new Set(zpool.value.pools.map((p) => p.name));
    for (const pool of zpool.value.pools) poolHealth(evaluation, pool);
  } else if (zpool.kind === 'unavailable')
    evaluation.rows.push({ check: 'zfs_pool', status: 'UNKNOWN', reason: zpool.reason });

  if (smart.kind === 'fresh') {
    present.disk = new Set(smart.value.disks.map((d) => d.diskId));
    for (const disk of smart.value.disks) {
      smartVerdict(inputs, evaluation, disk);
      diskTemperature(inputs.thresholds.disks, evaluation, disk);
    }
    for (const device of smart.value.unreadable) unreadable(evaluation, device);
  } else
    evaluation.rows.push({
      check: 'smart',
      status: smart.kind === 'absent' ? 'OK' : 'UNKNOWN',
      reason: smart.kind === 'absent' ? `no SMART data on this host (${smart.reason})` : smart.reason,
    });

  return { ...evaluation, present };
};

function hostFilesystems(
  inputs: HealthInputs,
  evaluation: CategoryEvaluation,
  present: ResourceInventory,
  snapshot: FilesystemsSnapshot,
): void {
  const { filesystem_warning: warning, filesystem_critical: critical } = inputs.thresholds.disks;
  const local = snapshot.filesystems.filter(isHostDiskFilesystem);
  present.mount = new Set(local.map((fs) => fs.mountpoint));
  for (const fs of local) {
    const mp = fs.mountpoint;
    const resource = { kind: 'mount' as const, id: mp };
    const what = `${mp} (${fs.fstype} on ${fs.device})`;
    const system = SYSTEM_MOUNTS.test(mp);
    addRow(
      evaluation,
      {
        check: 'filesystem_readonly',
        resource: mp,
        status: fs.readonly ? (system ? 'CRITICAL' : 'WARNING') : 'OK',
        reason: fs.readonly
          ? `${what} is mounted read-only${system ? '; the host needs it writable' : ''}`
          : `${what} is mounted read-write`,
      },
      { key: `filesystem_readonly_${mp}`, resource, details: { device: fs.device, fstype: fs.fstype } },
    );
    const { usedBytes: used, availBytes: avail } = fs;
    if (fs.deviceError || used === undefined || avail === undefined || used + avail <= 0) {
      addRow(evaluation, {
        check: 'disk_space',
        resource: mp,
        status: 'UNKNOWN',
        reason: `${what} could not be measured${fs.error ? `: ${fs.error}` : ''}`,
      });
      continue;
    }
    // As df computes Use%: blocks reserved for root count as neither used nor available.
    const value = Math.round((used / (used + avail)) * 1000) / 10;
    const status = levelOf(value, warning, critical);
    const limit = status === 'CRITICAL' ? `critical at ${critical}%` : `warning at ${warning}%`;
    addRow(
      evaluation,
      { check: 'disk_space', resource: mp, status, reason: `${what} is ${value}% full (${limit})`, value },
      { key: `disk_space_${mp}`, resource, details: { value, used, avail, warning, critical } },
    );
  }
}

function poolHealth(evaluation: CategoryEvaluation, pool: ZpoolPool): void {
  const state = pool.state.toUpperCase();
  const problems: string[] = [];
  let status: Status = 'OK';
  const raise = (s: Status) => {
    if (rank(s) > rank(status)) status = s;
  };
  if (state !== 'ONLINE') raise(POOL_CRITICAL_STATES.has(state) ? 'CRITICAL' : 'WARNING');
  for (const v of pool.vdevs) {
    if (v.type === 'root') continue;
    const errors = (v.readErrors ?? 0) + (v.writeErrors ?? 0) + (v.checksumErrors ?? 0);
    const badState = !VDEV_FINE_STATES.has(v.state.toUpperCase());
    if (!badState && errors === 0) continue;
    raise('WARNING');
    const counters =
      errors > 0
        ? ` read/write/cksum ${v.readErrors ?? 0}/${v.writeErrors ?? 0}/${v.checksumErrors ?? 0}`
        : '';
    problems.push(`${v.label} ${v.state}${counters}${v.note ? ` (${v.note})` : ''}`);
  }
  if ((pool.dataErrors ?? 0) > 0) {
    raise('CRITICAL');
    problems.push(`${pool.dataErrors} permanent data errors`);
  }
  const resilver = pool.scans.find((s) => s.function === 'resilver' && s.state === 'scanning');
  const progress =
    resilver?.progressRatio !== undefined
      ? `; resilver ${Math.round(resilver.progressRatio * 100)}% done`
      : '';
  const shown =
    problems.slice(0, 5).join(', ') + (problems.length > 5 ? `, and ${problems.length - 5} more` : '');
  addRow(
    evaluation,
    {
      check: 'zfs_pool',
      resource: pool.name,
      status,
      reason: `ZFS pool ${pool.name} is ${state}${shown ? `: ${shown}` : ''}${progress}`,
    },
    {
      key: `zfs_pool_${pool.name}`,
      resource: { kind: 'pool', id: pool.name },
      details: { state, problems, dataErrors: pool.dataErrors, status: pool.status, action: pool.action },
    },
  );
}

function smartVerdict(inputs: HealthInputs, evaluation: CategoryEvaluation, disk: DiskState): void {
  const t = inputs.thresholds.disks;
  const found: Array<{ status: Status; message: string }> = disk.health.reasons
    .filter((r) => !THRESHOLD_CODES.has(r.code))
    .map((r) => ({ status: SEVERITY[r.severity] ?? 'OK', message: r.message }));
  const v = disk.values;
  for (const [n, what] of [
    [v.reallocatedSectors, 'reallocated sectors'],
    [v.pendingSectors, 'pending (unreadable) sectors'],
    [v.offlineUncorrectableSectors, 'offline uncorrectable sectors'],
  ] as const) {
    if (n === undefined) continue;
    const status = levelOf(n, t.reallocated_sectors_warning, t.reallocated_sectors_critical);
    const limit = status === 'CRITICAL' ? t.reallocated_sectors_critical : t.reallocated_sectors_warning;
    if (status !== 'OK')
      found.push({ status, message: `${n} ${what} (${status.toLowerCase()} at ${limit})` });
  }
  if (v.wearRatio !== undefined) {
    const wear = Math.round(v.wearRatio * 100);
    const status = levelOf(wear, t.wear_warning, t.wear_critical);
    const limit = status === 'CRITICAL' ? t.wear_critical : t.wear_warning;
    if (status !== 'OK')
      found.push({
        status,
        message: `${wear}% of rated endurance used (${status.toLowerCase()} at ${limit}%)`,
      });
  }
  found.sort((a, b) => rank(b.status) - rank(a.status));
  const status = found[0]?.status ?? 'OK';
  const name = diskName(disk);
  const stale = disk.error ? `; this read failed (${disk.error}), judged on the last values` : '';
  const asleep = disk.standby ? ' (asleep, not woken; last values)' : '';
  const verdict = found.length ? found.map((f) => f.message).join('; ') : 'no SMART problem reported';
  addRow(
    evaluation,
    { check: 'smart', resource: disk.diskId, status, reason: `${name}${asleep}: ${verdict}${stale}` },
    rank(status) >= rank('WARNING')
      ? {
          key: `smart_${disk.diskId}`,
          resource: { kind: 'disk', id: disk.diskId },
          details: { device: disk.identity.device, model: disk.identity.model, findings: found },
        }
      : undefined,
  );
}

function diskTemperature(t: Thresholds['disks'], evaluation: CategoryEvaluation, disk: DiskState): void {
  const celsius = disk.values.temperatureCelsius;
  const name = diskName(disk);
  if (celsius === undefined) {
    addRow(evaluation, {
      check: 'disk_temperature',
      resource: disk.diskId,
      status: 'OK',
      reason: disk.standby
        ? `${name} is asleep; not woken to read its temperature`
        : `${name} reports no temperature`,
    });
    return;
  }
  const type = temperatureClass(disk.identity);
  const limits =
    type === 'nvme'
      ? { warning: t.nvme_temperature_warning, critical: t.nvme_temperature_critical }
      : type === 'ssd'
        ? { warning: t.ssd_temperature_warning, critical: t.ssd_temperature_critical }
        : { warning: t.hdd_temperature_warning, critical: t.hdd_temperature_critical };
  const vendor = disk.values.temperatureLimitCelsius;
  // The drive's own trip point counts as critical when it is the lower one.
  const critical = vendor !== undefined ? Math.min(limits.critical, vendor) : limits.critical;
  const warning = Math.min(limits.warning, critical);
  const status = levelOf(celsius, warning, critical);
  const limit = status === 'CRITICAL' ? `critical at ${critical} °C` : `warning at ${warning} °C`;
  addRow(
    evaluation,
    {
      check: 'disk_temperature',
      resource: disk.diskId,
      status,
      reason: `${name} (${type === 'sas' ? 'SAS HDD' : type.toUpperCase()}) is at ${celsius} °C (${limit})`,
      value: celsius,
    },
    {
      key: `disk_temperature_${disk.diskId}`,
      resource: { kind: 'disk', id: disk.diskId },
      details: { value: celsius, type, warning, critical, vendorLimit: vendor },
    },
  );
}

function unreadable(evaluation: CategoryEvaluation, device: UnreadableDevice): void {
  evaluation.rows.push({
    check: 'smart',
    resource: device.device,
    status: device.standby ? 'OK' : 'INFO',
    reason: device.standby
      ? `${device.device} is asleep and has not been read yet; not woken`
      : `${device.device}: SMART not readable (${device.reason})`,
  });
}

const diskName = (d: DiskState) =>
  `${d.identity.device}${d.identity.model ? ` ${d.identity.model}` : ''} [${d.diskId}]`;
