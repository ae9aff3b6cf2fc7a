import type { SnapshotReader } from '../snapshots.js';
import { cpuTemperatureCelsius, cpuUsagePercent, memoryUsagePercent, swapUsagePercent } from './measures.js';
import type { Sampler } from './samples.js';

/** Enough history for the longest configurable "sustained" window (1 h), three times over. */
export const SAMPLE_KEEP_SECONDS = 3 * 3600;

/** Called after each successful refresh of a source: records the series the health rules need. */
export function recordSamples(
  sampler: Sampler,
  source: string,
  snapshots: SnapshotReader,
  now: number,
): void {
  switch (source) {
    case 'cpu':
      sampler.add('cpu_usage', now, cpuUsagePercent(snapshots));
      break;
    case 'memory':
      sampler.add('memory_usage', now, memoryUsagePercent(snapshots));
      sampler.add('swap_usage', now, swapUsagePercent(snapshots));
      break;
    case 'sensors':
    case 'hwmon':
      sampler.add('cpu_temperature', now, cpuTemperatureCelsius(snapshots));
      break;
  }
}
