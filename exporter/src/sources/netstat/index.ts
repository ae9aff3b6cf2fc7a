import { join } from 'node:path';
import { fail, ok, type Result, type Source } from '../source.js';
import { parseProcNetSnmp, parseProcNetSnmp6, type NetstatTable } from './parse.js';

export type { NetstatTable } from './parse.js';

export const NETSTAT_SOURCE = 'netstat';

export interface NetstatSnapshot {
  /** Every field of every file that was there; metrics pick the few worth a series. */
  protocols: NetstatTable;
}

const FILES: readonly [string, (text: string) => Result<NetstatTable>][] = [
  ['net/snmp', (text) => parseProcNetSnmp(text, '/proc/net/snmp')],
  ['net/netstat', (text) => parseProcNetSnmp(text, '/proc/net/netstat')],
  ['net/snmp6', parseProcNetSnmp6],
];

/**
 * Kernel network-stack counters (what `netstat -s` and `nstat` show). A file that is not there (no
 * snmp6 with IPv6 disabled) leaves its protocols out; with none of them there the source is absent.
 */
export function createNetstatSource(): Source<NetstatSnapshot> {
  return {
    name: NETSTAT_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 3,
    async collect(ctx) {
      const results = await Promise.all(
        FILES.map(async ([path, parse]) => {
          const text = await ctx.readText(join(ctx.paths.procfs, path));
          return text.ok ? parse(text.value) : text;
        }),
      );
      const protocols: NetstatTable = {};
      let present = 0;
      for (const result of results) {
        if (!result.ok) {
          if (result.error.kind === 'absent') continue;
          return result;
        }
        present++;
        Object.assign(protocols, result.value);
      }
      if (present === 0) return fail('absent', 'netstat: no /proc/net/snmp, netstat or snmp6');
      return ok({ protocols });
    },
  };
}
