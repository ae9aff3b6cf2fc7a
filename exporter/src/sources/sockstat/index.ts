import { join } from 'node:path';
import { fail, ok, type Result, type Source, type SourceContext } from '../source.js';
import { parsePageSize, parseSockstat, type Sockstat } from './parse.js';

export type { Sockstat, SockstatProtocol } from './parse.js';

export const SOCKSTAT_SOURCE = 'sockstat';

export interface SockstatOptions {
  /** Page size for the `mem` fields; by default asked once from `getconf PAGESIZE`. */
  pageSizeBytes?: number;
}

/**
 * Socket counts and memory from /proc/net/sockstat and sockstat6 (absent with IPv6 disabled). Node has
 * no sysconf, and the page size is not always 4096 (arm64 may use 16k or 64k pages), so it is asked
 * from `getconf` once and kept. Until it is known, TCP/UDP memory stays unknown rather than guessed.
 */
export function createSockstatSource(options: SockstatOptions = {}): Source<Sockstat> {
  let pageSizeBytes = options.pageSizeBytes;
  let pageSizeUnavailable = false;

  const pageSize = async (ctx: SourceContext): Promise<number | undefined> => {
    if (pageSizeBytes !== undefined || pageSizeUnavailable) return pageSizeBytes;
    const r = await readPageSize(ctx);
    if (r.ok) return (pageSizeBytes = r.value);
    // A timeout may pass; a missing or broken getconf will not, so stop asking.
    if (r.error.kind !== 'timeout') {
      pageSizeUnavailable = true;
      ctx.logger.warn({ error: r.error }, 'page size unknown: socket memory will not be reported');
    }
    return undefined;
  };

  return {
    name: SOCKSTAT_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 3,
    async collect(ctx) {
      const [v4, v6, page] = await Promise.all([
        ctx.readText(join(ctx.paths.procfs, 'net/sockstat')),
        ctx.readText(join(ctx.paths.procfs, 'net/sockstat6')),
        pageSize(ctx),
      ]);
      const result: Sockstat = { protocols: [] };
      let present = 0;
      for (const [text, file] of [
        [v4, '/proc/net/sockstat'],
        [v6, '/proc/net/sockstat6'],
      ] as const) {
        if (!text.ok) {
          if (text.error.kind === 'absent') continue;
          return text;
        }
        present++;
        const parsed = parseSockstat(text.value, file, page);
        if (!parsed.ok) return parsed;
        result.socketsUsed ??= parsed.value.socketsUsed;
        result.protocols.push(...parsed.value.protocols);
      }
      if (present === 0) return fail('absent', 'sockstat: no /proc/net/sockstat or sockstat6');
      return ok(result);
    },
  };
}

async function readPageSize(ctx: SourceContext): Promise<Result<number>> {
  const r = await ctx.exec('getconf', ['PAGESIZE'], { timeoutMs: 1000, signal: ctx.signal });
  if (!r.ok) return r;
  const size = r.value.exitCode === 0 ? parsePageSize(r.value.stdout) : undefined;
  if (size === undefined) {
    return fail(
      'parse',
      `getconf PAGESIZE: exit ${r.value.exitCode}, ${JSON.stringify(r.value.stdout.slice(0, 40))}`,
    );
  }
  return ok(size);
}
