/**
 * Temperatures and fans as both the `hwmon` (sysfs) and `sensors` (lm-sensors) sources report them;
 * they read the same kernel data, so they share one shape and the metrics pick one of the two.
 */

/**
 * Status flags of one input (kernel Documentation/hwmon/sysfs-interface.rst, "Alarms"): a channel
 * `alarm`, or per-limit alarms, and `fault` (open diode, unconnected fan: the reading is not to be
 * trusted). Named by their attribute suffix: `temp3_crit_alarm` → crit_alarm.
 */
export const ALARM_KINDS = [
  'alarm',
  'min_alarm',
  'max_alarm',
  'lcrit_alarm',
  'crit_alarm',
  'emergency_alarm',
  'fault',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];
export type SensorAlarms = Partial<Record<AlarmKind, boolean>>;

export interface TemperatureSensor {
  /** The kernel/lm-sensors label ("Package id 0", "Composite"), else the feature name ("temp1"). */
  sensor: string;
  /** Undefined when unreadable, or dropped as implausible (see trustedCelsius). */
  celsius?: number;
  criticalCelsius?: number;
  maxCelsius?: number;
  /** Only the flags the chip has; absent when it has none. Kept even when the reading is dropped. */
  alarms?: SensorAlarms;
}

export interface FanSensor {
  sensor: string;
  rpm?: number;
  alarms?: SensorAlarms;
}

export interface SensorChip {
  /** lm-sensors style chip name: `coretemp-isa-0000`, `nvme-pci-0500`, `acpitz-acpi-0`. */
  chip: string;
  temperatures: TemperatureSensor[];
  fans: FanSensor[];
}

export interface SensorChipsSnapshot {
  chips: SensorChip[];
}
