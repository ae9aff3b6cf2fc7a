import { join } from 'node:path';
import { fail, ok, type Result, type Source, type SourceContext } from '../source.js';
import { parseDefaultGateway, parsePingSummary, type PingRtt } from './parse.js';

export type { PingRtt, PingSummary } from './parse.js';

export const LATENCY_SOURCE = 'latency';
/** The `target` label used for the auto-detected default gateway. */
export const GATEWAY_TARGET = 'gateway';

export interface LatencyOptions {
  /** Hosts or addresses to ping; empty means the IPv4 default gateway, labelled "gateway". */
  targets?: readonly string[];
  /** Echo requests per target and round. */
  count?: number;
  /** Deadline for one target's ping (name resolution included). */
  pingTimeoutMs?: number;
}

export interface LatencyTarget {
  /** The label: the configured string, or "gateway" for the auto-detected default gateway. */
  target: string;
  /** What was pinged. */
  address: string;
  transmitted?: number;
  received?: number;
  lossRatio?: number;
  rtt?: PingRtt;
  /** Why this target has no figures (unknown host, network unreachable, timeout). */
  error?: string;
}

export interface LatencySnapshot {
  targets: LatencyTarget[];
}

/** Round-trip time and packet loss to a few targets, pinged in parallel. */
export function createLatencySource(options: LatencyOptions = {}): Source<LatencySnapshot> {
  const configured = options.targets ?? [];
  const count = options.count ?? 5;
  const pingTimeoutMs = options.pingTimeoutMs ?? 10_000;

  return {
    name: LATENCY_SOURCE,
    intervalSeconds: 60,
    timeoutSeconds: 20,
    async collect(ctx) {
      let targets: Array<{ target: string; address: string }>;
      if (configured.length > 0) {
        targets = configured.map((t) => ({ target: t, address: t }));
      } else {
        const gateway = await readDefaultGateway(ctx);
        if (!gateway.ok) return gateway;
        targets = gateway.value === undefined ? [] : [{ target: GATEWAY_TARGET, address: gateway.value }];
      }

      const results = await Promise.all(
        targets.map(async ({ target, address }) => {
          // `--` so a configured target can never be read as an option.
          const args = ['-n', '-q', '-c', String(count), '-i', '0.2', '-W', '1', '--', address];
          return {
            target,
            address,
            run: await ctx.exec('ping', args, { timeoutMs: pingTimeoutMs, signal: ctx.signal }),
          };
        }),
      );
      const missing = results.find((r) => !r.run.ok && r.run.error.kind === 'absent');
      if (missing && !missing.run.ok) return fail('absent', missing.run.error.message);

      return ok({ targets: results.map(({ target, address, run }) => toTarget(target, address, run)) });
    },
  };
}

type PingRun = Awaited<ReturnType<SourceContext['exec']>>;

function toTarget(target: string, address: string, run: PingRun): LatencyTarget {
  if (!run.ok) return { target, address, error: run.error.message };
  // Exit 1 (no reply) still prints the summary; exit 2 (bad host, no route) prints only an error.
  const summary = parsePingSummary(run.value.stdout);
  if (!summary.ok) {
    const reason = run.value.stderr.trim() || summary.error.message;
    return { target, address, error: reason.split('\n')[0] ?? reason };
  }
  const { transmitted, received, lossRatio, rtt } = summary.value;
  return { target, address, transmitted, received, lossRatio, ...(rtt ? { rtt } : {}) };
}

/** ok(undefined) when there is no default route: nothing to ping, not a failure. */
async function readDefaultGateway(ctx: SourceContext): Promise<Result<string | undefined>> {
  const routes = await ctx.readText(join(ctx.paths.procfs, 'net', 'route'));
  if (!routes.ok) return routes.error.kind === 'absent' ? ok(undefined) : routes;
  return ok(parseDefaultGateway(routes.value));
}
