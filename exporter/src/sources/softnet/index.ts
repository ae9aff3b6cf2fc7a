import { join } from 'node:path';
import type { Source } from '../source.js';
import { parseSoftnetStat, type Softnet } from './parse.js';

export type { Softnet, SoftnetCore, SoftnetCounts } from './parse.js';

export const SOFTNET_SOURCE = 'softnet';

/** /proc/net/softnet_stat: packets each CPU's receive softirq processed, dropped or left for later. */
export function createSoftnetSource(): Source<Softnet> {
  return {
    name: SOFTNET_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 3,
    async collect(ctx) {
      const text = await ctx.readText(join(ctx.paths.procfs, 'net', 'softnet_stat'));
      return text.ok ? parseSoftnetStat(text.value) : text;
    },
  };
}
