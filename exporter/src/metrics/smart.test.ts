import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import type { Exec } from '../sources/exec.js';
import { fail, ok } from '../sources/source.js';
import { createSmartSource, SMART_SOURCE, type SmartSnapshot } from '../sources/smart/index.js';
import { sourceContext } from '../test-support/source-context.js';
import { attributeMetricNames, metricNames, registerSmartMetrics } from './smart.js';

const READ_AT = Date.UTC(2026, 10, 26, 12);
const fixture = (file: string) =>
  readFileSync(new URL(`../sources/smart/fixtures/${file}`, import.meta.url), 'utf8');

/**
 * The smart source reading the given recorded replies as /dev/sda, /dev/sdb, …: each reply is served
 * with the exit status recorded in it, the way smartctl exits.
 */
async function snapshotOf(files: readonly string[]): Promise<SmartSnapshot> {
  const devices = files.map((_, i) => ({ device: `/dev/sd${'abcdefgh'[i]}` }));
  const exec: Exec = async (_tool, args) => {
    const i = devices.findIndex((d) => d.device === args.at(-1));
    const text = i >= 0 ? fixture(files[i]!) : undefined;
    if (text === undefined) return fail('io', 'unexpected call');
    const exitCode = Number(/"exit_status":\s*(\d+)/.exec(text)?.[1] ?? 0);
    return ok({ stdout: text, stderr: '', exitCode, durationMs: 1 });
  };
  const r = await createSmartSource({ scan: false, devices }).collect(
    sourceContext({ exec, now: () => READ_AT }),
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function render(snapshot: SmartSnapshot | undefined, attributes = false): Promise<string[]> {
  const cache = new SnapshotCache(() => READ_AT);
  cache.register(SMART_SOURCE, 5_400_000);
  if (snapshot) cache.recordSuccess(SMART_SOURCE, snapshot, 0.5);
  const registry = new Registry();
  registerSmartMetrics(registry, cache, { attributes });
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
  expect(names).toEqual(
    attributes
      ? [...metricNames]
      : metricNames.filter((n) => !(attributeMetricNames as readonly string[]).includes(n)),
  );
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

const TS = READ_AT / 1000;

describe('SMART metrics from recorded smartctl replies', () => {
  it.each([
    [
      'failing HDD behind a USB bridge (exit 216)',
      'smartctl-a-sata-hdd-failing-usbjmicron-exit216.json',
      [
        'proxmon_disk_info{disk_id="0x5000cca37fca81a8",device="/dev/sda",model="Hitachi HDS721050DLE630",serial="MSK423Y20S3HBC",firmware="MS1OA650",protocol="ata",type="hdd"} 1',
        'proxmon_disk_smart_passed{disk_id="0x5000cca37fca81a8"} 0',
        'proxmon_disk_standby{disk_id="0x5000cca37fca81a8"} 0',
        'proxmon_disk_temperature_celsius{disk_id="0x5000cca37fca81a8"} 25',
        'proxmon_disk_power_on_seconds{disk_id="0x5000cca37fca81a8"} 236131200',
        'proxmon_disk_power_cycles{disk_id="0x5000cca37fca81a8"} 86',
        'proxmon_disk_reallocated_sectors{disk_id="0x5000cca37fca81a8"} 1975',
        'proxmon_disk_pending_sectors{disk_id="0x5000cca37fca81a8"} 8',
        'proxmon_disk_offline_uncorrectable_sectors{disk_id="0x5000cca37fca81a8"} 0',
        'proxmon_disk_crc_errors{disk_id="0x5000cca37fca81a8"} 0',
        'proxmon_disk_smartctl_exit_status{disk_id="0x5000cca37fca81a8"} 216',
        'proxmon_disk_health_severity{disk_id="0x5000cca37fca81a8"} 3',
        `proxmon_disk_smart_read_timestamp_seconds{disk_id="0x5000cca37fca81a8"} ${TS}`,
      ],
    ],
    [
      'NVMe with a critical warning (exit 8)',
      'smartctl-a-nvme-critical-warning-failed.json',
      [
        'proxmon_disk_info{disk_id="REDACTED",device="/dev/sda",model="SAMSUNG MZWLL3T2HAJQ-00005",serial="REDACTED",firmware="REDACTED",protocol="nvme",type="nvme"} 1',
        'proxmon_disk_smart_passed{disk_id="REDACTED"} 0',
        'proxmon_disk_standby{disk_id="REDACTED"} 0',
        'proxmon_disk_temperature_celsius{disk_id="REDACTED"} 40',
        'proxmon_disk_power_on_seconds{disk_id="REDACTED"} 66153600',
        'proxmon_disk_power_cycles{disk_id="REDACTED"} 6',
        'proxmon_disk_media_errors{disk_id="REDACTED"} 0',
        'proxmon_disk_wear_ratio{disk_id="REDACTED"} 0',
        'proxmon_disk_available_spare_ratio{disk_id="REDACTED"} 1',
        'proxmon_disk_critical_warning{disk_id="REDACTED"} 16',
        'proxmon_disk_smartctl_exit_status{disk_id="REDACTED"} 8',
        'proxmon_disk_health_severity{disk_id="REDACTED"} 3',
        `proxmon_disk_smart_read_timestamp_seconds{disk_id="REDACTED"} ${TS}`,
      ],
    ],
    [
      'NVMe with media errors',
      'smartctl-x-nvme-media-errors.json',
      [
        'proxmon_disk_info{disk_id="S466NX0M776250H",device="/dev/sda",model="Samsung SSD 970 EVO 500GB",serial="S466NX0M776250H",firmware="2B2QEXE7",protocol="nvme",type="nvme"} 1',
        'proxmon_disk_smart_passed{disk_id="S466NX0M776250H"} 1',
        'proxmon_disk_standby{disk_id="S466NX0M776250H"} 0',
        'proxmon_disk_temperature_celsius{disk_id="S466NX0M776250H"} 35',
        'proxmon_disk_power_on_seconds{disk_id="S466NX0M776250H"} 46072800',
        'proxmon_disk_power_cycles{disk_id="S466NX0M776250H"} 25',
        'proxmon_disk_media_errors{disk_id="S466NX0M776250H"} 7',
        'proxmon_disk_wear_ratio{disk_id="S466NX0M776250H"} 0.03',
        'proxmon_disk_available_spare_ratio{disk_id="S466NX0M776250H"} 0.99',
        'proxmon_disk_critical_warning{disk_id="S466NX0M776250H"} 0',
        'proxmon_disk_smartctl_exit_status{disk_id="S466NX0M776250H"} 0',
        'proxmon_disk_health_severity{disk_id="S466NX0M776250H"} 2',
        `proxmon_disk_smart_read_timestamp_seconds{disk_id="S466NX0M776250H"} ${TS}`,
      ],
    ],
    [
      'SAS disk, smartctl 7.4 keys',
      'smartctl-a-sas-smartctl74.json',
      [
        'proxmon_disk_info{disk_id="0x5000cb0847",device="/dev/sda",model="SEAGATE ST0000000",serial="XYZZZZ",firmware="RSL5",protocol="scsi",type="hdd"} 1',
        'proxmon_disk_smart_passed{disk_id="0x5000cb0847"} 1',
        'proxmon_disk_standby{disk_id="0x5000cb0847"} 0',
        'proxmon_disk_temperature_celsius{disk_id="0x5000cb0847"} 24',
        'proxmon_disk_power_on_seconds{disk_id="0x5000cb0847"} 123199740',
        'proxmon_disk_power_cycles{disk_id="0x5000cb0847"} 220',
        'proxmon_disk_reallocated_sectors{disk_id="0x5000cb0847"} 0',
        'proxmon_disk_media_errors{disk_id="0x5000cb0847"} 0',
        'proxmon_disk_smartctl_exit_status{disk_id="0x5000cb0847"} 0',
        'proxmon_disk_health_severity{disk_id="0x5000cb0847"} 0',
        `proxmon_disk_smart_read_timestamp_seconds{disk_id="0x5000cb0847"} ${TS}`,
      ],
    ],
    [
      'SAS disk, smartctl 6.7 vendor/product keys',
      'smartctl-a-sas-smartctl67.json',
      [
        'proxmon_disk_info{disk_id="Z4028VRY0000C810BZXB",device="/dev/sda",model="SEAGATE ST1200MM0088",serial="Z4028VRY0000C810BZXB",firmware="N004",protocol="scsi",type="hdd"} 1',
        'proxmon_disk_smart_passed{disk_id="Z4028VRY0000C810BZXB"} 1',
        'proxmon_disk_standby{disk_id="Z4028VRY0000C810BZXB"} 0',
        'proxmon_disk_temperature_celsius{disk_id="Z4028VRY0000C810BZXB"} 31',
        'proxmon_disk_power_on_seconds{disk_id="Z4028VRY0000C810BZXB"} 20432340',
        'proxmon_disk_reallocated_sectors{disk_id="Z4028VRY0000C810BZXB"} 0',
        'proxmon_disk_media_errors{disk_id="Z4028VRY0000C810BZXB"} 0',
        'proxmon_disk_smartctl_exit_status{disk_id="Z4028VRY0000C810BZXB"} 0',
        'proxmon_disk_health_severity{disk_id="Z4028VRY0000C810BZXB"} 0',
        `proxmon_disk_smart_read_timestamp_seconds{disk_id="Z4028VRY0000C810BZXB"} ${TS}`,
      ],
    ],
    [
      'SATA disk behind MegaRAID (exit 4)',
      'smartctl-a-megaraid-sat-exit4.json',
      [
        'proxmon_disk_info{disk_id="0x50014ee26101eee7",device="/dev/sda",model="WD4000FYYX",serial="XXXXXXXXXXXX",firmware="00.0D1K4",protocol="ata",type="hdd"} 1',
        'proxmon_disk_smart_passed{disk_id="0x50014ee26101eee7"} 1',
        'proxmon_disk_standby{disk_id="0x50014ee26101eee7"} 0',
        'proxmon_disk_temperature_celsius{disk_id="0x50014ee26101eee7"} 36',
        'proxmon_disk_power_on_seconds{disk_id="0x50014ee26101eee7"} 136033200',
        'proxmon_disk_power_cycles{disk_id="0x50014ee26101eee7"} 70',
        'proxmon_disk_reallocated_sectors{disk_id="0x50014ee26101eee7"} 0',
        'proxmon_disk_pending_sectors{disk_id="0x50014ee26101eee7"} 0',
        'proxmon_disk_offline_uncorrectable_sectors{disk_id="0x50014ee26101eee7"} 0',
        'proxmon_disk_crc_errors{disk_id="0x50014ee26101eee7"} 0',
        'proxmon_disk_smartctl_exit_status{disk_id="0x50014ee26101eee7"} 4',
        'proxmon_disk_health_severity{disk_id="0x50014ee26101eee7"} 1',
        `proxmon_disk_smart_read_timestamp_seconds{disk_id="0x50014ee26101eee7"} ${TS}`,
      ],
    ],
    [
      'SATA HDD with error log records (exit 64)',
      'smartctl-a-sata-hdd-errorlog-exit64.json',
      [
        'proxmon_disk_info{disk_id="0x5000cca0499602d2",device="/dev/sda",model="HGST HUS724020ALE640",serial="REDACTED",firmware="REDACTED",protocol="ata",type="hdd"} 1',
        'proxmon_disk_smart_passed{disk_id="0x5000cca0499602d2"} 1',
        'proxmon_disk_standby{disk_id="0x5000cca0499602d2"} 0',
        'proxmon_disk_temperature_celsius{disk_id="0x5000cca0499602d2"} 26',
        'proxmon_disk_power_on_seconds{disk_id="0x5000cca0499602d2"} 300330000',
        'proxmon_disk_power_cycles{disk_id="0x5000cca0499602d2"} 81',
        'proxmon_disk_reallocated_sectors{disk_id="0x5000cca0499602d2"} 0',
        'proxmon_disk_pending_sectors{disk_id="0x5000cca0499602d2"} 0',
        'proxmon_disk_offline_uncorrectable_sectors{disk_id="0x5000cca0499602d2"} 0',
        'proxmon_disk_crc_errors{disk_id="0x5000cca0499602d2"} 12',
        'proxmon_disk_smartctl_exit_status{disk_id="0x5000cca0499602d2"} 64',
        'proxmon_disk_health_severity{disk_id="0x5000cca0499602d2"} 1',
        `proxmon_disk_smart_read_timestamp_seconds{disk_id="0x5000cca0499602d2"} ${TS}`,
      ],
    ],
    [
      'SATA SSD (wear from device statistics)',
      'smartctl-x-sata-ssd-samsung860.json',
      [
        'proxmon_disk_info{disk_id="0x5002538e40a22954",device="/dev/sda",model="Samsung SSD 860 EVO 500GB",serial="S3YZNB0KB00864E",firmware="RVT02B6Q",protocol="ata",type="ssd"} 1',
        'proxmon_disk_smart_passed{disk_id="0x5002538e40a22954"} 1',
        'proxmon_disk_standby{disk_id="0x5002538e40a22954"} 0',
        'proxmon_disk_temperature_celsius{disk_id="0x5002538e40a22954"} 36',
        'proxmon_disk_power_on_seconds{disk_id="0x5002538e40a22954"} 52383600',
        'proxmon_disk_power_cycles{disk_id="0x5002538e40a22954"} 13',
        'proxmon_disk_reallocated_sectors{disk_id="0x5002538e40a22954"} 0',
        'proxmon_disk_crc_errors{disk_id="0x5002538e40a22954"} 0',
        'proxmon_disk_wear_ratio{disk_id="0x5002538e40a22954"} 0.19',
        'proxmon_disk_smartctl_exit_status{disk_id="0x5002538e40a22954"} 0',
        'proxmon_disk_health_severity{disk_id="0x5002538e40a22954"} 0',
        `proxmon_disk_smart_read_timestamp_seconds{disk_id="0x5002538e40a22954"} ${TS}`,
      ],
    ],
  ])('%s', async (_what, file, lines) => {
    expect(await render(await snapshotOf([file]))).toEqual(lines);
  });

  it('reports a disk found asleep as standby, never as failed, and a failed read as no disk', async () => {
    const snapshot = await snapshotOf([
      'smartctl-a-standby-sata-smartctl75.json',
      'smartctl-a-open-failed-enodev-debian12.json',
      'smartctl-a-sas-smartctl74.json',
    ]);
    expect(snapshot.unreadable.map((u) => [u.device, u.standby ?? false])).toEqual([
      ['/dev/sda', true],
      ['/dev/sdb', false],
    ]);
    const lines = await render(snapshot);
    expect(lines.filter((l) => l.startsWith('proxmon_disk_standby'))).toEqual([
      'proxmon_disk_standby{disk_id="0x5000cb0847"} 0',
    ]);
  });

  it('exports every ATA attribute only when asked', async () => {
    const snapshot = await snapshotOf(['smartctl-a-sata-hdd-failing-usbjmicron-exit216.json']);
    expect((await render(snapshot)).some((l) => l.includes('_attribute_'))).toBe(false);
    const lines = await render(snapshot, true);
    const of5 = lines.filter((l) => l.includes('id="5"'));
    expect(of5).toEqual([
      'proxmon_disk_smart_attribute_value{disk_id="0x5000cca37fca81a8",id="5",name="Reallocated_Sector_Ct"} 1',
      'proxmon_disk_smart_attribute_worst{disk_id="0x5000cca37fca81a8",id="5",name="Reallocated_Sector_Ct"} 1',
      'proxmon_disk_smart_attribute_threshold{disk_id="0x5000cca37fca81a8",id="5",name="Reallocated_Sector_Ct"} 5',
      'proxmon_disk_smart_attribute_raw{disk_id="0x5000cca37fca81a8",id="5",name="Reallocated_Sector_Ct"} 1975',
    ]);
    expect(lines.filter((l) => l.startsWith('proxmon_disk_smart_attribute_raw'))).toHaveLength(17);
    expect(lines).toContain(
      'proxmon_disk_smart_attribute_raw{disk_id="0x5000cca37fca81a8",id="194",name="Temperature_Celsius"} 25',
    );
  });

  it('renders nothing without a fresh snapshot', async () => {
    expect(await render(undefined)).toEqual([]);
  });
});
