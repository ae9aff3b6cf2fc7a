import { cpuTemperature } from '../metrics/sensors.js';
import { pickSensorChips } from '../metrics/sensors.js';
import type { SnapshotReader } from '../snapshots.js';
import type { CpuSnapshot } from '../sources/cpu/index.js';
import type { MemorySnapshot } from '../sources/memory/index.js';
import type { Sampler } from './samples.js';

/**
 * RAM in use with the reclaimable part of the ZFS ARC (above its minimum) counted as free: the ARC
 * shrinks under pressure, so a ZFS host at "95 % used" is usually fine. Percent; undefined when unknown.
 */
export function memoryUsagePercent(m: MemorySnapshot | undefined): number | undefined {
  if (!m || m.usedBytes === undefined || !m.totalBytes) return undefined;
  const arc = m.arc?.sizeBytes ?? 0;
  const reclaimable = Math.max(0, arc - (m.arc?.minBytes ?? 0));
  return (Math.max(0, m.usedBytes - reclaimable) / m.totalBytes) * 100;
}

/** Swap in use as a share of RAM (how far the host leans on swap), percent. */
export function swapUsagePercent(m: MemorySnapshot | undefined): number | undefined {
  if (!m || m.swapUsedBytes === undefined || !m.totalBytes) return undefined;
  return (m.swapUsedBytes / m.totalBytes) * 100;
}

/** Called after each successful refresh of a source: records the series the health rules need. */
export function recordSamples(
  sampler: Sampler,
  source: string,
  snapshots: SnapshotReader,
  now: number,
): void {
  switch (source) {
    case 'cpu': {
      const ratio = snapshots.latest<CpuSnapshot>('cpu')?.usageRatio;
      sampler.add('cpu_usage', now, ratio === undefined ? undefined : ratio * 100);
      break;
    }
    case 'memory': {
      const m = snapshots.latest<MemorySnapshot>('memory');
      sampler.add('memory_usage', now, memoryUsagePercent(m));
      sampler.add('swap_usage', now, swapUsagePercent(m));
      break;
    }
    case 'sensors':
    case 'hwmon':
      sampler.add('cpu_temperature', now, cpuTemperature(pickSensorChips(snapshots)) ?? undefined);
      break;
  }
}
