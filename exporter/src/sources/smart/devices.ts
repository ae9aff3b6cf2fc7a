import { fail, ok, type Result, type SourceContext } from '../source.js';
import { parseSmartctlScan } from './parse.js';
import type { PowerModeCheck, SmartDevice } from './types.js';

/** A device to read this round. */
export interface ListedDevice extends SmartDevice {
  /** Stable across rounds (path and listed type), whatever `-d` type the read uses. */
  key: string;
  /** The type the scan or config gave (`scsi` from the scan may turn out to be SAT behind USB). */
  listedType?: string;
}

export interface DeviceListOptions {
  configured: readonly SmartDevice[];
  scan: boolean;
  /** `--scan-open` instead of `--scan`: see `createDeviceList`. */
  scanOpen: boolean;
  exclude?: RegExp;
  rescanMs: number;
  scanTimeoutMs: number;
  powerModeCheck: PowerModeCheck;
}

export interface DeviceList {
  devices: ListedDevice[];
  scannedAt?: number;
  scanError?: string;
}

const keyOf = (name: string, type: string | undefined) => `${name}\0${type ?? ''}`;
/** Types a scan gives when it could not tell (a USB bridge shows as plain SCSI). */
const ambiguous = (type: string | undefined) => type === undefined || type === 'scsi';

/**
 * The devices to read: the last scan (rerun once it is `rescanMs` old, or at once after a device
 * vanished) merged with the configured ones. `smartctl --scan -j` lists devices from the kernel
 * without sending them a command (SATA disks show as `sat` from sysfs); `--scan-open` autodetects
 * each type by sending IDENTIFY, which can spin a sleeping disk up, so it is opt-in. A device the
 * scan calls `scsi` is read once without `-d` (smartctl autodetects it then) and after that with
 * the type that read resolved (`sat`, `usbjmicron`, `scsi`), so later reads check the power mode
 * before anything else. A configured device with the path of a scanned one and no type replaces it
 * (to set its power-mode check); one with a `-d` type (`megaraid,N`) is added.
 */
export function createDeviceList(options: DeviceListOptions) {
  const exclude =
    options.exclude && new RegExp(options.exclude.source, options.exclude.flags.replace(/[gy]/g, ''));
  let cache: { at: number; devices: SmartDevice[] } | undefined;
  /** The type a read resolved, per device key, for devices listed with an ambiguous type. */
  const learned = new Map<string, string>();

  const scan = async (ctx: SourceContext): Promise<Result<SmartDevice[]>> => {
    const args = [options.scanOpen ? '--scan-open' : '--scan', '-j'];
    const run = await ctx.exec('smartctl', args, { timeoutMs: options.scanTimeoutMs, signal: ctx.signal });
    if (!run.ok) return run;
    const { stdout, stderr, exitCode } = run.value;
    if (exitCode === 127) return fail('absent', 'smartctl: not installed (exit 127)');
    const entries = parseSmartctlScan(stdout);
    if (!entries.ok) {
      const reason = stderr.trim().split('\n')[0] || entries.error.message;
      return fail(exitCode === 0 ? 'parse' : 'exit', `smartctl ${args[0]} exited ${exitCode}: ${reason}`);
    }
    return ok(
      entries.value.filter((e) => !exclude?.test(e.name)).map((e) => ({ name: e.name, type: e.type })),
    );
  };

  const listed = (
    name: string,
    type: string | undefined,
    check: PowerModeCheck | undefined,
  ): ListedDevice => {
    const key = keyOf(name, type);
    return {
      name,
      type: ambiguous(type) ? learned.get(key) : type,
      listedType: type,
      powerModeCheck: check ?? options.powerModeCheck,
      key,
    };
  };

  const merge = (scanned: readonly SmartDevice[]): ListedDevice[] => {
    const byKey = new Map<string, ListedDevice>();
    for (const s of scanned) byKey.set(keyOf(s.name, s.type), listed(s.name, s.type, undefined));
    for (const c of options.configured) {
      const type = c.type ?? scanned.find((s) => s.name === c.name)?.type;
      byKey.set(keyOf(c.name, type), listed(c.name, type, c.powerModeCheck));
    }
    const devices = [...byKey.values()];
    for (const key of learned.keys()) if (!byKey.has(key)) learned.delete(key);
    return devices;
  };

  return {
    async list(ctx: SourceContext): Promise<Result<DeviceList>> {
      if (!options.scan) return ok({ devices: merge([]) });
      const now = ctx.now();
      if (cache && now - cache.at < options.rescanMs)
        return ok({ devices: merge(cache.devices), scannedAt: cache.at });
      const scanned = await scan(ctx);
      if (scanned.ok) {
        cache = { at: now, devices: scanned.value };
        return ok({ devices: merge(cache.devices), scannedAt: now });
      }
      if (cache)
        return ok({ devices: merge(cache.devices), scannedAt: cache.at, scanError: scanned.error.message });
      // Without any scan, configured devices are still worth reading (unless smartctl is missing).
      if (scanned.error.kind !== 'absent' && options.configured.length > 0)
        return ok({ devices: merge([]), scanError: scanned.error.message });
      return scanned;
    },
    /** Remembers the type a read resolved for a device listed as `scsi` or untyped. */
    learn(device: ListedDevice, resolvedType: string | undefined): void {
      if (ambiguous(device.listedType) && resolvedType && /^[a-z0-9,+]+$/i.test(resolvedType))
        learned.set(device.key, resolvedType);
    },
    /** Forget the scan, so the next round rescans (a disk was pulled). */
    invalidate(): void {
      cache = undefined;
    },
  };
}
