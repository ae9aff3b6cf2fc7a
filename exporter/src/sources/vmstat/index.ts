import { join } from 'node:path';
import type { Source } from '../source.js';
import { parseVmstat, type Vmstat } from './parse.js';

export type { Vmstat } from './parse.js';

export const VMSTAT_SOURCE = 'vmstat';

/** /proc/vmstat: page faults, paging and swap I/O, OOM kills. */
export function createVmstatSource(): Source<Vmstat> {
  return {
    name: VMSTAT_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 3,
    async collect(ctx) {
      const text = await ctx.readText(join(ctx.paths.procfs, 'vmstat'));
      return text.ok ? parseVmstat(text.value) : text;
    },
  };
}
