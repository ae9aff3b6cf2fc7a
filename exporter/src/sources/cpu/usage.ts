import { CPU_MODES, USER_HZ, type CpuMode, type CpuTimes } from './parse.js';

/** Modes where the CPU had nothing to run. iowait is idle time spent waiting on I/O, not work. */
const IDLE_MODES: ReadonlySet<CpuMode> = new Set(['idle', 'iowait']);

/**
 * Busy share of CPU time between two samples: busy delta / total delta, 0..1. Only modes present in
 * both samples count. Undefined when no time passed or a counter went backwards (CPU hot-unplug, a
 * kernel that lets iowait dip): a made-up ratio is worse than none for one window.
 */
export function cpuUsageRatio(previous: CpuTimes, current: CpuTimes): number | undefined {
  let busy = 0;
  let idle = 0;
  for (const mode of CPU_MODES) {
    const before = previous.seconds[mode];
    const after = current.seconds[mode];
    if (before === undefined || after === undefined) continue;
    // Back to whole ticks, so 12 busy of 220 is exactly 12/220 and not off in the 15th digit.
    const ticks = Math.round((after - before) * USER_HZ);
    if (IDLE_MODES.has(mode)) idle += ticks;
    else busy += ticks;
  }
  const total = busy + idle;
  if (busy < 0 || idle < 0 || !(total > 0)) return undefined;
  return busy / total;
}
