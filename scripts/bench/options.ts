import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Timed scrapes per target and phase. */
  scrapes: number;
  /** Untimed scrapes per target before each measurement. */
  warmup: number;
  /** The proxmon entry point to run with `node`. */
  proxmonCli: string;
  /**
   * Run only this phase: `health` (the in-process health cycle, no node_exporter, no build needed) or
   * `guests` (the 1000-guest phase against node_exporter, for iterating; targets are the same).
   */
  only?: 'health' | 'guests';
}

export const usage = `usage: npm run bench [-- --scrapes N] [--warmup N] [--proxmon path/to/cli.js] [--only=health|guests]

Scrapes proxmon and Debian's prometheus-node-exporter alternately over keep-alive connections,
once with the real host tools and once with tools that hang, and checks proxmon's latency,
series count and memory against node_exporter; then times one health cycle on a large host
(--only=health runs just that; --only=guests just the guests phase). Exits 1 when a target is missed, 2 on errors.`;

export class UsageError extends Error {}

export function parseBenchOptions(argv: readonly string[], defaultProxmonCli: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scrapes: { type: 'string', default: '500' },
      warmup: { type: 'string', default: '20' },
      proxmon: { type: 'string', default: defaultProxmonCli },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const only = values.only;
  if (only !== undefined && only !== 'health' && only !== 'guests')
    throw new UsageError(`--only must be health or guests, not ${JSON.stringify(only)}`);
  return {
    scrapes: positiveInteger('--scrapes', values.scrapes, 1),
    warmup: positiveInteger('--warmup', values.warmup, 0),
    proxmonCli: values.proxmon,
    ...(only !== undefined && { only }),
  };
}

function positiveInteger(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} must be an integer ≥ ${min}`);
  return value;
}
