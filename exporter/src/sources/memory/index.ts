import { join } from 'node:path';
import { ok, type Source } from '../source.js';
import { parseArcstats, parseMeminfo, type ArcStats, type Meminfo } from './parse.js';

export type { ArcStats, Meminfo } from './parse.js';

export const MEMORY_SOURCE = 'memory';

export interface MemorySnapshot extends Meminfo {
  /** ZFS ARC; undefined on hosts without ZFS (no arcstats), which is normal and not a failure. */
  arc?: ArcStats;
}

/** /proc/meminfo, plus the ZFS ARC size when the ZFS module is loaded. */
export function createMemorySource(): Source<MemorySnapshot> {
  // Said once per distinct reason, not every 5 s.
  let lastArcProblem: string | undefined;
  return {
    name: MEMORY_SOURCE,
    intervalSeconds: 5,
    timeoutSeconds: 3,
    async collect(ctx) {
      const [meminfoText, arcText] = await Promise.all([
        ctx.readText(join(ctx.paths.procfs, 'meminfo')),
        ctx.readText(join(ctx.paths.procfs, 'spl', 'kstat', 'zfs', 'arcstats')),
      ]);
      if (!meminfoText.ok) return meminfoText;
      const meminfo = parseMeminfo(meminfoText.value);
      if (!meminfo.ok) return meminfo;
      // The ARC is an extra: if it cannot be read the memory numbers still stand.
      const parsed = arcText.ok ? parseArcstats(arcText.value) : arcText;
      const problem = !parsed.ok && parsed.error.kind !== 'absent' ? parsed.error.message : undefined;
      if (problem && problem !== lastArcProblem) ctx.logger.warn({ reason: problem }, 'ARC not reported');
      lastArcProblem = problem;
      return ok({ ...meminfo.value, arc: parsed.ok ? parsed.value : undefined });
    },
  };
}
