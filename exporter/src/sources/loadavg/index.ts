import { join } from 'node:path';
import type { Source } from '../source.js';
import { parseLoadavg, type Loadavg } from './parse.js';

export type { Loadavg } from './parse.js';

export const LOADAVG_SOURCE = 'loadavg';

/** /proc/loadavg: 1, 5 and 15 minute load averages. */
export function createLoadavgSource(): Source<Loadavg> {
  return {
    name: LOADAVG_SOURCE,
    intervalSeconds: 5,
    timeoutSeconds: 3,
    async collect(ctx) {
      const text = await ctx.readText(join(ctx.paths.procfs, 'loadavg'));
      return text.ok ? parseLoadavg(text.value) : text;
    },
  };
}
