import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessDisk } from './health.js';
import { wwnFromAta, wwnFromSysfsWwid } from './identity.js';
import { parseSmartctlReply, parseSmartctlScan } from './parse.js';
import type { SmartctlReply } from './types.js';

const text = (file: string) => readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
/** The status the real smartctl exited with is the one recorded in the reply. */
const recordedStatus = (t: string) => Number(/"exit_status":\s*(\d+)/.exec(t)?.[1] ?? 0);

function reply(file: string): SmartctlReply {
  const t = text(file);
  const r = parseSmartctlReply(t, recordedStatus(t));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function reading(file: string) {
  const r = reply(file);
  if (r.kind !== 'reading') throw new Error(`${file}: ${r.kind}`);
  return r;
}

describe('parseSmartctlReply', () => {
  it('reads a SATA HDD that passes but has error log entries and CRC errors (exit 64, smartctl 7.3)', () => {
    const r = reading('smartctl-a-sata-hdd-errorlog-exit64.json');
    expect(r.exitStatus).toBe(64);
    expect(r.identity).toEqual({
      diskId: '0x5000cca0499602d2',
      resolvedType: 'sat',
      protocol: 'ata',
      kind: 'hdd',
      model: 'HGST HUS724020ALE640',
      serial: 'REDACTED',
      firmware: 'REDACTED',
      wwn: '0x5000cca0499602d2',
      sizeBytes: 2000398934016,
      rotationRpm: 7200,
    });
    const { attributes, ...values } = r.values;
    expect(values).toEqual({
      smartPassed: true,
      temperatureCelsius: 26,
      powerOnSeconds: 83425 * 3600,
      powerCycles: 81,
      reallocatedSectors: 0,
      pendingSectors: 0,
      offlineUncorrectableSectors: 0,
      crcErrors: 12,
      errorLogCount: 12,
    });
    expect(attributes).toHaveLength(17);
    // 194's raw value packs min/max into 176094511130; the raw string's first number is the reading.
    expect(attributes.find((a) => a.id === 194)).toEqual({
      id: 194,
      name: 'Temperature_Celsius',
      value: 230,
      worst: 230,
      threshold: 0,
      raw: 26,
      rawString: '26 (Min/Max 13/41)',
      prefailure: false,
    });
  });

  it('reads a failing HDD behind a USB JMicron bridge (exit 216: failing, prefail, error log, self-test)', () => {
    const r = reading('smartctl-a-sata-hdd-failing-usbjmicron-exit216.json');
    expect(r.exitStatus).toBe(216);
    expect(r.identity).toMatchObject({
      diskId: '0x5000cca37fca81a8',
      resolvedType: 'usbjmicron',
      protocol: 'ata',
      kind: 'hdd',
      model: 'Hitachi HDS721050DLE630',
      serial: 'MSK423Y20S3HBC',
    });
    expect(r.values).toMatchObject({
      smartPassed: false,
      temperatureCelsius: 25,
      powerOnSeconds: 65592 * 3600,
      powerCycles: 86,
      reallocatedSectors: 1975,
      pendingSectors: 8,
      offlineUncorrectableSectors: 0,
      crcErrors: 0,
      errorLogCount: 56,
      selfTestErrors: 3,
    });
    expect(r.values.attributes.find((a) => a.id === 5)).toMatchObject({
      whenFailed: 'now',
      prefailure: true,
    });
    expect(r.values.wearRatio).toBeUndefined();
  });

  it('reads a SATA disk behind a MegaRAID controller (exit 4: answered from an attribute check)', () => {
    const r = reading('smartctl-a-megaraid-sat-exit4.json');
    expect(r.exitStatus).toBe(4);
    expect(r.messages).toEqual(['Warning: This result is based on an Attribute check.']);
    expect(r.identity).toMatchObject({
      diskId: '0x50014ee26101eee7',
      resolvedType: 'sat+megaraid,0',
      kind: 'hdd',
      model: 'WD4000FYYX',
      sizeBytes: 4000787030016,
    });
    expect(r.values).toMatchObject({
      smartPassed: true,
      temperatureCelsius: 36,
      powerOnSeconds: 37787 * 3600,
      reallocatedSectors: 0,
      pendingSectors: 0,
    });
  });

  it('reads a SATA SSD with -x: wear from the device statistics, vendor temperature limit', () => {
    const r = reading('smartctl-x-sata-ssd-samsung860.json');
    expect(r.identity).toMatchObject({
      diskId: '0x5002538e40a22954',
      kind: 'ssd',
      model: 'Samsung SSD 860 EVO 500GB',
    });
    expect(r.identity.rotationRpm).toBeUndefined();
    expect(r.values).toMatchObject({
      smartPassed: true,
      temperatureCelsius: 36,
      temperatureLimitCelsius: 70,
      powerOnSeconds: 14551 * 3600,
      powerCycles: 13,
      reallocatedSectors: 0,
      crcErrors: 0,
      wearRatio: 0.19,
    });
    // Without device statistics the Wear_Leveling_Count normalized value (81 left) gives the same.
    const t = text('smartctl-x-sata-ssd-samsung860.json');
    const json = JSON.parse(t) as Record<string, unknown>;
    delete json.ata_device_statistics;
    const r2 = parseSmartctlReply(JSON.stringify(json), 0);
    expect(r2.ok && r2.value.kind === 'reading' && r2.value.values.wearRatio).toBe(0.19);
  });

  it('reads a failed NVMe with a critical warning (exit 8, smartctl 7.3)', () => {
    const r = reading('smartctl-a-nvme-critical-warning-failed.json');
    expect(r.exitStatus).toBe(8);
    expect(r.identity).toMatchObject({
      diskId: 'REDACTED',
      protocol: 'nvme',
      kind: 'nvme',
      model: 'SAMSUNG MZWLL3T2HAJQ-00005',
      sizeBytes: 3200631791616,
    });
    expect(r.identity.wwn).toBeUndefined();
    const { attributes, ...values } = r.values;
    expect(attributes).toEqual([]);
    expect(values).toEqual({
      smartPassed: false,
      temperatureCelsius: 40,
      powerOnSeconds: 18376 * 3600,
      powerCycles: 6,
      mediaErrors: 0,
      wearRatio: 0,
      availableSpareRatio: 1,
      availableSpareThresholdRatio: 0.1,
      criticalWarning: 16,
      errorLogCount: 0,
    });
  });

  it('reads an NVMe that passes with media errors (smartctl 7.0 -x)', () => {
    const r = reading('smartctl-x-nvme-media-errors.json');
    expect(r.identity.diskId).toBe('S466NX0M776250H');
    expect(r.values).toMatchObject({
      smartPassed: true,
      temperatureCelsius: 35,
      powerOnSeconds: 12798 * 3600,
      powerCycles: 25,
      mediaErrors: 7,
      wearRatio: 0.03,
      availableSpareRatio: 0.99,
      criticalWarning: 0,
      errorLogCount: 62,
    });
  });

  it('reads a healthy NVMe in the smartctl 7.4 layout', () => {
    const r = reading('smartctl-a-nvme-smartctl74.json');
    expect(r.identity).toMatchObject({ diskId: '6D1107091C9583054511', firmware: 'RKT401.3', kind: 'nvme' });
    expect(r.values).toMatchObject({
      temperatureCelsius: 48,
      wearRatio: 0.04,
      powerCycles: 1815,
      mediaErrors: 0,
    });
  });

  it('reads a SAS disk with the old vendor/product keys (smartctl 6.7)', () => {
    const r = reading('smartctl-a-sas-smartctl67.json');
    expect(r.identity).toEqual({
      diskId: 'Z4028VRY0000C810BZXB',
      resolvedType: 'scsi',
      protocol: 'scsi',
      kind: 'hdd',
      model: 'SEAGATE ST1200MM0088',
      serial: 'Z4028VRY0000C810BZXB',
      firmware: 'N004',
      wwn: undefined,
      sizeBytes: 1200243695616,
      rotationRpm: 10500,
    });
    const { attributes, ...values } = r.values;
    expect(attributes).toEqual([]);
    expect(values).toEqual({
      smartPassed: true,
      temperatureCelsius: 31,
      temperatureLimitCelsius: 60,
      powerOnSeconds: 5675 * 3600 + 39 * 60,
      reallocatedSectors: 0,
      mediaErrors: 0,
    });
  });

  it('reads a SAS disk with the smartctl 7.4 scsi_* keys and its logical unit id as WWN', () => {
    const r = reading('smartctl-a-sas-smartctl74.json');
    expect(r.identity).toMatchObject({
      diskId: '0x5000cb0847',
      wwn: '0x5000cb0847',
      model: 'SEAGATE ST0000000',
      firmware: 'RSL5',
      kind: 'hdd',
    });
    expect(r.values).toMatchObject({
      temperatureCelsius: 24,
      temperatureLimitCelsius: 60,
      powerOnSeconds: 34222 * 3600 + 9 * 60,
      powerCycles: 220,
      reallocatedSectors: 0,
      mediaErrors: 0,
    });
  });

  it('recognises a sleeping disk from its standby reply (exit 2 with a message, smartctl 7.5)', () => {
    expect(reply('smartctl-a-standby-sata-smartctl75.json')).toEqual({
      kind: 'standby',
      powerMode: 'STANDBY',
      exitStatus: 2,
      protocol: 'ata',
      resolvedType: 'sat',
    });
    // Older smartctl printed the message as text; -n standby,0 exits 0.
    expect(parseSmartctlReply('Device is in SLEEP mode, exit(2)\n', 2)).toEqual({
      ok: true,
      value: { kind: 'standby', powerMode: 'SLEEP', exitStatus: 2, protocol: 'unknown' },
    });
    const os = `{"smartctl":{"messages":[{"string":"Device is in STANDBY (OS) mode, exit(0)","severity":"information"}],"exit_status":0}}`;
    expect(parseSmartctlReply(os, 0)).toMatchObject({
      ok: true,
      value: { kind: 'standby', powerMode: 'STANDBY (OS)' },
    });
  });

  it.each([
    [
      'smartctl-a-open-failed-smartctl70.json',
      2,
      'Smartctl open device: /dev/sda failed: \\\\.\\PhysicalDrive0: Open failed, Error=5',
    ],
    [
      'smartctl-a-open-failed-enodev-debian12.json',
      2,
      'Smartctl open device: /dev/sdz failed: No such device',
    ],
    [
      'smartctl-a-open-failed-eperm-debian12.json',
      2,
      'Smartctl open device: /dev/vda [SAT] failed: Operation not permitted',
    ],
    ['smartctl-a-virtio-unknown-type-debian12.json', 1, '/dev/vda: Unable to detect device type'],
  ])(
    'reports %s as failed (exit %i): exit 2 without a power-mode message is not a sleeping disk',
    (file, status, message) => {
      expect(reply(file)).toEqual({ kind: 'failed', exitStatus: status, message });
    },
  );

  it('takes the JSON after text printed before it (smartctl < 7.3 "Pending defect count:")', () => {
    const t = `  Pending defect count:0 Pending Defects\n${text('smartctl-a-sas-smartctl67.json')}`;
    const r = parseSmartctlReply(t, 0);
    expect(r.ok && r.value.kind === 'reading' && r.value.identity.diskId).toBe('Z4028VRY0000C810BZXB');
  });

  it('uses the JSON exit_status only when the process said 0', () => {
    const t = text('smartctl-a-sata-hdd-errorlog-exit64.json');
    expect(parseSmartctlReply(t, 0)).toMatchObject({ ok: true, value: { exitStatus: 64 } });
    expect(parseSmartctlReply(t, 68)).toMatchObject({ ok: true, value: { exitStatus: 68 } });
  });

  it('fails with a parse error on output that is not JSON', () => {
    expect(parseSmartctlReply('', 0)).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'smartctl -j -a: not a JSON object (empty output)' },
    });
    const truncated = text('smartctl-a-nvme-smartctl74.json').slice(0, 500);
    expect(parseSmartctlReply(truncated, 0)).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });
});

