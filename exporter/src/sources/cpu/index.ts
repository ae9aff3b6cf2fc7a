import { join } from 'node:path';
import { ok, type Source } from '../source.js';
import { parseProcStat, type CpuStat, type CpuTimes } from './parse.js';
import { cpuUsageRatio } from './usage.js';

export type { CoreTimes, CpuMode, CpuStat, CpuTimes } from './parse.js';
export { CPU_MODES, USER_HZ } from './parse.js';

export const CPU_SOURCE = 'cpu';

export interface CpuSnapshot extends CpuStat {
  /** Busy share over the window since the previous successful sample; undefined on the first one. */
  usageRatio?: number;
}

/** /proc/stat: CPU time per mode, plus boot time and scheduler counters. */
export function createCpuSource(): Source<CpuSnapshot> {
  // The previous sample lives here so each source instance computes its own window.
  let previous: CpuTimes | undefined;
  return {
    name: CPU_SOURCE,
    intervalSeconds: 5,
    timeoutSeconds: 3,
    async collect(ctx) {
      const text = await ctx.readText(join(ctx.paths.procfs, 'stat'));
      if (!text.ok) return text;
      const parsed = parseProcStat(text.value);
      if (!parsed.ok) return parsed;
      const usageRatio = previous && cpuUsageRatio(previous, parsed.value.total);
      previous = parsed.value.total;
      return ok({ ...parsed.value, usageRatio });
    },
  };
}
