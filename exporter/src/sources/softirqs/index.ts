import { join } from 'node:path';
import type { Source } from '../source.js';
import { parseSoftirqs, type Softirqs } from './parse.js';

export type { SoftirqTotal, Softirqs } from './parse.js';

export const SOFTIRQS_SOURCE = 'softirqs';

/** /proc/softirqs summed over CPUs: NET_RX/NET_TX load on network-heavy hosts, timers, RCU, ... */
export function createSoftirqsSource(): Source<Softirqs> {
  return {
    name: SOFTIRQS_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 3,
    async collect(ctx) {
      const text = await ctx.readText(join(ctx.paths.procfs, 'softirqs'));
      return text.ok ? parseSoftirqs(text.value) : text;
    },
  };
}
