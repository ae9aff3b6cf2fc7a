import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ok, type SourceContext } from '../source.js';
import { fixtureRoots, sourceContext } from '../../test-support/source-context.js';
import { createHwmonSource, nodeDirReader, type DirReader } from './index.js';
import {
  assignChipNames,
  buildSensorChip,
  listSensorInputs,
  lmSensorsChipName,
  parseAlarmFlag,
  parseAlarms,
  parseMilliCelsius,
  parseRpm,
  trustedCelsius,
} from './parse.js';

const hostContext = (host: string): SourceContext =>
  sourceContext({
    paths: fixtureRoots(import.meta.url, host),
    exec: () => Promise.reject(new Error('hwmon must not run tools')),
  });

describe('hwmon value parsers', () => {
  it('converts millidegrees, keeping negative readings', () => {
    expect(parseMilliCelsius('45000\n')).toBe(45);
    expect(parseMilliCelsius('38850')).toBe(38.85);
    expect(parseMilliCelsius('-273150')).toBe(-273.15);
    expect(parseMilliCelsius('')).toBeUndefined();
    expect(parseMilliCelsius('N/A')).toBeUndefined();
    expect(parseRpm('1048\n')).toBe(1048);
    expect(parseRpm('-1')).toBeUndefined();
  });

  it('lists temp and fan inputs in numeric order, ignoring other attributes', () => {
    expect(
      listSensorInputs([
        'temp10_input',
        'temp2_input',
        'temp2_label',
        'fan1_input',
        'in0_input',
        'name',
        'fan1_min',
      ]),
    ).toEqual({ temperatures: [2, 10], fans: [1] });
  });

  it('names sensors by label, then feature, and keeps repeated labels apart', () => {
    const chip = buildSensorChip({
      chip: 'x-isa-0000',
      temperatures: [
        { index: 1, input: '1000', label: 'CPU\n', crit: '90000', max: undefined },
        { index: 2, input: '2000', label: 'CPU' },
        { index: 3, input: 'garbage', label: '  ' },
      ],
      fans: [
        { index: 1, input: '900', label: 'Processor Fan' },
        { index: 2, input: undefined },
      ],
    });
    expect(chip).toEqual({
      chip: 'x-isa-0000',
      temperatures: [
        { sensor: 'CPU', celsius: 1, criticalCelsius: 90, maxCelsius: undefined },
        { sensor: 'CPU (temp2)', celsius: 2, criticalCelsius: undefined, maxCelsius: undefined },
        { sensor: 'temp3', celsius: undefined, criticalCelsius: undefined, maxCelsius: undefined },
      ],
      fans: [
        { sensor: 'Processor Fan', rpm: 900 },
        { sensor: 'fan2', rpm: undefined },
      ],
    });
  });

  it('never throws on random attribute text', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string()), (s, files) => {
        const t = parseMilliCelsius(s);
        expect(t === undefined || Number.isFinite(t)).toBe(true);
        parseRpm(s);
        listSensorInputs(files);
        buildSensorChip({
          chip: s,
          temperatures: [{ index: 1, input: s, label: s, crit: s, alarms: { fault: s, alarm: s } }],
          fans: [{ index: 1, input: s, alarms: { alarm: s } }],
        });
      }),
    );
  });
});

