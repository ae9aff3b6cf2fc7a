import type { DashboardSpec } from './dashboard.js';
import { bargauge, N, SEVERITY, stat, states, table, timeseries } from './panels.js';

/** One row per node; `or ... * 0` turns "no firing alert" into a 0 instead of an empty cell. */
export const overview: DashboardSpec = {
  uid: 'proxmon-overview',
  title: 'proxmon / Overview',
  description: 'Every Proxmox VE node at a glance: health, resources, guests, storage and firing alerts.',
  rows: [
    {
      title: 'Nodes',
      panels: [
        table({
          title: 'Nodes',
          description: 'Health is the worst proxmon health category of the node.',
          unit: 'short',
          w: 24,
          h: 7,
          labels: ['node'],
          columns: [
            {
              expr: `max by (node) (up{job="proxmon", ${N}})`,
              name: 'Exporter',
              unit: 'none',
              mappings: states({ 1: ['Up', 'ok'], 0: ['Down', 'critical'] }),
            },
            {
              expr: `max by (node) (proxmon_health_category_severity{${N}})`,
              name: 'Health',
              unit: 'none',
              mappings: SEVERITY,
            },
            {
              expr: `count by (node) (ALERTS{alertstate="firing", ${N}}) or max by (node) (up{job="proxmon", ${N}}) * 0`,
              name: 'Firing alerts',
              unit: 'none',
            },
            { expr: `max by (node) (proxmon_cpu_usage_ratio{${N}})`, name: 'CPU', unit: 'percentunit' },
            {
              expr: `max by (node) (proxmon_memory_used_bytes{${N}} / proxmon_memory_total_bytes{${N}})`,
              name: 'Memory',
              unit: 'percentunit',
            },
            { expr: `max by (node) (proxmon_load1{${N}})`, name: 'Load 1m', unit: 'short' },
            {
              expr: `count by (node) (proxmon_guest_up{${N}} == 1)`,
              name: 'Guests running',
              unit: 'none',
            },
            {
              expr: `max by (node) (time() - proxmon_boot_time_seconds{${N}})`,
              name: 'Uptime',
              unit: 's',
            },
          ],
        }),
      ],
    },
    {
      title: 'Resources',
      panels: [
        timeseries({
          title: 'CPU usage',
          unit: 'percentunit',
          w: 8,
          h: 8,
          min: 0,
          max: 1,
          queries: [{ expr: `proxmon_cpu_usage_ratio{${N}}`, legend: '{{node}}' }],
        }),
        timeseries({
          title: 'Memory used',
          description: 'Used memory includes the ZFS ARC, which the kernel gives back under pressure.',
          unit: 'percentunit',
          w: 8,
          h: 8,
          min: 0,
          max: 1,
          queries: [
            {
              expr: `proxmon_memory_used_bytes{${N}} / proxmon_memory_total_bytes{${N}}`,
              legend: '{{node}}',
            },
          ],
        }),
        timeseries({
          title: 'Load per CPU',
          description: '1-minute load average divided by the number of CPUs; above 1 means waiting work.',
          unit: 'short',
          w: 8,
          h: 8,
          min: 0,
          queries: [{ expr: `proxmon_load1{${N}} / proxmon_cpu_count{${N}}`, legend: '{{node}}' }],
        }),
      ],
    },
    {
      title: 'Guests and storage',
      panels: [
        stat({
          title: 'Guests running',
          unit: 'none',
          w: 4,
          h: 6,
          noValue: '0',
          queries: [{ expr: `count(proxmon_guest_up{${N}} == 1)` }],
        }),
        stat({
          title: 'Guests stopped',
          description: 'Templates not counted.',
          unit: 'none',
          w: 4,
          h: 6,
          noValue: '0',
          queries: [
            {
              expr: `count(proxmon_guest_up{${N}} == 0 unless on (instance, vmid) proxmon_guest_info{template="1"})`,
            },
          ],
        }),
        stat({
          title: 'ZFS pools',
          unit: 'none',
          w: 6,
          h: 6,
          background: true,
          mappings: states({ 1: ['ONLINE', 'ok'], 0: ['NOT ONLINE', 'critical'] }),
          queries: [{ expr: `proxmon_zfs_pool_state{${N}, state="online"}`, legend: '{{node}} {{pool}}' }],
        }),
        bargauge({
          title: 'Storage used',
          unit: 'percentunit',
          w: 10,
          h: 6,
          min: 0,
          max: 1,
          steps: [
            [0.8, 'orange'],
            [0.9, 'red'],
          ],
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
      title: 'Alerts',
      panels: [
        table({
          title: 'Firing alerts',
          unit: 'none',
          w: 24,
          h: 8,
          labels: { except: ['__name__', 'alertstate', 'job', 'instance'] },
          columns: [{ expr: `ALERTS{alertstate="firing", ${N}}`, name: '_firing' }],
        }),
      ],
    },
  ],
};
