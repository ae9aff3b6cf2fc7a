/**
 * Temperatures and fans as both the `hwmon` (sysfs) and `sensors` (lm-sensors) sources report them;
 * they read the same kernel data, so they share one shape and the metrics pick one of the two.
 */
export interface TemperatureSensor {
  /** The kernel/lm-sensors label ("Package id 0", "Composite"), else the feature name ("temp1"). */
  sensor: string;
  celsius?: number;
  criticalCelsius?: number;
  maxCelsius?: number;
}

export interface FanSensor {
  sensor: string;
  rpm?: number;
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
