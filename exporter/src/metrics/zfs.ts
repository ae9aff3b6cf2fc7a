import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import {
  POOL_STATES,
  VDEV_STATES,
  ZPOOL_SOURCE,
  type ZpoolPool,
  type ZpoolScan,
  type ZpoolSnapshot,
} from '../sources/zpool/index.js';
import { snapshotGauge, type Fill } from './define.js';

// proxmon_zfs_arc_* come from arcstats and are registered by host.ts.
export const metricNames = [
  'proxmon_zfs_pool_state',
  'proxmon_zfs_pool_size_bytes',
  'proxmon_zfs_pool_allocated_bytes',
  'proxmon_zfs_pool_free_bytes',
  'proxmon_zfs_pool_fragmentation_ratio',
  'proxmon_zfs_pool_dedup_ratio',
  'proxmon_zfs_pool_scan_in_progress',
  'proxmon_zfs_pool_scan_paused',
  'proxmon_zfs_pool_scan_progress_ratio',
  'proxmon_zfs_pool_scan_errors',
  'proxmon_zfs_pool_scan_repaired_bytes',
  'proxmon_zfs_pool_last_scrub_timestamp_seconds',
  'proxmon_zfs_pool_errors',
  'proxmon_zfs_vdev_state',
  'proxmon_zfs_vdev_errors',
  'proxmon_zfs_vdev_info',
] as const;

type MetricName = (typeof metricNames)[number];

/** The healing scrub or resilver (not a sequential rebuild of one vdev, not an error scrub). */
const mainScan = (p: ZpoolPool): ZpoolScan | undefined =>
  p.scans.find((s) => s.vdev === undefined && s.function !== 'errorscrub');

const running = (p: ZpoolPool) =>
  p.scans.filter((s) => s.state === 'scanning' && s.function !== 'errorscrub');

/** Whether scan state can be stated: a scan entry in an unknown form, with nothing running, cannot. */
const scanKnown = (p: ZpoolPool) => running(p).length > 0 || !p.scans.some((s) => s.state === 'unknown');

/**
 * ZFS pools and vdevs from the zpool source. States are state sets with every state emitted; a vdev's
 * label is unique within its pool (a spare in use is also `spare-N/<name>`, see finishVdevs).
 */
export function registerZfsMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const pools = () => snapshots.latest<ZpoolSnapshot>(ZPOOL_SOURCE)?.pools ?? [];
  const perPool =
    (value: (p: ZpoolPool) => number | undefined): Fill<'pool'> =>
    (emit) => {
      for (const p of pools()) emit({ pool: p.name }, value(p));
    };
  const poolGauge = (name: MetricName, help: string, value: (p: ZpoolPool) => number | undefined) =>
    snapshotGauge(registry, { name, help, labelNames: ['pool'] }, perPool(value));

  snapshotGauge(
    registry,
    {
      name: 'proxmon_zfs_pool_state',
      help: 'Pool health as a state set: 1 for the state zpool reports, 0 for the others',
      labelNames: ['pool', 'state'],
    },
    (emit) => {
      for (const p of pools()) {
        const state = p.state.toLowerCase();
        for (const s of POOL_STATES) emit({ pool: p.name, state: s }, s === state ? 1 : 0);
      }
    },
  );
  poolGauge('proxmon_zfs_pool_size_bytes', 'Pool size (zpool list size)', (p) => p.sizeBytes);
  poolGauge('proxmon_zfs_pool_allocated_bytes', 'Space allocated in the pool', (p) => p.allocatedBytes);
  poolGauge('proxmon_zfs_pool_free_bytes', 'Space free in the pool', (p) => p.freeBytes);
  poolGauge(
    'proxmon_zfs_pool_fragmentation_ratio',
    'Free-space fragmentation (0-1); absent where zpool prints "-"',
    (p) => p.fragmentationRatio,
  );
  poolGauge('proxmon_zfs_pool_dedup_ratio', 'Deduplication ratio (1 = none)', (p) => p.dedupRatio);

  snapshotGauge(
    registry,
    {
      name: 'proxmon_zfs_pool_scan_in_progress',
      help: '1 while a scrub or resilver (a paused scrub included) is running on the pool',
      labelNames: ['pool', 'function'],
    },
    (emit) => {
      for (const p of pools()) {
        if (!scanKnown(p)) continue;
        const active = running(p);
        for (const fn of ['scrub', 'resilver'] as const)
          emit({ pool: p.name, function: fn }, active.some((s) => s.function === fn) ? 1 : 0);
      }
    },
  );
  poolGauge('proxmon_zfs_pool_scan_paused', '1 while a scrub is paused (zpool scrub -p)', (p) =>
    scanKnown(p) ? (running(p).some((s) => s.paused) ? 1 : 0) : undefined,
  );
  poolGauge(
    'proxmon_zfs_pool_scan_progress_ratio',
    'Progress of the running scrub or resilver (0-1); absent when none runs',
    (p) => running(p)[0]?.progressRatio,
  );
  poolGauge(
    'proxmon_zfs_pool_scan_errors',
    'Errors found by the last or running scrub/resilver (text output reports them once it ends)',
    (p) => mainScan(p)?.errors,
  );
  poolGauge(
    'proxmon_zfs_pool_scan_repaired_bytes',
    'Bytes repaired (scrub) or resilvered (resilver) by the last or running scan; 3 significant digits from text output',
    (p) => mainScan(p)?.processedBytes,
  );
  poolGauge(
    'proxmon_zfs_pool_last_scrub_timestamp_seconds',
    'When the last completed scrub ended (zpool prints local time; read in the exporter time zone)',
    (p) => p.lastScrubEndTime,
  );
  poolGauge(
    'proxmon_zfs_pool_errors',
    'Data errors zpool status reports (files or objects with permanent errors)',
    (p) => p.dataErrors,
  );

  snapshotGauge(
    registry,
    {
      name: 'proxmon_zfs_vdev_state',
      help: 'Vdev state as a state set (avail/inuse are hot spares); the root vdev carries the pool name',
      labelNames: ['pool', 'vdev', 'state'],
    },
    (emit) => {
      for (const p of pools())
        for (const v of p.vdevs) {
          const state = v.state.toLowerCase();
          for (const s of VDEV_STATES) emit({ pool: p.name, vdev: v.label, state: s }, s === state ? 1 : 0);
        }
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_zfs_vdev_errors',
      help: 'READ, WRITE and CKSUM error counters of a vdev since import or zpool clear',
      labelNames: ['pool', 'vdev', 'type'],
    },
    (emit) => {
      for (const p of pools())
        for (const v of p.vdevs) {
          emit({ pool: p.name, vdev: v.label, type: 'read' }, v.readErrors);
          emit({ pool: p.name, vdev: v.label, type: 'write' }, v.writeErrors);
          emit({ pool: p.name, vdev: v.label, type: 'checksum' }, v.checksumErrors);
        }
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_zfs_vdev_info',
      help: 'Joins a leaf vdev to its disk (disk_id = WWN, else serial) where the device name tells',
      labelNames: ['pool', 'vdev', 'disk_id'],
    },
    (emit) => {
      for (const p of pools())
        for (const v of p.vdevs)
          if (v.diskId !== undefined) emit({ pool: p.name, vdev: v.label, disk_id: v.diskId }, 1);
    },
  );
}
