import { z } from 'zod';
import { ok, type Result } from '../sources/source.js';
import { bool, num, rowsOf, splitList, str } from './common.js';

/** A storage as `/nodes/{node}/storage` reports it. Inactive storages have no sizes (undefined). */
export interface PveNodeStorage {
  storage: string;
  /** Plugin type: dir, lvmthin, zfspool, nfs, rbd, pbs, ... */
  type?: string | undefined;
  content: string[];
  shared?: boolean | undefined;
  active?: boolean | undefined;
  enabled?: boolean | undefined;
  total?: number | undefined;
  used?: number | undefined;
  avail?: number | undefined;
}

const storageRow = z.object({
  storage: z.string(),
  type: str,
  content: str,
  shared: bool,
  active: bool,
  enabled: bool,
  total: num,
  used: num,
  avail: num,
});

/** `/nodes/{node}/storage`. */
export function parseNodeStorage(input: unknown): Result<PveNodeStorage[]> {
  const rows = rowsOf(input, 'nodes/{node}/storage');
  if (!rows.ok) return rows;
  const out: PveNodeStorage[] = [];
  for (const row of rows.value) {
    const r = storageRow.safeParse(row);
    if (r.success) out.push({ ...r.data, content: splitList(r.data.content) });
  }
  return ok(out);
}
