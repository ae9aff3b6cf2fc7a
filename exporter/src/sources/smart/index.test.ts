import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExec } from '../exec.js';
import { isAlive, waitFor } from '../../test-support/tools.js';
import { readText } from '../read.js';
import type { SourceContext } from '../source.js';
import { createSmartSource, type SmartOptions, type SmartSnapshot } from './index.js';

const fakeBin = fileURLToPath(new URL('../../../../tests/fake-bin/', import.meta.url));
const recorded = join(fakeBin, 'smartctl-recorded');
const hangsOn = join(fakeBin, 'smartctl-hangs-on');
const fixtures = join(fakeBin, 'fixtures/smartctl');

const ENV = [
  'SMARTCTL_ARGS_LOG',
  'SMARTCTL_FIXTURES',
  'SMARTCTL_OVERLAY',
  'SMARTCTL_HANG_DEVICES',
  'SMARTCTL_HANG_PID_FILE',
];
let dir: string;
let clock: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proxmon-smart-'));
  process.env.SMARTCTL_ARGS_LOG = join(dir, 'args.log');
  clock = Date.UTC(2026, 10, 26, 12);
});
afterEach(() => {
  for (const k of ENV) delete process.env[k];
  rmSync(dir, { recursive: true, force: true });
});

function context(smartctl: string, signal = new AbortController().signal): SourceContext {
  return {
    paths: { procfs: join(dir, 'proc'), sysfs: join(dir, 'sys'), rootfs: dir },
    exec: createExec({ smartctl }),
    readText,
    signal,
    now: () => clock,
    logger: pino({ level: 'silent' }),
  };
}

/** The smartctl command lines run so far, one per call. */
const calls = () =>
  existsSync(join(dir, 'args.log')) ? readFileSync(join(dir, 'args.log'), 'utf8').trim().split('\n') : [];

