import { fail, ok, type Result, type Source, type SourceContext } from '../source.js';
import { mapConcurrently } from '../filesystems/concurrency.js';
import {
  DEFAULT_TEMPERATURE_THRESHOLDS,
  type TemperatureClass,
  type TemperatureThreshold,
} from './health.js';
import { createDeviceList, type ListedDevice } from './devices.js';
import { parseSmartctlReply } from './parse.js';
import { buildSnapshot, type DeviceOutcome, type DiskMemory } from './snapshot.js';
import type { PowerModeCheck, SmartSnapshot } from './types.js';

export type * from './types.js';
export { parseSmartctlReply, parseSmartctlScan } from './parse.js';
export { assessDisk, DEFAULT_TEMPERATURE_THRESHOLDS, temperatureClass } from './health.js';
export type { TemperatureClass, TemperatureThreshold } from './health.js';

export const SMART_SOURCE = 'smart';

export interface SmartOptions {
  /** Devices to query besides (or instead of) the scan, e.g. `{ device: '/dev/sda', type: 'megaraid,0' }`. */
  devices?: readonly { device: string; type?: string; powerModeCheck?: PowerModeCheck }[];
  /** Find devices with `smartctl --scan -j` (default true); false queries only `devices`. */
  scan?: boolean;
  /**
   * Scan with `--scan-open` (default false): it resolves every type up front, but by sending each
   * disk IDENTIFY, which may spin a sleeping one up at every rescan.
   */
  scanOpen?: boolean;
  /** Scanned device paths to leave alone (configured devices are always queried). */
  exclude?: RegExp;
  /** The scan is reused for this long (default 600 s). */
  rescanSeconds?: number;
  /** smartctl processes in flight at once (default 4). */
  concurrency?: number;
  /** Deadline for one device's smartctl (default 20 s); a device that misses it is backed off. */
  deviceTimeoutMs?: number;
  /** Rounds a hung device is skipped before it is tried again (default 2). */
  backoffRounds?: number;
  /** smartctl `-n` for scanned devices (default `standby`: a sleeping disk is never woken). */
  powerModeCheck?: PowerModeCheck;
  /** Overrides of the per-class disk temperature thresholds (°C). */
  temperatureThresholds?: Partial<Record<TemperatureClass, TemperatureThreshold>>;
  /** Default cadence and hard deadline (config `sources.smart.*` overrides them in the scheduler). */
  intervalSeconds?: number;
  /** Pass the effective deadline so the round stops starting reads in time to finish within it. */
  timeoutSeconds?: number;
}

const MARGIN_MS = 1000;

/**
 * SMART for every disk smartctl can see, ATA, NVMe and SCSI/SAS, behind USB bridges and RAID
 * controllers alike. One source, one cadence (30 min): each round reuses the device scan while it is
 * under 10 minutes old (so with a shorter interval the scan still runs at most every 10 minutes)
 * and reads every device. Every read passes `-n standby`: a sleeping disk answers "Device is in
 * STANDBY mode" and is left asleep, reported with `standby` and its last values. Each smartctl has
 * its own deadline (its process group killed at it), the round stops starting reads before the
 * source's deadline, and a device that hung is skipped for a few rounds so hung processes never
 * pile up.
 */
