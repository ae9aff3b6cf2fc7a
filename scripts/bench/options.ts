import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Timed scrapes per target and phase. */
  scrapes: number;
  /** Untimed scrapes per target before each measurement. */
  warmup: number;
  /** The proxmon entry point to run with `node`. */
  proxmonCli: string;
}

export const usage = `usage: npm run bench [-- --scrapes N] [--warmup N] [--proxmon path/to/cli.js]

Scrapes proxmon and Debian's prometheus-node-exporter alternately over keep-alive connections,
once with the real host tools and once with tools that hang, and checks proxmon's latency,
series count and memory against node_exporter. Exits 1 when a target is missed, 2 on errors.`;

export class UsageError extends Error {}

export function parseBenchOptions(argv: readonly string[], defaultProxmonCli: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scrapes: { type: 'string', default: '500' },
      warmup: { type: 'string', default: '20' },
      proxmon: { type: 'string', default: defaultProxmonCli },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    scrapes: positiveInteger('--scrapes', values.scrapes, 1),
    warmup: positiveInteger('--warmup', values.warmup, 0),
    proxmonCli: values.proxmon,
  };
}

function positiveInteger(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} must be an integer ≥ ${min}`);
  return value;
}
