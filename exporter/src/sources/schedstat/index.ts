import { join } from 'node:path';
import type { Source } from '../source.js';
import { parseSchedstat, type Schedstat } from './parse.js';

export type { Schedstat, SchedstatCore, SchedstatTimes } from './parse.js';

export const SCHEDSTAT_SOURCE = 'schedstat';

/**
 * /proc/schedstat: time runnable tasks waited for a CPU. Needs CONFIG_SCHEDSTATS (absent without
 * it); the three fields used are kept by sched_info whatever the kernel.sched_schedstats sysctl says.
 */
export function createSchedstatSource(): Source<Schedstat> {
  return {
    name: SCHEDSTAT_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 3,
    async collect(ctx) {
      const text = await ctx.readText(join(ctx.paths.procfs, 'schedstat'));
      return text.ok ? parseSchedstat(text.value) : text;
    },
  };
}
