import type { DashboardSpec } from './dashboard.js';
import { N, SEVERITY, stat, states, table, timeseries } from './panels.js';

const RATE = '$__rate_interval';

export const host: DashboardSpec = {
  uid: 'proxmon-host',
  title: 'proxmon / Host',
  description:
    'A Proxmox VE host: CPU, memory, pressure, disks, network, sensors, BMC, services and updates.',
  rows: [
    {
      title: 'System',
      panels: [
        table({
          title: 'Host',
          unit: 'none',
          w: 16,
          h: 5,
          labels: ['node', 'hostname', 'os', 'kernel', 'pve_version'],
          columns: [
            { expr: `proxmon_host_info{${N}}`, name: '_host' },
            { expr: `time() - proxmon_boot_time_seconds{${N}}`, name: 'Uptime', unit: 's' },
          ],
        }),
        stat({
          title: 'Pending updates',
          description:
            'Packages apt-get dist-upgrade would install or upgrade, and those from a security archive.',
          unit: 'none',
          w: 8,
          h: 5,
          steps: [[1, 'orange']],
          queries: [{ expr: `proxmon_apt_upgrades_pending{${N}}`, legend: '{{node}} {{kind}}' }],
        }),
      ],
    },
    {
      title: 'CPU and memory',
      panels: [
        timeseries({
          title: 'CPU by mode',
          description: 'Share of all CPUs per mode (idle left out).',
          unit: 'percentunit',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            {
              expr:
                `sum by (node, mode) (rate(proxmon_cpu_seconds_total{${N}, mode!="idle"}[${RATE}]))` +
                ` / on (node) group_left () proxmon_cpu_count{${N}}`,
              legend: '{{node}} {{mode}}',
            },
          ],
        }),
        timeseries({
          title: 'Load average',
          unit: 'short',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            { expr: `proxmon_load1{${N}}`, legend: '{{node}} 1m' },
            { expr: `proxmon_load5{${N}}`, legend: '{{node}} 5m' },
            { expr: `proxmon_load15{${N}}`, legend: '{{node}} 15m' },
          ],
        }),
        timeseries({
          title: 'Memory',
          description: 'Used memory includes the ZFS ARC; available memory does not count the ARC as free.',
          unit: 'bytes',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            { expr: `proxmon_memory_total_bytes{${N}}`, legend: '{{node}} total' },
            { expr: `proxmon_memory_used_bytes{${N}}`, legend: '{{node}} used' },
            { expr: `proxmon_memory_zfs_arc_bytes{${N}}`, legend: '{{node}} ZFS ARC' },
            { expr: `proxmon_memory_available_bytes{${N}}`, legend: '{{node}} available' },
          ],
        }),
        timeseries({
          title: 'Swap used',
          unit: 'bytes',
          w: 6,
          h: 8,
          min: 0,
          queries: [{ expr: `proxmon_swap_used_bytes{${N}}`, legend: '{{node}}' }],
        }),
        timeseries({
          title: 'Pressure stall (some)',
          description: 'Share of time some tasks waited for the resource (PSI "some").',
          unit: 'percentunit',
          w: 6,
          h: 8,
          min: 0,
          queries: [
            {
              expr: `rate(proxmon_pressure_waiting_seconds_total{${N}}[${RATE}])`,
              legend: '{{node}} {{resource}}',
            },
          ],
        }),
      ],
    },
    {
      title: 'Disks and network',
      panels: [
        timeseries({
          title: 'Disk throughput',
          unit: 'Bps',
          w: 12,
          h: 8,
          queries: [
            {
              expr: `rate(proxmon_disk_read_bytes_total{${N}}[${RATE}])`,
              legend: '{{node}} {{device}} read',
            },
            {
              expr: `rate(proxmon_disk_written_bytes_total{${N}}[${RATE}])`,
              legend: '{{node}} {{device}} written',
            },
          ],
        }),
        timeseries({
          title: 'Disk busy',
          description: 'Share of time with at least one I/O in flight.',
          unit: 'percentunit',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            {
              expr: `rate(proxmon_disk_io_time_seconds_total{${N}}[${RATE}])`,
              legend: '{{node}} {{device}}',
            },
          ],
        }),
        timeseries({
          title: 'Network traffic',
          unit: 'bps',
          w: 12,
          h: 8,
          queries: [
            {
              expr: `rate(proxmon_network_receive_bytes_total{${N}, interface!="lo"}[${RATE}]) * 8`,
              legend: '{{node}} {{interface}} in',
            },
            {
              expr: `rate(proxmon_network_transmit_bytes_total{${N}, interface!="lo"}[${RATE}]) * 8`,
              legend: '{{node}} {{interface}} out',
            },
          ],
        }),
        timeseries({
          title: 'Network errors',
          unit: 'pps',
          w: 6,
          h: 8,
          min: 0,
          queries: [
            {
              expr: `rate(proxmon_network_receive_errors_total{${N}}[${RATE}])`,
              legend: '{{node}} {{interface}} in',
            },
            {
              expr: `rate(proxmon_network_transmit_errors_total{${N}}[${RATE}])`,
              legend: '{{node}} {{interface}} out',
            },
          ],
        }),
        table({
          title: 'Interfaces',
          unit: 'none',
          w: 6,
          h: 8,
          labels: ['node', 'interface', 'type'],
          columns: [
            { expr: `proxmon_network_info{${N}}`, name: '_info' },
            {
              expr: `proxmon_network_up{${N}}`,
              name: 'Link',
              mappings: states({ 1: ['up', 'ok'], 0: ['down', 'off'] }),
            },
          ],
        }),
        timeseries({
          title: 'Ping round trip',
          unit: 's',
          w: 12,
          h: 7,
          min: 0,
          queries: [{ expr: `proxmon_network_latency_seconds{${N}}`, legend: '{{node}} → {{target}}' }],
        }),
        timeseries({
          title: 'Packet loss',
          unit: 'percentunit',
          w: 12,
          h: 7,
          min: 0,
          max: 1,
          queries: [{ expr: `proxmon_network_packet_loss_ratio{${N}}`, legend: '{{node}} → {{target}}' }],
        }),
      ],
    },
    {
      title: 'Sensors and BMC',
      panels: [
        timeseries({
          title: 'Temperatures',
          unit: 'celsius',
          w: 12,
          h: 8,
          queries: [{ expr: `proxmon_temperature_celsius{${N}}`, legend: '{{node}} {{chip}} {{sensor}}' }],
        }),
        timeseries({
          title: 'Fans',
          unit: 'rotrpm',
          w: 6,
          h: 8,
          min: 0,
          queries: [{ expr: `proxmon_fan_rpm{${N}}`, legend: '{{node}} {{chip}} {{sensor}}' }],
        }),
        table({
          title: 'Sensor alarms',
          description: 'Alarm and fault flags the chips raise (a floating input often shows as an alarm).',
          unit: 'none',
          w: 6,
          h: 8,
          labels: ['node', 'chip', 'sensor', 'kind'],
          columns: [{ expr: `proxmon_sensor_alarm{${N}} == 1`, name: '_alarm' }],
        }),
        timeseries({
          title: 'BMC temperatures',
          unit: 'celsius',
          w: 8,
          h: 8,
          queries: [{ expr: `proxmon_ipmi_temperature_celsius{${N}}`, legend: '{{node}} {{sensor}}' }],
        }),
        timeseries({
          title: 'BMC fans',
          unit: 'rotrpm',
          w: 8,
          h: 8,
          min: 0,
          queries: [{ expr: `proxmon_ipmi_fan_rpm{${N}}`, legend: '{{node}} {{sensor}}' }],
        }),
        table({
          title: 'BMC sensor status',
          unit: 'none',
          w: 8,
          h: 8,
          labels: ['node', 'sensor'],
          columns: [{ expr: `proxmon_ipmi_sensor_severity{${N}}`, name: 'Status', mappings: SEVERITY }],
        }),
      ],
    },
    {
      title: 'Services',
      panels: [
        table({
          title: 'Proxmox VE services',
          unit: 'none',
          w: 24,
          h: 6,
          labels: ['node', 'service'],
          columns: [
            {
              expr: `proxmon_service_up{${N}}`,
              name: 'State',
              mappings: states({ 1: ['active', 'ok'], 0: ['inactive', 'critical'] }),
            },
          ],
        }),
      ],
    },
  ],
};
