import { z } from 'zod';
import { ok, type Result } from '../sources/source.js';
import { bool, num, rowsOf, str } from './common.js';

export interface PveHaEntry {
  id: string;
  /** service, quorum, master or lrm. */
  type?: string | undefined;
  /** Service id such as `vm:102`; only on service entries. */
  sid?: string | undefined;
  /** Service state (started, stopped, fence, error, ...), or for master/lrm the mode from the status text (active, idle, ...). */
  state?: string | undefined;
  node?: string | undefined;
  /** The human status line PVE shows. */
  status?: string | undefined;
  quorate?: boolean | undefined;
  timestamp?: number | undefined;
}

const haRow = z.object({
  id: z.string(),
  type: str,
  sid: str,
  state: str,
  node: str,
  status: str,
  quorate: bool,
  timestamp: num,
});

/** `pve2 (active, Mon Sep 28 17:04:12 2026)` -> `active`. */
function modeOf(status: string | undefined): string | undefined {
  const m = status === undefined ? null : /\(([^,)]+)[,)]/.exec(status);
  return m?.[1]?.trim();
}

/** `/cluster/ha/status/current`. */
export function parseHaStatus(input: unknown): Result<PveHaEntry[]> {
  const rows = rowsOf(input, 'cluster/ha/status/current');
  if (!rows.ok) return rows;
  const out: PveHaEntry[] = [];
  for (const row of rows.value) {
    const r = haRow.safeParse(row);
    if (!r.success) continue;
    const e = r.data;
    const state = e.state ?? (e.type === 'lrm' || e.type === 'master' ? modeOf(e.status) : undefined);
    out.push({ ...e, state });
  }
  return ok(out);
}
