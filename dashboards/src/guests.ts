import type { DashboardSpec } from './dashboard.js';
import { bargauge, N, stat, states, table, timeseries } from './panels.js';

const RATE = '$__rate_interval';

/**
 * Adds name, type and tags from proxmon_guest_info to a per-guest series. Guest series are keyed by
 * vmid; matching on instance too keeps guests of different exporters apart.
 */
const named = (expr: string) =>
  `${expr} * on (instance, vmid) group_left (name, type, tags) proxmon_guest_info`;

export const guests: DashboardSpec = {
  uid: 'proxmon-guests',
  title: 'proxmon / Guests',
  description: 'Virtual machines and containers: state, resources, backups, tasks, HA and replication.',
  rows: [
    {
      title: 'Guests',
      panels: [
        table({
          title: 'Guests',
          description: 'Names, types and tags joined from proxmon_guest_info.',
          unit: 'none',
          w: 24,
          h: 10,
          labels: ['node', 'vmid', 'name', 'type', 'tags'],
          columns: [
            {
              expr: named(`proxmon_guest_up{${N}}`),
              name: 'Status',
              mappings: states({ 1: ['running', 'ok'], 0: ['stopped', 'off'] }),
            },
            {
              expr: named(`proxmon_guest_onboot{${N}}`),
              name: 'Start at boot',
              mappings: states({ 1: ['yes', 'info'], 0: ['no', 'off'] }),
            },
            { expr: named(`proxmon_guest_cpus{${N}}`), name: 'CPUs', unit: 'short' },
            { expr: named(`proxmon_guest_cpu_usage_ratio{${N}}`), name: 'CPU', unit: 'percentunit' },
            { expr: named(`proxmon_guest_memory_max_bytes{${N}}`), name: 'Memory', unit: 'bytes' },
            {
              expr: named(`(proxmon_guest_memory_used_bytes{${N}} / proxmon_guest_memory_max_bytes{${N}})`),
              name: 'Memory used',
              unit: 'percentunit',
            },
            { expr: named(`proxmon_guest_uptime_seconds{${N}}`), name: 'Uptime', unit: 's' },
            {
              expr: named(`(time() - proxmon_guest_last_backup_timestamp_seconds{${N}})`),
              name: 'Last backup',
              unit: 's',
            },
          ],
        }),
        timeseries({
          title: 'CPU by guest',
          description: 'Share of the CPUs allocated to each guest.',
          unit: 'percentunit',
          w: 12,
          h: 8,
          min: 0,
          queries: [{ expr: named(`proxmon_guest_cpu_usage_ratio{${N}}`), legend: '{{vmid}} {{name}}' }],
        }),
        timeseries({
          title: 'Memory by guest',
          unit: 'bytes',
          w: 12,
          h: 8,
          min: 0,
          queries: [{ expr: named(`proxmon_guest_memory_used_bytes{${N}}`), legend: '{{vmid}} {{name}}' }],
        }),
        timeseries({
          title: 'Network by guest',
          unit: 'Bps',
          w: 12,
          h: 8,
          queries: [
            {
              expr: named(`rate(proxmon_guest_network_receive_bytes_total{${N}}[${RATE}])`),
              legend: '{{vmid}} {{name}} in',
            },
            {
              expr: named(`rate(proxmon_guest_network_transmit_bytes_total{${N}}[${RATE}])`),
              legend: '{{vmid}} {{name}} out',
            },
          ],
        }),
        timeseries({
          title: 'Disk I/O by guest',
          unit: 'Bps',
          w: 12,
          h: 8,
          queries: [
            {
              expr: named(`rate(proxmon_guest_disk_read_bytes_total{${N}}[${RATE}])`),
              legend: '{{vmid}} {{name}} read',
            },
            {
              expr: named(`rate(proxmon_guest_disk_written_bytes_total{${N}}[${RATE}])`),
              legend: '{{vmid}} {{name}} written',
            },
          ],
        }),
        bargauge({
          title: 'Guest disk used',
          description:
            'Containers as Proxmox VE reports them; VMs where the guest agent reports filesystems.',
          unit: 'percentunit',
          w: 24,
          h: 6,
          min: 0,
          max: 1,
          steps: [
            [0.8, 'orange'],
            [0.9, 'red'],
          ],
          queries: [
            {
              expr: named(`(proxmon_guest_disk_used_bytes{${N}} / proxmon_guest_disk_size_bytes{${N}})`),
              legend: '{{vmid}} {{name}}',
            },
          ],
        }),
      ],
    },
    {
      title: 'Backups',
      panels: [
        table({
          title: 'Guests without backup',
          description: 'No backup found on any storage the node can read (templates left out).',
          unit: 'none',
          w: 12,
          h: 8,
          labels: ['node', 'vmid', 'name', 'type', 'tags'],
          columns: [
            {
              expr: `proxmon_guest_info{${N}, template!="1"} unless on (instance, vmid) proxmon_guest_last_backup_timestamp_seconds`,
              name: '_guest',
            },
          ],
        }),
        bargauge({
          title: 'Backup age',
          unit: 's',
          w: 12,
          h: 8,
          min: 0,
          steps: [
            [86400 * 2, 'orange'],
            [86400 * 8, 'red'],
          ],
          queries: [
            {
              expr: named(`(time() - proxmon_guest_last_backup_timestamp_seconds{${N}})`),
              legend: '{{vmid}} {{name}}',
            },
          ],
        }),
      ],
    },
    {
      title: 'Tasks, HA and replication',
      panels: [
        bargauge({
          title: 'Failed tasks since the exporter started',
          unit: 'short',
          w: 8,
          h: 8,
          min: 0,
          steps: [[1, 'orange']],
          queries: [
            {
              expr: `sum by (node, type) (proxmon_pve_tasks_failed_total{${N}})`,
              legend: '{{node}} {{type}}',
            },
          ],
        }),
        table({
          title: 'Replication',
          unit: 'none',
          w: 8,
          h: 8,
          labels: ['node', 'replication_job', 'vmid'],
          columns: [
            {
              expr: `proxmon_replication_failed{${N}}`,
              name: 'Last run',
              mappings: states({ 0: ['OK', 'ok'], 1: ['FAILED', 'critical'] }),
            },
            {
              expr: `time() - proxmon_replication_last_sync_timestamp_seconds{${N}}`,
              name: 'Last sync',
              unit: 's',
            },
          ],
        }),
        table({
          title: 'HA services',
          unit: 'none',
          w: 8,
          h: 8,
          labels: ['node', 'sid', 'state'],
          columns: [{ expr: `proxmon_ha_state{${N}} == 1`, name: '_state' }],
        }),
        stat({
          title: 'Cluster quorum',
          unit: 'none',
          w: 12,
          h: 5,
          background: true,
          mappings: states({ 1: ['quorate', 'ok'], 0: ['NO QUORUM', 'critical'] }),
          queries: [{ expr: `proxmon_pve_cluster_quorate{${N}}`, legend: '{{node}} {{cluster}}' }],
        }),
        stat({
          title: 'Cluster nodes online',
          unit: 'none',
          w: 12,
          h: 5,
          queries: [{ expr: `proxmon_pve_cluster_nodes_online{${N}}`, legend: '{{node}} {{cluster}}' }],
        }),
      ],
    },
  ],
};