async function collect(options: SmartOptions, smartctl = recorded): Promise<SmartSnapshot> {
  const r = await createSmartSource(options).collect(context(smartctl));
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

const summary = (s: SmartSnapshot) =>
  s.disks.map((d) => ({
    diskId: d.diskId,
    device: d.identity.device,
    standby: d.standby,
    severity: d.health.severity,
    temperature: d.values.temperatureCelsius,
    error: d.error,
  }));

describe('smart source through a stand-in smartctl', () => {
  it('scans, reads every device with -n standby, and leaves the sleeping disk asleep', async () => {
    const snapshot = await collect({});
    expect(summary(snapshot)).toEqual([
      {
        diskId: '0x5000cca0499602d2',
        device: '/dev/sda',
        standby: false,
        severity: 1,
        temperature: 26,
        error: undefined,
      },
      {
        diskId: '0x5000cb0847',
        device: '/dev/sdc',
        standby: false,
        severity: 0,
        temperature: 24,
        error: undefined,
      },
      {
        diskId: 'REDACTED',
        device: '/dev/nvme0',
        standby: false,
        severity: 3,
        temperature: 40,
        error: undefined,
      },
      {
        diskId: '0x50014ee26101eee7',
        device: '/dev/bus/6',
        standby: false,
        severity: 1,
        temperature: 36,
        error: undefined,
      },
    ]);
    // Asleep since before its first read, and the kernel has no WWN for it here: nothing to name it by.
    expect(snapshot.unreadable).toEqual([
      {
        device: '/dev/sdb',
        type: 'sat',
        reason: 'in STANDBY mode since before its first read',
        exitStatus: 2,
        standby: true,
      },
    ]);
    expect(snapshot.scannedAt).toBe(clock);
    expect(snapshot.disks[3]?.identity).toMatchObject({
      deviceType: 'megaraid,8',
      resolvedType: 'sat+megaraid,0',
    });

    const lines = calls();
    // --scan lists devices without sending them a command (--scan-open would IDENTIFY each one).
    expect(lines[0]).toBe('--scan -j');
    expect(lines.slice(1).sort()).toEqual([
      '-j -a -n standby -d megaraid,8 /dev/bus/6',
      '-j -a -n standby -d nvme /dev/nvme0',
      '-j -a -n standby -d sat /dev/sda',
      '-j -a -n standby -d sat /dev/sdb',
      '-j -a -n standby /dev/sdc',
    ]);
    // A sleeping disk is not woken: every per-device call carries -n standby.
    for (const line of lines.slice(1)) expect(line).toMatch(/(^| )-n standby( |$)/);
  });

  it('keeps a disk that fell asleep with its last values, without its temperature', async () => {
    const source = createSmartSource({});
    const ctx = context(recorded);
    process.env.SMARTCTL_OVERLAY = join(fixtures, 'awake');
    const awake = await source.collect(ctx);
    if (!awake.ok) throw new Error(awake.error.message);
    const readAt = clock;
    const before = awake.value.disks.find((d) => d.identity.device === '/dev/sdb');
    expect(before).toMatchObject({ diskId: '0x5000cca37fca81a8', standby: false, readAt, exitStatus: 216 });
    expect(before?.values.temperatureCelsius).toBe(25);

    delete process.env.SMARTCTL_OVERLAY;
    clock += 1800_000;
    const asleep = await source.collect(ctx);
    if (!asleep.ok) throw new Error(asleep.error.message);
    const after = asleep.value.disks.find((d) => d.identity.device === '/dev/sdb');
    expect(after).toMatchObject({ diskId: '0x5000cca37fca81a8', standby: true, readAt, exitStatus: 216 });
    expect(after?.error).toBeUndefined();
    expect(after?.values).toMatchObject({ smartPassed: false, reallocatedSectors: 1975, pendingSectors: 8 });
    expect(after?.values.temperatureCelsius).toBeUndefined();
    expect(after?.health.severity).toBe(3);
    expect(asleep.value.unreadable).toEqual([]);
    // 30 minutes later the 10-minute-old scan is redone; a shorter interval would reuse it.
    expect(calls().filter((l) => l.startsWith('--scan'))).toHaveLength(2);
  });

  it('reuses the scan for 10 minutes and rescans after that', async () => {
    const source = createSmartSource({});
    const ctx = context(recorded);
    for (const step of [0, 300_000, 299_000, 1_000]) {
      clock += step;
      expect((await source.collect(ctx)).ok).toBe(true);
    }
    expect(calls().filter((l) => l.startsWith('--scan'))).toHaveLength(2);
  });

  it('names a disk first seen asleep by the WWN the kernel holds, without waking it', async () => {
    mkdirSync(join(dir, 'sys/block/sdb/device'), { recursive: true });
    writeFileSync(join(dir, 'sys/block/sdb/device/wwid'), 'naa.5000cca37fca81a8\n');
    const source = createSmartSource({});
    const ctx = context(recorded);
    const first = await source.collect(ctx);
    if (!first.ok) throw new Error(first.error.message);
    const sdb = first.value.disks.find((d) => d.identity.device === '/dev/sdb');
    expect(sdb).toMatchObject({
      diskId: '0x5000cca37fca81a8',
      standby: true,
      readAt: undefined,
      identity: { protocol: 'ata', kind: 'unknown', wwn: '0x5000cca37fca81a8' },
      health: { severity: 0, reasons: [] },
    });
    // Once it wakes, the read joins the same disk_id.
    process.env.SMARTCTL_OVERLAY = join(fixtures, 'awake');
    const later = await source.collect(ctx);
    const woke = later.ok ? later.value.disks.find((d) => d.identity.device === '/dev/sdb') : undefined;
    expect(woke).toMatchObject({ diskId: '0x5000cca37fca81a8', standby: false, identity: { kind: 'hdd' } });
  });

  it('kills a hung smartctl at its deadline, still reports the other disks, and backs the hung one off', async () => {
    const pidFile = join(dir, 'hang.pid');
    process.env.SMARTCTL_HANG_DEVICES = '/dev/sdc';
    process.env.SMARTCTL_HANG_PID_FILE = pidFile;
    // Long enough for the stand-in's normal reads on a loaded machine.
    const source = createSmartSource({ deviceTimeoutMs: 2000 });
    const ctx = context(hangsOn);

    const started = performance.now();
    const first = await source.collect(ctx);
    expect(performance.now() - started).toBeLessThan(2000 + 2500);
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.disks.map((d) => d.identity.device)).toEqual(['/dev/sda', '/dev/nvme0', '/dev/bus/6']);
    expect(first.value.unreadable).toContainEqual({
      device: '/dev/sdc',
      type: 'scsi',
      reason: 'smartctl: timed out after 2000 ms',
      exitStatus: undefined,
    });
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(1);
    await waitFor(() => !isAlive(pid), 2000); // throws if the hung tool outlives its kill

    // Backed off: the next two rounds start no smartctl on it; the third tries again.
    for (const round of [1, 2]) {
      const next = await source.collect(ctx);
      expect(next.ok && next.value.unreadable.find((u) => u.device === '/dev/sdc')?.reason).toBe(
        `smartctl hung here earlier; retried in ${round === 1 ? '2 rounds' : '1 round'}`,
      );
    }
    expect(calls().filter((l) => l.endsWith('/dev/sdc'))).toHaveLength(1);
    delete process.env.SMARTCTL_HANG_DEVICES;
    const third = await source.collect(ctx);
    expect(third.ok && third.value.disks.map((d) => d.identity.device)).toContain('/dev/sdc');
  });

  it('keeps the last values of a disk whose read hangs after it was read once', async () => {
    // Long enough for the stand-in's normal read on a loaded machine; the hung read then costs this much.
    const source = createSmartSource({ deviceTimeoutMs: 2000 });
    const ctx = context(hangsOn);
    const first = await source.collect(ctx);
    expect(first.ok && first.value.disks.map((d) => d.identity.device)).toContain('/dev/sda');
    process.env.SMARTCTL_HANG_DEVICES = '/dev/sda';
    const r = await source.collect(ctx);
    const sda = r.ok ? r.value.disks.find((d) => d.identity.device === '/dev/sda') : undefined;
    expect(sda).toMatchObject({ standby: false, error: 'smartctl: timed out after 2000 ms' });
    expect(sda?.values).toMatchObject({ crcErrors: 12, powerOnSeconds: 83425 * 3600 });
    expect(sda?.values.temperatureCelsius).toBeUndefined();
  });

  it('stops starting reads in time to finish within the source deadline', async () => {
    process.env.SMARTCTL_HANG_DEVICES = '/dev/sda /dev/sdb /dev/sdc /dev/nvme0 /dev/bus/6';
    // 3 s deadline, 1 s per device, one at a time: reads may start until 3 - 1 - 1 = 1 s in.
    const source = createSmartSource({ timeoutSeconds: 3, deviceTimeoutMs: 1000, concurrency: 1 });
    const started = performance.now();
    const r = await source.collect(context(hangsOn));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(r).toMatchObject({ ok: false, error: { kind: 'io' } });
    expect(calls().filter((l) => !l.startsWith('--scan')).length).toBeLessThanOrEqual(2);
  });

  it('reads configured devices (megaraid) with their -d type and power check, also with the scan off', async () => {
    const snapshot = await collect({
      scan: false,
      devices: [
        { device: '/dev/bus/6', type: 'megaraid,8' },
        { device: '/dev/sda', powerModeCheck: 'never' },
      ],
    });
    expect(snapshot.disks.map((d) => d.diskId)).toEqual(['0x50014ee26101eee7', '0x5000cca0499602d2']);
    expect(snapshot.scannedAt).toBeUndefined();
    expect(calls().sort()).toEqual(['-j -a -n never /dev/sda', '-j -a -n standby -d megaraid,8 /dev/bus/6']);
  });

  it('lets a configured device override the scanned one, and leaves excluded paths alone', async () => {
    await collect({ exclude: /^\/dev\/bus\//, devices: [{ device: '/dev/sda', powerModeCheck: 'sleep' }] });
    expect(calls().slice(1).sort()).toEqual([
      '-j -a -n sleep -d sat /dev/sda',
      '-j -a -n standby -d nvme /dev/nvme0',
      '-j -a -n standby -d sat /dev/sdb',
      '-j -a -n standby /dev/sdc',
    ]);
  });

  it('reads a device the scan calls scsi with the type its first read resolved', async () => {
    const source = createSmartSource({ scanOpen: true });
    const ctx = context(recorded);
    await source.collect(ctx);
    clock += 1800_000;
    await source.collect(ctx);
    expect(calls().filter((l) => l.endsWith('/dev/sdc'))).toEqual([
      '-j -a -n standby /dev/sdc',
      '-j -a -n standby -d scsi /dev/sdc',
    ]);
    expect(calls().filter((l) => l.startsWith('--scan'))).toEqual(['--scan-open -j', '--scan-open -j']);
  });

  it('rescans at once after a device vanished', async () => {
    const source = createSmartSource({ devices: [{ device: '/dev/sdq' }] });
    const ctx = context(recorded);
    const r = await source.collect(ctx);
    expect(r.ok && r.value.unreadable).toContainEqual({
      device: '/dev/sdq',
      type: undefined,
      reason: 'Smartctl open device: /dev/sdz failed: No such device',
      exitStatus: 2,
    });
    await source.collect(ctx);
    expect(calls().filter((l) => l.startsWith('--scan'))).toHaveLength(2);
  });

  it('is absent when smartctl is not installed or finds no devices', async () => {
    const missing = await createSmartSource().collect(context(join(dir, 'no-such-smartctl')));
    expect(missing).toEqual({ ok: false, error: { kind: 'absent', message: 'smartctl: not installed' } });
    process.env.SMARTCTL_FIXTURES = join(fixtures, 'empty');
    const empty = await createSmartSource().collect(context(recorded));
    expect(empty).toEqual({ ok: false, error: { kind: 'absent', message: 'smartctl: no devices found' } });
  });

  it('fails with the reason when smartctl prints garbage and exits non-zero', async () => {
    const r = await createSmartSource().collect(context(join(fakeBin, 'smartctl-garbage')));
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'exit',
        message:
          'smartctl --scan exited 2: smartctl --scan -j: not a JSON object (starts "{ "json_format_version": [ 1, 0 ], "smartctl": { "vers")',
      },
    });
  });
});
