import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { createHwmonSource, type SensorChipsSnapshot } from '../sources/hwmon/index.js';
import { parseSensorsJson } from '../sources/sensors/parse.js';
import { sourceContext } from '../test-support/source-context.js';
import { metricNames, registerSensorMetrics } from './sensors.js';

async function hwmonSnapshot(tree = 'host-coretemp-nvme-nct6775'): Promise<SensorChipsSnapshot> {
  const sysfs = fileURLToPath(new URL(`../sources/hwmon/fixtures/${tree}/sys`, import.meta.url));
  const r = await createHwmonSource().collect(
    sourceContext({ paths: { sysfs }, exec: () => Promise.reject(new Error('unused')) }),
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function sensorsSnapshot(file: string): SensorChipsSnapshot {
  const r = parseSensorsJson(
    readFileSync(new URL(`../sources/sensors/fixtures/${file}`, import.meta.url), 'utf8'),
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

interface Taken {
  at: number;
  value: SensorChipsSnapshot;
}

async function render(now: number, taken: { hwmon?: Taken; sensors?: Taken }): Promise<string[]> {
  let clock = 0;
  const cache = new SnapshotCache(() => clock);
  cache.register('hwmon', 30_000);
  cache.register('sensors', 30_000);
  for (const [name, t] of Object.entries(taken)) {
    clock = t.at;
    cache.recordSuccess(name, t.value, 0.01);
  }
  clock = now;
  const registry = new Registry();
  registerSensorMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('sensor metrics', () => {
  it('renders hwmon when there is no sensors snapshot', async () => {
    const lines = await render(0, { hwmon: { at: 0, value: await hwmonSnapshot() } });
    expect(lines).toEqual([
      'proxmon_temperature_celsius{chip="coretemp-isa-0000",sensor="Package id 0"} 45',
      'proxmon_temperature_celsius{chip="coretemp-isa-0000",sensor="Core 0"} 43',
      'proxmon_temperature_celsius{chip="coretemp-isa-0000",sensor="Core 1"} 44',
      'proxmon_temperature_celsius{chip="coretemp-isa-0000",sensor="Core 2"} 41',
      'proxmon_temperature_celsius{chip="coretemp-isa-0000",sensor="Core 3"} 45',
      'proxmon_temperature_celsius{chip="nvme-pci-0500",sensor="Composite"} 38.85',
      'proxmon_temperature_celsius{chip="nvme-pci-0500",sensor="Sensor 1"} 38.85',
      'proxmon_temperature_celsius{chip="nvme-pci-0500",sensor="Sensor 2"} 42.85',
      'proxmon_temperature_celsius{chip="nvme-pci-0200",sensor="Composite"} 32.85',
      'proxmon_temperature_celsius{chip="nct6775-isa-0290",sensor="SYSTIN"} 33',
      'proxmon_temperature_celsius{chip="nct6775-isa-0290",sensor="CPUTIN"} 38.5',
      'proxmon_temperature_celsius{chip="acpitz-acpi-0",sensor="temp1"} 27.8',
      'proxmon_temperature_celsius{chip="drivetemp-scsi-0-0",sensor="temp1"} 34',
      'proxmon_temperature_critical_celsius{chip="coretemp-isa-0000",sensor="Package id 0"} 100',
      'proxmon_temperature_critical_celsius{chip="coretemp-isa-0000",sensor="Core 0"} 100',
      'proxmon_temperature_critical_celsius{chip="coretemp-isa-0000",sensor="Core 1"} 100',
      'proxmon_temperature_critical_celsius{chip="coretemp-isa-0000",sensor="Core 2"} 100',
      'proxmon_temperature_critical_celsius{chip="coretemp-isa-0000",sensor="Core 3"} 100',
      'proxmon_temperature_critical_celsius{chip="nvme-pci-0500",sensor="Composite"} 84.85',
      'proxmon_temperature_critical_celsius{chip="nvme-pci-0200",sensor="Composite"} 114.85',
      'proxmon_temperature_critical_celsius{chip="acpitz-acpi-0",sensor="temp1"} 105',
      'proxmon_temperature_critical_celsius{chip="drivetemp-scsi-0-0",sensor="temp1"} 70',
      'proxmon_temperature_max_celsius{chip="coretemp-isa-0000",sensor="Package id 0"} 80',
      'proxmon_temperature_max_celsius{chip="coretemp-isa-0000",sensor="Core 0"} 80',
      'proxmon_temperature_max_celsius{chip="coretemp-isa-0000",sensor="Core 1"} 80',
      'proxmon_temperature_max_celsius{chip="coretemp-isa-0000",sensor="Core 2"} 80',
      'proxmon_temperature_max_celsius{chip="coretemp-isa-0000",sensor="Core 3"} 80',
      'proxmon_temperature_max_celsius{chip="nvme-pci-0500",sensor="Composite"} 81.85',
      'proxmon_temperature_max_celsius{chip="nvme-pci-0500",sensor="Sensor 1"} 65261.85',
      'proxmon_temperature_max_celsius{chip="nvme-pci-0500",sensor="Sensor 2"} 65261.85',
      'proxmon_temperature_max_celsius{chip="nvme-pci-0200",sensor="Composite"} 109.85',
      'proxmon_temperature_max_celsius{chip="nct6775-isa-0290",sensor="SYSTIN"} 80',
      'proxmon_temperature_max_celsius{chip="nct6775-isa-0290",sensor="CPUTIN"} 80',
      'proxmon_temperature_max_celsius{chip="drivetemp-scsi-0-0",sensor="temp1"} 60',
      'proxmon_fan_rpm{chip="nct6775-isa-0290",sensor="fan1"} 0',
      'proxmon_fan_rpm{chip="nct6775-isa-0290",sensor="fan2"} 1048',
      'proxmon_fan_rpm{chip="nct6775-isa-0290",sensor="fan3"} 732',
      'proxmon_sensor_alarm{chip="coretemp-isa-0000",sensor="Package id 0",kind="crit_alarm"} 0',
      'proxmon_sensor_alarm{chip="coretemp-isa-0000",sensor="Core 0",kind="crit_alarm"} 0',
      'proxmon_sensor_alarm{chip="coretemp-isa-0000",sensor="Core 1",kind="crit_alarm"} 0',
      'proxmon_sensor_alarm{chip="coretemp-isa-0000",sensor="Core 2",kind="crit_alarm"} 0',
      'proxmon_sensor_alarm{chip="coretemp-isa-0000",sensor="Core 3",kind="crit_alarm"} 0',
      'proxmon_sensor_alarm{chip="nvme-pci-0500",sensor="Composite",kind="alarm"} 0',
      'proxmon_sensor_alarm{chip="nvme-pci-0200",sensor="Composite",kind="alarm"} 0',
    ]);
  });

  it('renders the same series from lm-sensors on the same hardware, so a switch keeps labels', async () => {
    const hwmon = await render(0, { hwmon: { at: 0, value: await hwmonSnapshot() } });
    const sensors = await render(0, {
      sensors: { at: 0, value: sensorsSnapshot('sensors-j-debian12-hwmon-fixture-tree.json') },
    });
    expect([...sensors].sort()).toEqual([...hwmon].sort());
  });

  it('prefers a fresh lm-sensors reading and never emits both', async () => {
    const lines = await render(10_000, {
      hwmon: { at: 10_000, value: await hwmonSnapshot() },
      sensors: { at: 5_000, value: sensorsSnapshot('sensors-j-coretemp-nvme-acpitz.json') },
    });
    expect(lines.filter((l) => l.includes('nct6775'))).toEqual([]);
    expect(lines).toContain('proxmon_temperature_celsius{chip="coretemp-isa-0000",sensor="Core 39"} 24');
    expect(lines.filter((l) => l.startsWith('proxmon_temperature_celsius{'))).toHaveLength(20);
  });

  it('falls back to hwmon when the lm-sensors reading is stale or holds nothing', async () => {
    const hwmon = await hwmonSnapshot();
    const stale = await render(40_000, {
      sensors: { at: 0, value: sensorsSnapshot('sensors-j-coretemp-nvme-acpitz.json') },
      hwmon: { at: 35_000, value: hwmon },
    });
    expect(stale).toContain('proxmon_fan_rpm{chip="nct6775-isa-0290",sensor="fan2"} 1048');
    expect(stale).not.toContain('proxmon_temperature_celsius{chip="coretemp-isa-0000",sensor="Core 39"} 24');
    const empty = await render(0, {
      sensors: { at: 0, value: sensorsSnapshot('sensors-j-debian12-no-sensors.json') },
      hwmon: { at: 0, value: hwmon },
    });
    expect(empty).toContain('proxmon_fan_rpm{chip="nct6775-isa-0290",sensor="fan2"} 1048');
  });

  it('leaves out unconnected and faulted inputs but keeps their alarm and fault flags', async () => {
    const lines = await render(0, { hwmon: { at: 0, value: await hwmonSnapshot('host-nct6798-adt7461') } });
    expect(lines.filter((l) => l.startsWith('proxmon_temperature_celsius{'))).toEqual([
      'proxmon_temperature_celsius{chip="nct6798-isa-02a0",sensor="SYSTIN"} 120',
      'proxmon_temperature_celsius{chip="nct6798-isa-02a0",sensor="CPUTIN"} 37',
      'proxmon_temperature_celsius{chip="nct6798-isa-02a0",sensor="AUXTIN0"} 111',
      'proxmon_temperature_celsius{chip="nct6798-isa-02a0",sensor="PECI Agent 0"} 37.5',
      'proxmon_temperature_celsius{chip="adt7461-i2c-1-4c",sensor="local"} 41',
    ]);
    expect(lines.filter((l) => l.startsWith('proxmon_sensor_alarm{'))).toEqual([
      'proxmon_sensor_alarm{chip="nct6798-isa-02a0",sensor="CPUTIN",kind="alarm"} 0',
      'proxmon_sensor_alarm{chip="nct6798-isa-02a0",sensor="AUXTIN0",kind="alarm"} 1',
      'proxmon_sensor_alarm{chip="nct6798-isa-02a0",sensor="AUXTIN1",kind="alarm"} 1',
      'proxmon_sensor_alarm{chip="nct6798-isa-02a0",sensor="AUXTIN2",kind="alarm"} 0',
      'proxmon_sensor_alarm{chip="nct6798-isa-02a0",sensor="PECI Agent 0",kind="alarm"} 0',
      'proxmon_sensor_alarm{chip="nct6798-isa-02a0",sensor="fan1",kind="alarm"} 0',
      'proxmon_sensor_alarm{chip="nct6798-isa-02a0",sensor="fan2",kind="alarm"} 1',
      'proxmon_sensor_alarm{chip="adt7461-i2c-1-4c",sensor="local",kind="min_alarm"} 0',
      'proxmon_sensor_alarm{chip="adt7461-i2c-1-4c",sensor="local",kind="max_alarm"} 0',
      'proxmon_sensor_alarm{chip="adt7461-i2c-1-4c",sensor="local",kind="crit_alarm"} 0',
      'proxmon_sensor_alarm{chip="adt7461-i2c-1-4c",sensor="remote",kind="min_alarm"} 1',
      'proxmon_sensor_alarm{chip="adt7461-i2c-1-4c",sensor="remote",kind="max_alarm"} 0',
      'proxmon_sensor_alarm{chip="adt7461-i2c-1-4c",sensor="remote",kind="crit_alarm"} 0',
      'proxmon_sensor_alarm{chip="adt7461-i2c-1-4c",sensor="remote",kind="fault"} 1',
    ]);
    const fromSensors = await render(0, {
      sensors: { at: 0, value: sensorsSnapshot('sensors-j-debian12-nct6798-adt7461-tree.json') },
    });
    expect([...fromSensors].sort()).toEqual([...lines].sort());
  });

  it('renders no series without fresh snapshots', async () => {
    expect(await render(0, {})).toEqual([]);
  });
});