describe('implausible readings and alarm flags', () => {
  it('keeps -55 to 125 °C, and drops saturated register values, absolute zero and faulted inputs', () => {
    expect([-55, -1, 0, 37.5, 111, 120, 125].map((c) => trustedCelsius(c, undefined))).toEqual([
      -55, -1, 0, 37.5, 111, 120, 125,
    ]);
    expect([-273.15, -128, -62, 125.5, 127, 127.5, 255].map((c) => trustedCelsius(c, false))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(trustedCelsius(41, true)).toBeUndefined();
    expect(trustedCelsius(undefined, false)).toBeUndefined();
  });

  it('reads 0/1 flag files and only the flags that are there', () => {
    expect(['0\n', '1\n', ' 1 ', '2', '', 'x', undefined].map(parseAlarmFlag)).toEqual([
      false,
      true,
      true,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(parseAlarms({ crit_alarm: '0\n', fault: '1\n', alarm: 'garbage' })).toEqual({
      crit_alarm: false,
      fault: true,
    });
    expect(parseAlarms({})).toBeUndefined();
    expect(parseAlarms(undefined)).toBeUndefined();
  });

  it('drops a faulted reading but keeps its flags, and keeps a fan alarm', () => {
    expect(
      buildSensorChip({
        chip: 'adt7461-i2c-1-4c',
        temperatures: [{ index: 2, input: '0', label: 'remote', alarms: { fault: '1', min_alarm: '1' } }],
        fans: [{ index: 2, input: '0', alarms: { alarm: '1' } }],
      }),
    ).toEqual({
      chip: 'adt7461-i2c-1-4c',
      temperatures: [{ sensor: 'remote', alarms: { fault: true, min_alarm: true } }],
      fans: [{ sensor: 'fan2', rpm: 0, alarms: { alarm: true } }],
    });
  });
});

describe('lmSensorsChipName', () => {
  it.each<[string, string, { name: string; subsystem?: string } | undefined, string | undefined]>([
    ['platform coretemp.0', 'coretemp', { name: 'coretemp.0', subsystem: 'platform' }, 'coretemp-isa-0000'],
    ['second socket', 'coretemp', { name: 'coretemp.1', subsystem: 'platform' }, 'coretemp-isa-0001'],
    ['Super I/O at 0x290', 'nct6775', { name: 'nct6775.656', subsystem: 'platform' }, 'nct6775-isa-0290'],
    ['PCI nvme', 'nvme', { name: '0000:05:00.0', subsystem: 'pci' }, 'nvme-pci-0500'],
    ['PCI k10temp 00:18.3', 'k10temp', { name: '0000:00:18.3', subsystem: 'pci' }, 'k10temp-pci-00c3'],
    ['PCI domain 1', 'nvme', { name: '0001:01:00.0', subsystem: 'pci' }, 'nvme-pci-10100'],
    ['i2c', 'lm75', { name: '1-0048', subsystem: 'i2c' }, 'lm75-i2c-1-48'],
    ['legacy ISA via i2c 9191', 'w83627hf', { name: '9191-0290', subsystem: 'i2c' }, 'w83627hf-isa-0290'],
    ['spi', 'max31722', { name: 'spi0.1', subsystem: 'spi' }, 'max31722-spi-0-1'],
    ['acpi', 'acpitz', { name: 'LNXTHERM:00', subsystem: 'acpi' }, 'acpitz-acpi-0'],
    ['hid', 'corsaircpro', { name: '0003:1B1C:0C10.0005', subsystem: 'hid' }, 'corsaircpro-hid-3-5'],
    ['scsi 0:0:0:0', 'drivetemp', { name: '0:0:0:0', subsystem: 'scsi' }, 'drivetemp-scsi-0-0'],
    ['scsi 2:0:1:0', 'drivetemp', { name: '2:0:1:0', subsystem: 'scsi' }, 'drivetemp-scsi-2-10'],
    ['no device link', 'iwlwifi_1', undefined, 'iwlwifi_1-virtual-0'],
    ['unknown bus', 'mlxsw', { name: 'mlxsw_core', subsystem: 'mdio_bus' }, undefined],
  ])('%s', (_case, prefix, device, expected) => {
    expect(lmSensorsChipName(prefix, device)).toBe(expected);
  });

  it('falls back to name-hwmonN for unknown buses and for names two chips would share', () => {
    expect(
      assignChipNames([
        { prefix: 'coretemp', index: 0, lmName: 'coretemp-isa-0000' },
        { prefix: 'mlxsw', index: 1 },
        { prefix: 'foo', index: 2, lmName: 'foo-virtual-0' },
        { prefix: 'foo', index: 3, lmName: 'foo-virtual-0' },
      ]),
    ).toEqual(['coretemp-isa-0000', 'mlxsw-hwmon1', 'foo-hwmon2', 'foo-hwmon3']);
  });
});

describe('hwmon source collect()', () => {
  it('reads the constructed coretemp + 2 nvme + nct6775 + acpitz + drivetemp tree', async () => {
    const source = createHwmonSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['hwmon', 10, 5]);
    const r = await source.collect(hostContext('host-coretemp-nvme-nct6775'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.chips.map((c) => c.chip)).toEqual([
      'coretemp-isa-0000',
      'nvme-pci-0500',
      'nvme-pci-0200',
      'nct6775-isa-0290',
      'acpitz-acpi-0',
      'drivetemp-scsi-0-0',
    ]);
    const [coretemp, nvme0, nvme1, nct, acpitz, drivetemp] = r.value.chips;
    const noCritAlarm = { alarms: { crit_alarm: false } };
    expect(coretemp?.temperatures).toEqual([
      { sensor: 'Package id 0', celsius: 45, maxCelsius: 80, criticalCelsius: 100, ...noCritAlarm },
      { sensor: 'Core 0', celsius: 43, maxCelsius: 80, criticalCelsius: 100, ...noCritAlarm },
      { sensor: 'Core 1', celsius: 44, maxCelsius: 80, criticalCelsius: 100, ...noCritAlarm },
      { sensor: 'Core 2', celsius: 41, maxCelsius: 80, criticalCelsius: 100, ...noCritAlarm },
      { sensor: 'Core 3', celsius: 45, maxCelsius: 80, criticalCelsius: 100, ...noCritAlarm },
    ]);
    expect(nvme0?.temperatures).toEqual([
      {
        sensor: 'Composite',
        celsius: 38.85,
        maxCelsius: 81.85,
        criticalCelsius: 84.85,
        alarms: { alarm: false },
      },
      { sensor: 'Sensor 1', celsius: 38.85, maxCelsius: 65261.85, criticalCelsius: undefined },
      { sensor: 'Sensor 2', celsius: 42.85, maxCelsius: 65261.85, criticalCelsius: undefined },
    ]);
    expect(nvme1?.temperatures).toEqual([
      {
        sensor: 'Composite',
        celsius: 32.85,
        maxCelsius: 109.85,
        criticalCelsius: 114.85,
        alarms: { alarm: false },
      },
    ]);
    expect(nct).toEqual({
      chip: 'nct6775-isa-0290',
      temperatures: [
        { sensor: 'SYSTIN', celsius: 33, maxCelsius: 80, criticalCelsius: undefined },
        { sensor: 'CPUTIN', celsius: 38.5, maxCelsius: 80, criticalCelsius: undefined },
        // -62 °C is below the plausible range (an unconnected input): no reading.
        { sensor: 'AUXTIN0', celsius: undefined, maxCelsius: undefined, criticalCelsius: undefined },
        { sensor: 'PECI Agent 0', celsius: undefined, maxCelsius: undefined, criticalCelsius: undefined },
      ],
      fans: [
        { sensor: 'fan1', rpm: 0 },
        { sensor: 'fan2', rpm: 1048 },
        { sensor: 'fan3', rpm: 732 },
      ],
    });
    expect(acpitz?.temperatures).toEqual([
      { sensor: 'temp1', celsius: 27.8, maxCelsius: undefined, criticalCelsius: 105 },
    ]);
    expect(drivetemp?.temperatures).toEqual([
      { sensor: 'temp1', celsius: 34, maxCelsius: 60, criticalCelsius: 70 },
    ]);
  });

  it('reads the constructed nct6798 + adt7461 tree: unconnected inputs dropped, alarms and faults kept', async () => {
    const r = await createHwmonSource().collect(hostContext('host-nct6798-adt7461'));
    if (!r.ok) throw new Error(r.error.message);
    const limits = { maxCelsius: 80, criticalCelsius: 100 };
    expect(r.value.chips).toEqual([
      {
        chip: 'nct6798-isa-02a0',
        temperatures: [
          { sensor: 'SYSTIN', celsius: 120, ...limits },
          { sensor: 'CPUTIN', celsius: 37, ...limits, alarms: { alarm: false } },
          { sensor: 'AUXTIN0', celsius: 111, ...limits, alarms: { alarm: true } },
          { sensor: 'AUXTIN1', celsius: undefined, ...limits, alarms: { alarm: true } }, // 127: saturated
          { sensor: 'AUXTIN2', celsius: undefined, ...limits, alarms: { alarm: false } }, // -128: saturated
          { sensor: 'PECI Agent 0', celsius: 37.5, maxCelsius: 80, alarms: { alarm: false } },
        ],
        fans: [
          { sensor: 'fan1', rpm: 1278, alarms: { alarm: false } },
          { sensor: 'fan2', rpm: 0, alarms: { alarm: true } },
        ],
      },
      {
        chip: 'adt7461-i2c-1-4c',
        temperatures: [
          {
            sensor: 'local',
            celsius: 41,
            maxCelsius: 85,
            criticalCelsius: 85,
            alarms: { min_alarm: false, max_alarm: false, crit_alarm: false },
          },
          {
            sensor: 'remote',
            celsius: undefined,
            maxCelsius: 85,
            criticalCelsius: 85,
            alarms: { min_alarm: true, max_alarm: false, crit_alarm: false, fault: true },
          },
        ],
        fans: [],
      },
    ]);
  });

  it('is absent without /sys/class/hwmon or without chips', async () => {
    const missing = await createHwmonSource().collect(hostContext('does-not-exist'));
    expect(missing).toMatchObject({ ok: false, error: { kind: 'absent' } });
    const empty: DirReader = { ...nodeDirReader, listDir: async () => ok([]) };
    const none = await createHwmonSource(empty).collect(hostContext('host-coretemp-nvme-nct6775'));
    expect(none).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });

  it('reads attributes from hwmonN/device when hwmonN has no name (pre-3.x drivers)', async () => {
    const files: Record<string, string[]> = {
      '/s/class/hwmon': ['hwmon0'],
      '/s/class/hwmon/hwmon0': ['device', 'subsystem', 'uevent'],
      '/s/class/hwmon/hwmon0/device': ['name', 'temp1_input', 'subsystem'],
    };
    const texts: Record<string, string> = {
      '/s/class/hwmon/hwmon0/device/name': 'w83627ehf\n',
      '/s/class/hwmon/hwmon0/device/temp1_input': '41000\n',
    };
    const links: Record<string, string> = {
      '/s/class/hwmon/hwmon0/device': '../../../w83627ehf.656',
      '/s/class/hwmon/hwmon0/device/subsystem': '../../../bus/platform',
    };
    const dirs: DirReader = {
      listDir: async (p) => (files[p] ? ok(files[p]) : { ok: false, error: { kind: 'absent', message: p } }),
      readLink: async (p) => (links[p] ? ok(links[p]) : { ok: false, error: { kind: 'absent', message: p } }),
    };
    const ctx: SourceContext = {
      ...hostContext('unused'),
      paths: { procfs: '/p', sysfs: '/s', rootfs: '/' },
      readText: async (p) => (texts[p] ? ok(texts[p]) : { ok: false, error: { kind: 'absent', message: p } }),
    };
    expect(await createHwmonSource(dirs).collect(ctx)).toEqual({
      ok: true,
      value: {
        chips: [
          {
            chip: 'w83627ehf-isa-0290',
            temperatures: [
              { sensor: 'temp1', celsius: 41, maxCelsius: undefined, criticalCelsius: undefined },
            ],
            fans: [],
          },
        ],
      },
    });
  });
});
