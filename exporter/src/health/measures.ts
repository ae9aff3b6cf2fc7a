import { cpuTemperature, pickSensorChips } from '../metrics/sensors.js';
import type { SnapshotReader } from '../snapshots.js';
import { CPU_SOURCE, type CpuSnapshot } from '../sources/cpu/index.js';
import { MEMORY_SOURCE, type MemorySnapshot } from '../sources/memory/index.js';

/*
 * The host measures the sampler keeps (sampling.ts) and the cpu and memory checks judge, read from
 * the latest snapshots.
 */

/** Busy share of the host's CPUs in percent: the value the sampler keeps as `cpu_usage`. */
export function cpuUsagePercent(snapshots: SnapshotReader): number | undefined {
  const ratio = snapshots.latest<CpuSnapshot>(CPU_SOURCE)?.usageRatio;
  return ratio === undefined ? undefined : ratio * 100;
}

/** Hottest CPU package/core sensor (lm-sensors, else hwmon): the sampler's `cpu_temperature`. */
export function cpuTemperatureCelsius(snapshots: SnapshotReader): number | undefined {
  return cpuTemperature(pickSensorChips(snapshots)) ?? undefined;
}

/**
 * The part of the ZFS ARC the host would get back under pressure: everything above `c_min`, which
 * the ARC never shrinks below. MemAvailable leaves the whole ARC out (it is not page cache).
 */
export function arcReclaimableBytes(memory: MemorySnapshot): number {
  const size = memory.arc?.sizeBytes;
  if (size === undefined) return 0;
  return Math.max(0, size - (memory.arc?.minBytes ?? 0));
}

/** RAM in use in percent with the reclaimable ARC counted as free: the sampler's `memory_usage`. */
export function memoryUsagePercent(snapshots: SnapshotReader): number | undefined {
  const m = snapshots.latest<MemorySnapshot>(MEMORY_SOURCE);
  if (!m || m.availableBytes === undefined || !(m.totalBytes > 0)) return undefined;
  const used = m.totalBytes - m.availableBytes - arcReclaimableBytes(m);
  return (Math.max(0, used) / m.totalBytes) * 100;
}

/** Swap in use as a share of RAM, in percent: the sampler's `swap_usage`. */
export function swapUsagePercent(snapshots: SnapshotReader): number | undefined {
  const m = snapshots.latest<MemorySnapshot>(MEMORY_SOURCE);
  if (!m || m.swapUsedBytes === undefined || !(m.totalBytes > 0)) return undefined;
  return (Math.max(0, m.swapUsedBytes) / m.totalBytes) * 100;
}
