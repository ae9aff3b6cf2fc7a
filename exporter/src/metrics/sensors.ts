import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import {
  ALARM_KINDS,
  type SensorAlarms,
  type SensorChip,
  type SensorChipsSnapshot,
  type TemperatureSensor,
} from '../sources/hwmon/index.js';
import { snapshotGauge, type Fill } from './define.js';

export const metricNames = [
  'proxmon_temperature_celsius',
  'proxmon_temperature_critical_celsius',
  'proxmon_temperature_max_celsius',
  'proxmon_fan_rpm',
  'proxmon_sensor_alarm',
] as const;

/**
 * `sensors` (lm-sensors) and `hwmon` (sysfs) read the same kernel chips, so only one is used:
 * lm-sensors while its snapshot is fresh and holds a reading (it applies sensors.conf labels and
 * ignores), else hwmon. Both name chips the lm-sensors way (`coretemp-isa-0000`), so series keep their
 * labels when one takes over from the other; see lmSensorsChipName for the hwmon side.
 */
export function pickSensorChips(snapshots: SnapshotReader): SensorChip[] {
  const sensors = snapshots.latest<SensorChipsSnapshot>('sensors');
  if (sensors && sensors.chips.some((c) => c.temperatures.length > 0 || c.fans.length > 0))
    return sensors.chips;
  return snapshots.latest<SensorChipsSnapshot>('hwmon')?.chips ?? [];
}

/** Chips that measure the CPU package or cores, best first; ACPI's zone is the fallback. */
const CPU_CHIPS = [/^(coretemp|k10temp|zenpower|cpu_thermal|soc_thermal)/, /^acpitz/];

export function cpuTemperature(chips: readonly SensorChip[]): number | null {
  for (const pattern of CPU_CHIPS) {
    const temps = chips
      .filter((c) => pattern.test(c.chip))
      .flatMap((c) => c.temperatures.map((t) => t.celsius))
      .filter((t): t is number => t !== undefined);
    if (temps.length) return Math.max(...temps);
  }
  return null;
}

type Labels = 'chip' | 'sensor';

export function registerSensorMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const temperature =
    (value: (t: TemperatureSensor) => number | undefined): Fill<Labels> =>
    (emit) => {
      for (const c of pickSensorChips(snapshots))
        for (const t of c.temperatures) emit({ chip: c.chip, sensor: t.sensor }, value(t));
    };
  const labelNames = ['chip', 'sensor'] as const;

  snapshotGauge(
    registry,
    {
      name: 'proxmon_temperature_celsius',
      help: 'Temperature reading (lm-sensors, else hwmon).',
      labelNames,
    },
    temperature((t) => t.celsius),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_temperature_critical_celsius',
      help: 'Critical limit the chip reports (tempN_crit).',
      labelNames,
    },
    temperature((t) => t.criticalCelsius),
  );
  snapshotGauge(
    registry,
    { name: 'proxmon_temperature_max_celsius', help: 'High limit the chip reports (tempN_max).', labelNames },
    temperature((t) => t.maxCelsius),
  );
  snapshotGauge(
    registry,
    { name: 'proxmon_fan_rpm', help: 'Fan speed (lm-sensors, else hwmon).', labelNames },
    (emit) => {
      for (const c of pickSensorChips(snapshots))
        for (const f of c.fans) emit({ chip: c.chip, sensor: f.sensor }, f.rpm);
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_sensor_alarm',
      help: 'Alarm and fault flags of temperature and fan inputs (1 raised), kept when the reading is dropped',
      labelNames: ['chip', 'sensor', 'kind'] as const,
    },
    (emit) => {
      const flags = (chip: string, sensor: string, alarms: SensorAlarms | undefined) => {
        for (const kind of ALARM_KINDS) {
          const raised = alarms?.[kind];
          if (raised !== undefined) emit({ chip, sensor, kind }, raised ? 1 : 0);
        }
      };
      for (const c of pickSensorChips(snapshots)) {
        for (const t of c.temperatures) flags(c.chip, t.sensor, t.alarms);
        for (const f of c.fans) flags(c.chip, f.sensor, f.alarms);
      }
    },
  );
}