export function createSmartSource(options: SmartOptions = {}): Source<SmartSnapshot> {
  const timeoutSeconds = options.timeoutSeconds ?? 120;
  const deadlineMs = timeoutSeconds * 1000;
  const deviceTimeoutMs = Math.min(options.deviceTimeoutMs ?? 20_000, deadlineMs / 3);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const backoffRounds = options.backoffRounds ?? 2;
  const thresholds = { ...DEFAULT_TEMPERATURE_THRESHOLDS, ...options.temperatureThresholds };
  const devices = createDeviceList({
    configured: (options.devices ?? []).map(({ device, type, powerModeCheck }) => ({
      name: device,
      type,
      powerModeCheck,
    })),
    scan: options.scan ?? true,
    scanOpen: options.scanOpen ?? false,
    exclude: options.exclude,
    rescanMs: (options.rescanSeconds ?? 600) * 1000,
    scanTimeoutMs: Math.min(15_000, deadlineMs / 4),
    powerModeCheck: options.powerModeCheck ?? 'standby',
  });
  /** The last state of each device, keyed by path and type, for standby and failed rounds. */
  const memory: DiskMemory = new Map();
  /** Rounds left to skip, per device that hung. */
  const backoff = new Map<string, number>();

  const readDevice = async (
    ctx: SourceContext,
    d: ListedDevice,
    startedAt: number,
  ): Promise<DeviceOutcome> => {
    const key = d.key;
    const skipLeft = backoff.get(key) ?? 0;
    if (skipLeft > 0) {
      backoff.set(key, skipLeft - 1);
      return {
        device: d,
        kind: 'skipped',
        reason: `smartctl hung here earlier; retried in ${skipLeft} round${skipLeft === 1 ? '' : 's'}`,
      };
    }
    backoff.delete(key);
    if (performance.now() - startedAt > deadlineMs - deviceTimeoutMs - MARGIN_MS)
      return { device: d, kind: 'skipped', reason: 'not read: the round ran out of time' };
    const args = ['-j', '-a', '-n', d.powerModeCheck ?? 'standby', ...(d.type ? ['-d', d.type] : []), d.name];
    const run = await ctx.exec('smartctl', args, { timeoutMs: deviceTimeoutMs, signal: ctx.signal });
    if (!run.ok) {
      if (run.error.kind === 'absent') return { device: d, kind: 'absent' };
      // An abort of the whole round says nothing about this device, so it is not backed off.
      if (run.error.kind === 'timeout' && !ctx.signal.aborted) backoff.set(key, backoffRounds);
      return { device: d, kind: 'failed', reason: run.error.message };
    }
    if (run.value.exitCode === 127) return { device: d, kind: 'absent' };
    const reply = parseSmartctlReply(run.value.stdout, run.value.exitCode);
    if (!reply.ok) return { device: d, kind: 'failed', reason: reply.error.message };
    return { device: d, kind: 'reply', reply: reply.value };
  };

  return {
    name: SMART_SOURCE,
    intervalSeconds: options.intervalSeconds ?? 1800,
    timeoutSeconds,
    async collect(ctx): Promise<Result<SmartSnapshot>> {
      const startedAt = performance.now();
      const listed = await devices.list(ctx);
      if (!listed.ok) return listed;
      const { devices: list, scannedAt, scanError } = listed.value;
      if (list.length === 0) return fail('absent', 'smartctl: no devices found');
      const keys = new Set(list.map((d) => d.key));
      for (const key of backoff.keys()) if (!keys.has(key)) backoff.delete(key);

      const outcomes = await mapConcurrently(list, concurrency, (d) => readDevice(ctx, d, startedAt));
      if (outcomes.some((o) => o.kind === 'absent')) return fail('absent', 'smartctl: not installed');
      for (const o of outcomes) {
        if (o.kind !== 'reply') continue;
        const r = o.reply;
        if (r.kind !== 'failed')
          devices.learn(o.device, r.kind === 'reading' ? r.identity.resolvedType : r.resolvedType);
      }
      const snapshot = await buildSnapshot(ctx, outcomes, memory, thresholds);
      if (snapshot.vanished) devices.invalidate();
      const { disks, unreadable } = snapshot;
      if (disks.length === 0 && !unreadable.some((u) => u.standby)) {
        const first = unreadable[0];
        return fail(
          'io',
          `smartctl: no disk could be read${first ? ` (${first.device}: ${first.reason})` : ''}`,
        );
      }
      return ok({ disks, unreadable, scannedAt, scanError });
    },
  };
}
