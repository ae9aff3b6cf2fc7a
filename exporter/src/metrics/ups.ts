import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { UPS_SOURCE, UPS_STATUS_FLAGS, type UpsReading, type UpsSnapshot } from '../sources/ups/index.js';
import { snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_ups_up',
  'proxmon_ups_info',
  'proxmon_ups_status',
  'proxmon_ups_battery_charge_ratio',
  'proxmon_ups_load_ratio',
  'proxmon_ups_battery_runtime_seconds',
  'proxmon_ups_input_voltage_volts',
  'proxmon_ups_output_voltage_volts',
  'proxmon_ups_battery_voltage_volts',
  'proxmon_ups_realpower_watts',
  'proxmon_ups_realpower_nominal_watts',
  'proxmon_ups_server_up',
] as const;

/**
 * `ups` is the NUT name for a UPS on the local upsd and `name@host` for a remote one. A UPS whose
 * data is stale (DATA-STALE, driver gone) has `proxmon_ups_up 0` and no other series.
 */
export function registerUpsMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const upses = () => snapshots.latest<UpsSnapshot>(UPS_SOURCE)?.upses ?? [];
  const perUps = (
    name: (typeof metricNames)[number],
    help: string,
    pick: (u: UpsReading) => number | undefined,
  ) =>
    snapshotGauge(registry, { name, help, labelNames: ['ups'] as const }, (emit) => {
      for (const u of upses()) emit({ ups: u.ups }, pick(u));
    });

  perUps('proxmon_ups_up', 'Whether upsd had fresh data for the UPS (0 on DATA-STALE or no driver)', (u) =>
    u.up ? 1 : 0,
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_ups_info',
      help: 'UPS identity (device.* variables, else ups.*); value 1',
      labelNames: ['ups', 'model', 'mfr', 'serial', 'driver'] as const,
    },
    (emit) => {
      for (const u of upses()) {
        if (!u.up) continue;
        emit(
          {
            ups: u.ups,
            model: u.model ?? '',
            mfr: u.mfr ?? '',
            serial: u.serial ?? '',
            driver: u.driver ?? '',
          },
          1,
        );
      }
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_ups_status',
      help: 'ups.status flags as a state set (OL on line, OB on battery, LB low battery, ...)',
      labelNames: ['ups', 'flag'] as const,
    },
    (emit) => {
      for (const u of upses()) {
        if (u.status === undefined) continue;
        const flags = new Set(u.status);
        for (const flag of UPS_STATUS_FLAGS) emit({ ups: u.ups, flag }, flags.has(flag) ? 1 : 0);
      }
    },
  );
  perUps('proxmon_ups_battery_charge_ratio', 'battery.charge as a ratio', (u) => u.batteryChargeRatio);
  perUps(
    'proxmon_ups_load_ratio',
    'ups.load as a ratio of the nominal load (above 1 when overloaded)',
    (u) => u.loadRatio,
  );
  perUps(
    'proxmon_ups_battery_runtime_seconds',
    'battery.runtime: estimated runtime on battery',
    (u) => u.batteryRuntimeSeconds,
  );
  perUps('proxmon_ups_input_voltage_volts', 'input.voltage', (u) => u.inputVolts);
  perUps('proxmon_ups_output_voltage_volts', 'output.voltage', (u) => u.outputVolts);
  perUps('proxmon_ups_battery_voltage_volts', 'battery.voltage', (u) => u.batteryVolts);
  perUps(
    'proxmon_ups_realpower_watts',
    'ups.realpower (else output.realpower): real power drawn',
    (u) => u.realpowerWatts,
  );
  perUps(
    'proxmon_ups_realpower_nominal_watts',
    'ups.realpower.nominal (else output.realpower.nominal)',
    (u) => u.realpowerNominalWatts,
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_ups_server_up',
      help: 'Whether the NUT server (host:port) answered the last collection',
      labelNames: ['server'] as const,
    },
    (emit) => {
      for (const s of snapshots.latest<UpsSnapshot>(UPS_SOURCE)?.servers ?? [])
        emit({ server: s.server }, s.up ? 1 : 0);
    },
  );
}
