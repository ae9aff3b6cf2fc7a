import type { DashboardSpec } from './dashboard.js';
import { bargauge, N, SEVERITY, stat, states, table, timeseries } from './panels.js';

/** Adds device and model from proxmon_disk_info to a per-disk series (disks are keyed by disk_id). */
const withDisk = (expr: string) =>
  `${expr} * on (instance, disk_id) group_left (device, model) proxmon_disk_info{${N}}`;

const POOL_STATES = states({ 1: ['running', 'info'], 0: ['-', 'off'] });

export const storage: DashboardSpec = {
  uid: 'proxmon-storage',
  title: 'proxmon / Storage',
  description:
    'Disks by SMART (keyed by disk_id: WWN, else serial), ZFS pools with scrub and resilver state and vdev errors, Proxmox VE storages and filesystems.',
  rows: [
    {
      title: 'Disks (SMART)',
      panels: [
        table({
          title: 'Disks',
          unit: 'none',
          w: 24,
          h: 9,
          labels: ['node', 'device', 'model', 'serial', 'type', 'disk_id'],
          columns: [
            { expr: `proxmon_disk_info{${N}}`, name: '_info' },
            {
              expr: `proxmon_disk_smart_passed{${N}}`,
              name: 'SMART',
              mappings: states({ 1: ['PASSED', 'ok'], 0: ['FAILED', 'critical'] }),
            },
            { expr: `proxmon_disk_health_severity{${N}}`, name: 'Verdict', mappings: SEVERITY },
            { expr: `proxmon_disk_temperature_celsius{${N}}`, name: 'Temperature', unit: 'celsius' },
            { expr: `proxmon_disk_power_on_seconds{${N}}`, name: 'Powered on', unit: 's' },
            { expr: `proxmon_disk_wear_ratio{${N}}`, name: 'Wear', unit: 'percentunit' },
            { expr: `proxmon_disk_reallocated_sectors{${N}}`, name: 'Reallocated', unit: 'short' },
            { expr: `proxmon_disk_pending_sectors{${N}}`, name: 'Pending', unit: 'short' },
            {
              expr: `proxmon_disk_standby{${N}}`,
              name: 'Asleep',
              mappings: states({ 1: ['yes', 'info'], 0: ['no', 'off'] }),
            },
          ],
        }),
        timeseries({
          title: 'Disk temperatures',
          unit: 'celsius',
          w: 12,
          h: 8,
          queries: [
            {
              expr: withDisk(`proxmon_disk_temperature_celsius{${N}}`),
              legend: '{{node}} {{device}} {{model}}',
            },
          ],
        }),
        timeseries({
          title: 'Reallocated and pending sectors',
          description: 'Growing counts predict disk failure.',
          unit: 'short',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            {
              expr: withDisk(`proxmon_disk_reallocated_sectors{${N}}`),
              legend: '{{node}} {{device}} reallocated',
            },
            { expr: withDisk(`proxmon_disk_pending_sectors{${N}}`), legend: '{{node}} {{device}} pending' },
          ],
        }),
        bargauge({
          title: 'SSD and NVMe wear',
          description: 'Share of the rated write endurance used (NVMe percentage used, SSD life attributes).',
          unit: 'percentunit',
          w: 12,
          h: 6,
          min: 0,
          max: 1,
          steps: [
            [0.8, 'orange'],
            [0.95, 'red'],
          ],
          queries: [
            { expr: withDisk(`proxmon_disk_wear_ratio{${N}}`), legend: '{{node}} {{device}} {{model}}' },
          ],
        }),
        stat({
          title: 'NVMe critical warnings',
          description:
            'Bit field: 1 spare low, 2 temperature, 4 reliability degraded, 8 read-only, 16 backup failed.',
          unit: 'none',
          w: 12,
          h: 6,
          steps: [[1, 'red']],
          queries: [{ expr: withDisk(`proxmon_disk_critical_warning{${N}}`), legend: '{{node}} {{device}}' }],
        }),
      ],
    },
    {
      title: 'ZFS',
      panels: [
        table({
          title: 'Pools',
          unit: 'none',
          w: 24,
          h: 7,
          labels: ['node', 'pool', 'state'],
          columns: [
            { expr: `proxmon_zfs_pool_state{${N}} == 1`, name: '_state' },
            { expr: `proxmon_zfs_pool_size_bytes{${N}}`, name: 'Size', unit: 'bytes' },
            {
              expr: `proxmon_zfs_pool_allocated_bytes{${N}} / proxmon_zfs_pool_size_bytes{${N}}`,
              name: 'Used',
              unit: 'percentunit',
            },
            {
              expr: `proxmon_zfs_pool_fragmentation_ratio{${N}}`,
              name: 'Fragmentation',
              unit: 'percentunit',
            },
            { expr: `proxmon_zfs_pool_errors{${N}}`, name: 'Data errors', unit: 'short' },
            {
              expr: `time() - proxmon_zfs_pool_last_scrub_timestamp_seconds{${N}}`,
              name: 'Last scrub',
              unit: 's',
            },
          ],
        }),
        table({
          title: 'Scrub and resilver',
          unit: 'none',
          w: 12,
          h: 7,
          labels: ['node', 'pool', 'function'],
          columns: [
            { expr: `proxmon_zfs_pool_scan_in_progress{${N}}`, name: 'State', mappings: POOL_STATES },
          ],
        }),
        timeseries({
          title: 'Scan progress',
          description: 'Progress of a running scrub or resilver.',
          unit: 'percentunit',
          w: 12,
          h: 7,
          min: 0,
          max: 1,
          queries: [{ expr: `proxmon_zfs_pool_scan_progress_ratio{${N}}`, legend: '{{node}} {{pool}}' }],
        }),
        table({
          title: 'Vdevs',
          description: 'READ, WRITE and CKSUM errors since import or the last zpool clear.',
          unit: 'short',
          w: 24,
          h: 8,
          labels: ['node', 'pool', 'vdev', 'state', 'disk_id'],
          columns: [
            { expr: `proxmon_zfs_vdev_state{${N}} == 1`, name: '_state' },
            {
              expr: `sum without (type) (proxmon_zfs_vdev_errors{${N}, type="read"})`,
              name: 'Read errors',
              unit: 'short',
            },
            {
              expr: `sum without (type) (proxmon_zfs_vdev_errors{${N}, type="write"})`,
              name: 'Write errors',
              unit: 'short',
            },
            {
              expr: `sum without (type) (proxmon_zfs_vdev_errors{${N}, type="checksum"})`,
              name: 'Checksum errors',
              unit: 'short',
            },
            { expr: `proxmon_zfs_vdev_info{${N}}`, name: '_disk' },
          ],
        }),
        timeseries({
          title: 'Pool usage',
          unit: 'percentunit',
          w: 12,
          h: 8,
          min: 0,
          max: 1,
          queries: [
            {
              expr: `proxmon_zfs_pool_allocated_bytes{${N}} / proxmon_zfs_pool_size_bytes{${N}}`,
              legend: '{{node}} {{pool}}',
            },
          ],
        }),
        timeseries({
          title: 'ZFS ARC',
          unit: 'bytes',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            { expr: `proxmon_zfs_arc_size_bytes{${N}}`, legend: '{{node}} size' },
            { expr: `proxmon_zfs_arc_target_bytes{${N}}`, legend: '{{node}} target' },
          ],
        }),
      ],
    },
    {
      title: 'Proxmox VE storages',
      panels: [
        table({
          title: 'Storages',
          unit: 'none',
          w: 24,
          h: 7,
          labels: ['node', 'storage', 'type', 'content', 'shared'],
          columns: [
            { expr: `proxmon_storage_info{${N}}`, name: '_info' },
            {
              expr: `proxmon_storage_up{${N}}`,
              name: 'Status',
              mappings: states({ 1: ['active', 'ok'], 0: ['unavailable', 'critical'] }),
            },
            {
              expr: `proxmon_storage_used_bytes{${N}} / proxmon_storage_size_bytes{${N}}`,
              name: 'Used',
              unit: 'percentunit',
            },
            { expr: `proxmon_storage_size_bytes{${N}}`, name: 'Size', unit: 'bytes' },
            { expr: `proxmon_storage_available_bytes{${N}}`, name: 'Available', unit: 'bytes' },
          ],
        }),
        timeseries({
          title: 'Storage used',
          unit: 'percentunit',
          w: 24,
          h: 8,
          min: 0,
          max: 1,
          queries: [
            {
              expr: `proxmon_storage_used_bytes{${N}} / proxmon_storage_size_bytes{${N}}`,
              legend: '{{node}} {{storage}}',
            },
          ],
        }),
      ],
    },
    {
      title: 'Filesystems',
      panels: [
        table({
          title: 'Filesystems',
          unit: 'none',
          w: 24,
          h: 8,
          labels: ['node', 'mountpoint', 'device', 'fstype'],
          columns: [
            { expr: `proxmon_filesystem_size_bytes{${N}}`, name: 'Size', unit: 'bytes' },
            { expr: `proxmon_filesystem_avail_bytes{${N}}`, name: 'Available', unit: 'bytes' },
            {
              expr: `1 - proxmon_filesystem_avail_bytes{${N}} / proxmon_filesystem_size_bytes{${N}}`,
              name: 'Used',
              unit: 'percentunit',
            },
            {
              expr: `proxmon_filesystem_readonly{${N}}`,
              name: 'Mode',
              mappings: states({ 1: ['read-only', 'warning'], 0: ['read-write', 'off'] }),
            },
          ],
        }),
        timeseries({
          title: 'Filesystem used',
          unit: 'percentunit',
          w: 24,
          h: 8,
          min: 0,
          max: 1,
          queries: [
            {
              expr: `1 - proxmon_filesystem_avail_bytes{${N}} / proxmon_filesystem_size_bytes{${N}}`,
              legend: '{{node}} {{mountpoint}}',
            },
          ],
        }),
      ],
    },
  ],
};
