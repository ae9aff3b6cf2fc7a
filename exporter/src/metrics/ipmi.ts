import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { IPMI_SEVERITY, IPMI_SOURCE, type IpmiKind, type IpmiSnapshot } from '../sources/ipmi/index.js';
import { snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_ipmi_temperature_celsius',
  'proxmon_ipmi_fan_rpm',
  'proxmon_ipmi_voltage_volts',
  'proxmon_ipmi_power_watts',
  'proxmon_ipmi_current_amperes',
  'proxmon_ipmi_sensor_severity',
] as const;

/**
 * BMC sensors by SDR name. Severity is the threshold status as an ordinal: ok 0, non-critical 2
 * (warning), critical and non-recoverable 3; sensors without a reading and discrete sensors (whose
 * state bits mean something different per sensor type) have no severity series.
 */
export function registerIpmiMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const sensors = () => snapshots.latest<IpmiSnapshot>(IPMI_SOURCE)?.sensors ?? [];
  const reading = (name: (typeof metricNames)[number], help: string, kind: IpmiKind) =>
    snapshotGauge(registry, { name, help, labelNames: ['sensor'] as const }, (emit) => {
      for (const s of sensors()) if (s.kind === kind) emit({ sensor: s.sensor }, s.value);
    });

  reading('proxmon_ipmi_temperature_celsius', 'BMC temperature sensor reading', 'temperature');
  reading('proxmon_ipmi_fan_rpm', 'BMC fan sensor reading', 'fan');
  reading('proxmon_ipmi_voltage_volts', 'BMC voltage sensor reading', 'voltage');
  reading('proxmon_ipmi_power_watts', 'BMC power sensor reading', 'power');
  reading('proxmon_ipmi_current_amperes', 'BMC current sensor reading', 'current');
  snapshotGauge(
    registry,
    {
      name: 'proxmon_ipmi_sensor_severity',
      help: 'BMC threshold status as severity: 0 ok, 2 non-critical, 3 critical or non-recoverable',
      labelNames: ['sensor'] as const,
    },
    (emit) => {
      for (const s of sensors()) if (s.status) emit({ sensor: s.sensor }, IPMI_SEVERITY[s.status]);
    },
  );
}
