import { z } from 'zod';
import { ok, type Result } from '../sources/source.js';
import { num, rowsOf, str } from './common.js';

/** A guest that no backup job covers. */
export interface PveNotBackedUp {
  vmid: number;
  /** qemu or lxc. */
  type?: string | undefined;
  name?: string | undefined;
}

const row = z.object({ vmid: num, type: str, name: str });

/** `/cluster/backup-info/not-backed-up` (PVE 7+); rows without a usable vmid are skipped. */
export function parseNotBackedUp(input: unknown): Result<PveNotBackedUp[]> {
  const rows = rowsOf(input, 'cluster/backup-info/not-backed-up');
  if (!rows.ok) return rows;
  const out: PveNotBackedUp[] = [];
  for (const r of rows.value) {
    const p = row.safeParse(r);
    if (!p.success) continue;
    const { vmid, ...rest } = p.data;
    if (vmid !== undefined && Number.isInteger(vmid) && vmid > 0) out.push({ vmid, ...rest });
  }
  return ok(out);
}
