/** `metrics.per_cpu`: per-CPU series always, never, or only on hosts small enough to afford them. */
export type PerCpuSetting = boolean | 'auto';

/**
 * Up to this many CPUs `auto` emits per-CPU series: a homelab node gets per-core detail (a single
 * pinned core shows), a 128-thread host does not get thousands of series it did not ask for.
 */
export const AUTO_PER_CPU_MAX = 16;

export function perCpuEnabled(setting: PerCpuSetting | undefined, cpuCount: number | undefined): boolean {
  if (setting === true) return true;
  return setting === 'auto' && cpuCount !== undefined && cpuCount <= AUTO_PER_CPU_MAX;
}
