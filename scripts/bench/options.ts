import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Timed scrapes per target and phase. */
  scrapes: number;
  /** Untimed scrapes per target before each measurement. */
  warmup: number;
  /** The proxmon entry point to run with `node`. */
  proxmonCli: string;
  /** Run only this phase (`health`: the in-process health cycle, no node_exporter, no build needed). */
  only?: 'health';
}

export const usage = `usage: npm run bench [-- --scrapes N] [--warmup N] [--proxmon path/to/cli.js] [--only=health]

Scrapes proxmon and Debian's prometheus-node-exporter alternately over keep-alive connections,
once with the real host tools and once with tools that hang, and checks proxmon's latency,
series count and memory against node_exporter; then times one health cycle on a large host
(--only=health runs just that). Exits 1 when a target is missed, 2 on errors.`;

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
  if (values.only !== undefined && values.only !== 'health')
    throw new UsageError(`--only must be health, not ${JSON.stringify(values.only)}`);
  return {
    scrapes: positiveInteger('--scrapes', values.scrapes, 1),
    warmup: positiveInteger('--warmup', values.warmup, 0),
    proxmonCli: values.proxmon,
    ...(values.only !== undefined && { only: values.only }),
  };
}

function positiveInteger(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} must be an integer ≥ ${min}`);
  return value;
}
