import { z } from 'zod';
import { ok, type Result } from '../sources/source.js';
import { num, rowsOf, str } from './common.js';

/** A replication job with its state, from `/nodes/{node}/replication`. */
export interface PveReplication {
  /** `<guest>-<jobnum>`, e.g. 100-0. */
  id: string;
  guest?: number | undefined;
  jobnum?: number | undefined;
  target?: string | undefined;
  /** Unix seconds; 0 from PVE means "never synced" and becomes undefined. */
  lastSync?: number | undefined;
  nextSync?: number | undefined;
  /** Seconds the last run took. */
  duration?: number | undefined;
  failCount?: number | undefined;
  error?: string | undefined;
  /** True when the last run failed; undefined when PVE gave neither fail_count nor error. */
  failed?: boolean | undefined;
}

const replicationRow = z.object({
  id: z.string(),
  guest: num,
  jobnum: num,
  target: str,
  last_sync: num,
  next_sync: num,
  duration: num,
  fail_count: num,
  error: str,
});

const positive = (n: number | undefined): number | undefined => (n !== undefined && n > 0 ? n : undefined);

/** `/nodes/{node}/replication`. */
export function parseReplication(input: unknown): Result<PveReplication[]> {
  const rows = rowsOf(input, 'nodes/{node}/replication');
  if (!rows.ok) return rows;
  const out: PveReplication[] = [];
  for (const row of rows.value) {
    const r = replicationRow.safeParse(row);
    if (!r.success) continue;
    const e = r.data;
    const guest = e.guest ?? toGuestFromId(e.id);
    const failed =
      e.fail_count !== undefined
        ? e.fail_count > 0 || e.error !== undefined
        : e.error !== undefined
          ? true
          : undefined;
    out.push({
      id: e.id,
      guest,
      jobnum: e.jobnum,
      target: e.target,
      lastSync: positive(e.last_sync),
      nextSync: positive(e.next_sync),
      duration: e.duration,
      failCount: e.fail_count,
      error: e.error,
      failed,
    });
  }
  return ok(out);
}

function toGuestFromId(id: string): number | undefined {
  const m = /^(\d+)-\d+$/.exec(id);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