describe('parseSmartctlScan', () => {
  it('lists SAT and NVMe devices (smartctl 7.5)', () => {
    expect(parseSmartctlScan(text('smartctl-scan-sat-nvme-smartctl75.json'))).toEqual({
      ok: true,
      value: [
        { name: '/dev/sda', type: 'sat', protocol: 'ATA', openError: undefined },
        { name: '/dev/nvme0', type: 'nvme', protocol: 'NVMe', openError: undefined },
      ],
    });
  });

  it('lists MegaRAID disks as one path with a -d type each (smartctl 7.1)', () => {
    const r = parseSmartctlScan(text('smartctl-scan-megaraid-mixed-smartctl71.json'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toHaveLength(10);
    expect(r.value.slice(2, 5).map((d) => [d.name, d.type])).toEqual([
      ['/dev/sdc', 'sat'],
      ['/dev/bus/6', 'megaraid,8'],
      ['/dev/bus/6', 'megaraid,9'],
    ]);
  });

  it('reads a scan with no devices, where smartctl leaves the key out (recorded, 7.3 in a VM)', () => {
    expect(parseSmartctlScan(text('smartctl-scan-open-empty-debian12.json'))).toEqual({
      ok: true,
      value: [],
    });
  });

  it('keeps a device --scan-open could not open, with the reason', () => {
    const t = '{"devices":[{"name":"/dev/sdb","type":"sat","open_error":"Permission denied"},{"type":"x"}]}';
    expect(parseSmartctlScan(t)).toEqual({
      ok: true,
      value: [{ name: '/dev/sdb', type: 'sat', protocol: undefined, openError: 'Permission denied' }],
    });
  });
});

describe('disk identity', () => {
  it('formats an ATA WWN the way /dev/disk/by-id names it', () => {
    // smartctl -i prints "LU WWN Device Id: 5 000cca 257e79007"; udev: wwn-0x5000cca257e79007.
    expect(wwnFromAta({ naa: 5, oui: 0xcca, id: 0x257e79007 })).toBe('0x5000cca257e79007');
    expect(wwnFromAta({ naa: 5, oui: 3274 })).toBeUndefined();
    expect(wwnFromAta({ naa: 5, oui: -1, id: 1 })).toBeUndefined();
  });

  it('reads the kernel wwid only when it is an NAA name', () => {
    expect(wwnFromSysfsWwid('naa.5000CCA37FCA81A8\n')).toBe('0x5000cca37fca81a8');
    expect(
      wwnFromSysfsWwid('t10.ATA     Hitachi HDS721050DLE630                 MSK423Y20S3HBC'),
    ).toBeUndefined();
  });
});

describe('assessDisk', () => {
  const verdict = (file: string) => {
    const r = reading(file);
    return assessDisk(r.identity, r.values, r.exitStatus);
  };

  it.each([
    [
      'smartctl-a-sata-hdd-failing-usbjmicron-exit216.json',
      3,
      [
        'smart_failed',
        'prefail_attribute_failing',
        'self_test_failed',
        'reallocated_sectors',
        'pending_sectors',
        'error_log',
      ],
    ],
    ['smartctl-a-nvme-critical-warning-failed.json', 3, ['smart_failed', 'nvme_critical_warning']],
    ['smartctl-x-nvme-media-errors.json', 2, ['media_errors']],
    ['smartctl-a-sata-hdd-errorlog-exit64.json', 1, ['crc_errors', 'error_log']],
    ['smartctl-a-megaraid-sat-exit4.json', 1, ['smart_command_failed']],
    ['smartctl-x-sata-ssd-samsung860.json', 0, []],
    ['smartctl-a-nvme-smartctl74.json', 0, []],
    ['smartctl-a-sas-smartctl74.json', 0, []],
  ])('%s: severity %i', (file, severity, codes) => {
    const v = verdict(file);
    expect(v.severity).toBe(severity);
    expect(v.reasons.map((r) => r.code)).toEqual(codes);
  });

  it('names what it found', () => {
    expect(verdict('smartctl-a-sata-hdd-failing-usbjmicron-exit216.json').reasons.slice(0, 4)).toEqual([
      { code: 'smart_failed', severity: 3, message: 'SMART overall-health self-assessment: FAILED' },
      {
        code: 'prefail_attribute_failing',
        severity: 3,
        message: 'pre-failure attribute at or below its threshold: Reallocated_Sector_Ct',
      },
      { code: 'self_test_failed', severity: 2, message: 'self-test log has failed tests (3)' },
      { code: 'reallocated_sectors', severity: 3, message: '1975 reallocated sectors' },
    ]);
    expect(verdict('smartctl-a-nvme-critical-warning-failed.json').reasons[1]?.message).toBe(
      'NVMe critical warning 0x10: volatile memory backup failed',
    );
  });

  it('judges temperature by class: HDD 60/65, SSD 70/75, NVMe 80/85, SAS 55/65, or the vendor limit', () => {
    const at = (protocol: 'ata' | 'nvme' | 'scsi', kind: 'hdd' | 'ssd' | 'nvme', t: number, limit?: number) =>
      assessDisk(
        { protocol, kind },
        { attributes: [], temperatureCelsius: t, temperatureLimitCelsius: limit },
        0,
      ).severity;
    expect([59, 60, 65].map((t) => at('ata', 'hdd', t))).toEqual([0, 2, 3]);
    expect([69, 70, 75].map((t) => at('ata', 'ssd', t))).toEqual([0, 2, 3]);
    expect([79, 80, 85].map((t) => at('nvme', 'nvme', t))).toEqual([0, 2, 3]);
    expect([54, 55, 65].map((t) => at('scsi', 'hdd', t))).toEqual([0, 2, 3]);
    expect(at('scsi', 'hdd', 50, 50)).toBe(3);
  });

  it('grades sectors: any is a warning, more than 10 critical; CRC errors are only INFO', () => {
    const of = (v: object) =>
      assessDisk({ protocol: 'ata', kind: 'hdd' }, { attributes: [], ...v }, 0).severity;
    expect([0, 1, 10, 11].map((n) => of({ pendingSectors: n }))).toEqual([0, 2, 2, 3]);
    expect(of({ reallocatedSectors: 11 })).toBe(3);
    expect(of({ crcErrors: 500 })).toBe(1);
    expect([0.5, 0.9, 1.2].map((w) => of({ wearRatio: w }))).toEqual([0, 2, 3]);
    expect(of({ criticalWarning: 2 })).toBe(2);
  });
});

describe('smartctl output that is broken', () => {
  const fixtures = [
    'smartctl-a-sata-hdd-errorlog-exit64.json',
    'smartctl-a-nvme-critical-warning-failed.json',
    'smartctl-a-sas-smartctl74.json',
    'smartctl-x-sata-ssd-samsung860.json',
    'smartctl-a-standby-sata-smartctl75.json',
  ].map(text);

  it('never throws on truncated output, and answers with a reply or a parse error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (t, cut, status) => {
          const r = parseSmartctlReply(t.slice(0, cut % (t.length + 1)), status);
          if (!r.ok) expect(r.error.kind).toBe('parse');
        },
      ),
    );
  });

  it('never throws on JSON whose values have the wrong types', () => {
    const anyJson = fc.jsonValue();
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat(), anyJson), { maxLength: 8 }),
        (t, edits) => {
          const json = JSON.parse(t) as Record<string, unknown>;
          const keys = Object.keys(json);
          for (const [i, v] of edits) json[keys[i % keys.length]!] = v;
          const r = parseSmartctlReply(JSON.stringify(json), 0);
          expect(r.ok).toBe(true);
          if (r.ok && r.value.kind === 'reading') {
            const v = assessDisk(r.value.identity, r.value.values, r.value.exitStatus);
            expect([0, 1, 2, 3]).toContain(v.severity);
            for (const n of [r.value.values.temperatureCelsius, r.value.values.powerOnSeconds])
              if (n !== undefined) expect(Number.isFinite(n)).toBe(true);
          }
        },
      ),
    );
  });

  it('never throws on random text, for the scan either', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 255 }), (t, status) => {
        parseSmartctlReply(t, status);
        const scan = parseSmartctlScan(t);
        if (!scan.ok) expect(scan.error.kind).toBe('parse');
      }),
    );
  });
});
