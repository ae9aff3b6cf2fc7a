import type { DashboardSpec } from './dashboard.js';
import { N, stat, table, timeseries } from './panels.js';

/** Adds the GPU's name from proxmon_gpu_info (GPUs are keyed by NVIDIA UUID or PCI slot). */
const named = (expr: string) => `${expr} * on (instance, gpu) group_left (name) proxmon_gpu_info`;

export const gpu: DashboardSpec = {
  uid: 'proxmon-gpu',
  title: 'proxmon / GPU',
  description:
    'NVIDIA (nvidia-smi) and Intel (intel_gpu_top) GPUs: load, memory, temperature, power, clocks.',
  rows: [
    {
      title: 'GPUs',
      panels: [
        table({
          title: 'GPUs',
          unit: 'none',
          w: 24,
          h: 5,
          labels: ['node', 'index', 'name', 'vendor', 'driver', 'pci_bus', 'gpu'],
          columns: [{ expr: `proxmon_gpu_info{${N}}`, name: '_info' }],
        }),
        timeseries({
          title: 'Utilization',
          unit: 'percentunit',
          w: 12,
          h: 8,
          min: 0,
          max: 1,
          queries: [{ expr: named(`proxmon_gpu_utilization_ratio{${N}}`), legend: '{{node}} {{name}}' }],
        }),
        timeseries({
          title: 'Memory',
          unit: 'bytes',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            { expr: named(`proxmon_gpu_memory_used_bytes{${N}}`), legend: '{{node}} {{name}} used' },
            { expr: named(`proxmon_gpu_memory_total_bytes{${N}}`), legend: '{{node}} {{name}} total' },
          ],
        }),
        timeseries({
          title: 'Temperature',
          unit: 'celsius',
          w: 8,
          h: 8,
          queries: [{ expr: named(`proxmon_gpu_temperature_celsius{${N}}`), legend: '{{node}} {{name}}' }],
        }),
        timeseries({
          title: 'Power',
          unit: 'watt',
          w: 8,
          h: 8,
          min: 0,
          queries: [
            { expr: named(`proxmon_gpu_power_watts{${N}}`), legend: '{{node}} {{name}} draw' },
            { expr: named(`proxmon_gpu_power_limit_watts{${N}}`), legend: '{{node}} {{name}} limit' },
          ],
        }),
        timeseries({
          title: 'Clocks',
          unit: 'hertz',
          w: 8,
          h: 8,
          min: 0,
          queries: [{ expr: named(`proxmon_gpu_clock_hertz{${N}}`), legend: '{{node}} {{name}} {{clock}}' }],
        }),
        timeseries({
          title: 'Video encoder and decoder',
          unit: 'percentunit',
          w: 12,
          h: 8,
          min: 0,
          max: 1,
          queries: [
            {
              expr: named(`proxmon_gpu_encoder_utilization_ratio{${N}}`),
              legend: '{{node}} {{name}} encoder',
            },
            {
              expr: named(`proxmon_gpu_decoder_utilization_ratio{${N}}`),
              legend: '{{node}} {{name}} decoder',
            },
          ],
        }),
        table({
          title: 'Clock throttling',
          description: 'Reasons currently holding the clocks down.',
          unit: 'none',
          w: 6,
          h: 8,
          labels: ['node', 'gpu', 'reason'],
          columns: [{ expr: `proxmon_gpu_clock_event_active{${N}} == 1`, name: '_active' }],
        }),
        stat({
          title: 'ECC errors',
          description: 'Since the driver loaded.',
          unit: 'short',
          w: 6,
          h: 8,
          steps: [[1, 'red']],
          queries: [{ expr: named(`proxmon_gpu_ecc_errors{${N}}`), legend: '{{node}} {{name}} {{type}}' }],
        }),
      ],
    },
  ],
};
