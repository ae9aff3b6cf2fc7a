import type { DashboardSpec } from './dashboard.js';
import { N, stat, states, table, timeseries } from './panels.js';

export const ups: DashboardSpec = {
  uid: 'proxmon-ups',
  title: 'proxmon / UPS',
  description: 'UPSes read over the NUT protocol: status flags, battery, load, runtime and voltages.',
  rows: [
    {
      title: 'Status',
      panels: [
        table({
          title: 'UPSes',
          unit: 'none',
          w: 16,
          h: 5,
          labels: ['node', 'ups', 'mfr', 'model', 'serial', 'driver'],
          columns: [
            { expr: `proxmon_ups_info{${N}}`, name: '_info' },
            {
              expr: `proxmon_ups_up{${N}}`,
              name: 'Data',
              mappings: states({ 1: ['fresh', 'ok'], 0: ['stale', 'critical'] }),
            },
          ],
        }),
        table({
          title: 'Status flags',
          description: 'OL on line, OB on battery, LB low battery, RB replace battery, CHRG charging, ...',
          unit: 'none',
          w: 8,
          h: 5,
          labels: ['node', 'ups', 'flag'],
          columns: [{ expr: `proxmon_ups_status{${N}} == 1`, name: '_set' }],
        }),
        stat({
          title: 'Power source',
          unit: 'none',
          w: 6,
          h: 5,
          background: true,
          mappings: states({ 0: ['mains', 'ok'], 1: ['BATTERY', 'critical'] }),
          queries: [{ expr: `proxmon_ups_status{${N}, flag="OB"}`, legend: '{{node}} {{ups}}' }],
        }),
        stat({
          title: 'Battery charge',
          unit: 'percentunit',
          w: 6,
          h: 5,
          steps: [
            [0, 'red'],
            [0.2, 'orange'],
            [0.5, 'green'],
          ],
          queries: [{ expr: `proxmon_ups_battery_charge_ratio{${N}}`, legend: '{{node}} {{ups}}' }],
        }),
        stat({
          title: 'Runtime left',
          unit: 's',
          w: 6,
          h: 5,
          queries: [{ expr: `proxmon_ups_battery_runtime_seconds{${N}}`, legend: '{{node}} {{ups}}' }],
        }),
        stat({
          title: 'Load',
          unit: 'percentunit',
          w: 6,
          h: 5,
          steps: [
            [0.8, 'orange'],
            [1, 'red'],
          ],
          queries: [{ expr: `proxmon_ups_load_ratio{${N}}`, legend: '{{node}} {{ups}}' }],
        }),
      ],
    },
    {
      title: 'History',
      panels: [
        timeseries({
          title: 'Battery charge and load',
          unit: 'percentunit',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            { expr: `proxmon_ups_battery_charge_ratio{${N}}`, legend: '{{node}} {{ups}} charge' },
            { expr: `proxmon_ups_load_ratio{${N}}`, legend: '{{node}} {{ups}} load' },
          ],
        }),
        timeseries({
          title: 'Battery runtime',
          unit: 's',
          w: 12,
          h: 8,
          min: 0,
          queries: [{ expr: `proxmon_ups_battery_runtime_seconds{${N}}`, legend: '{{node}} {{ups}}' }],
        }),
        timeseries({
          title: 'Voltages',
          unit: 'volt',
          w: 12,
          h: 8,
          queries: [
            { expr: `proxmon_ups_input_voltage_volts{${N}}`, legend: '{{node}} {{ups}} input' },
            { expr: `proxmon_ups_output_voltage_volts{${N}}`, legend: '{{node}} {{ups}} output' },
            { expr: `proxmon_ups_battery_voltage_volts{${N}}`, legend: '{{node}} {{ups}} battery' },
          ],
        }),
        timeseries({
          title: 'Power',
          description: 'Real power where the UPS reports it, else load × nominal real power.',
          unit: 'watt',
          w: 12,
          h: 8,
          min: 0,
          queries: [
            {
              expr: `proxmon_ups_realpower_watts{${N}} or proxmon_ups_load_ratio{${N}} * proxmon_ups_realpower_nominal_watts{${N}}`,
              legend: '{{node}} {{ups}}',
            },
          ],
        }),
      ],
    },
  ],
};
