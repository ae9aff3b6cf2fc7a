import { join } from 'node:path';
import { fail, ok, type Result, type Source } from '../source.js';
import { parseConntrackStat, parseSysctlCount, type Conntrack } from './parse.js';

export type { Conntrack } from './parse.js';

export const CONNTRACK_SOURCE = 'conntrack';

/**
 * Netfilter connection tracking: table fill and limit, plus the per-CPU event counters whose `drop`
 * and `early_drop` show a full table actually losing flows. Without nf_conntrack loaded (no firewall
 * rules that need it) none of the files exist and the source is absent.
 */
export function createConntrackSource(): Source<Conntrack> {
  return {
    name: CONNTRACK_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 3,
    async collect(ctx) {
      const read = (path: string) => ctx.readText(join(ctx.paths.procfs, path));
      const [count, max, stat] = await Promise.all([
        read('sys/net/netfilter/nf_conntrack_count'),
        read('sys/net/netfilter/nf_conntrack_max'),
        read('net/stat/nf_conntrack'),
      ]);
      if (!count.ok && !max.ok && count.error.kind === 'absent' && max.error.kind === 'absent') {
        return fail('absent', 'conntrack: nf_conntrack not loaded');
      }
      const entries = optional(count, (t) =>
        parseSysctlCount(t, '/proc/sys/net/netfilter/nf_conntrack_count'),
      );
      const limit = optional(max, (t) => parseSysctlCount(t, '/proc/sys/net/netfilter/nf_conntrack_max'));
      const stats = optional(stat, parseConntrackStat);
      if (!entries.ok) return entries;
      if (!limit.ok) return limit;
      if (!stats.ok) return stats;
      return ok({ entries: entries.value, limit: limit.value, stats: stats.value ?? {} });
    },
  };
}

/** A file that is not there reads as unknown; one that is there must parse. */
function optional<T>(text: Result<string>, parse: (text: string) => Result<T>): Result<T | undefined> {
  if (text.ok) return parse(text.value);
  return text.error.kind === 'absent' ? ok(undefined) : text;
}
