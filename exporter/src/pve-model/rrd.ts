import { ok, type Result } from '../sources/source.js';
import { rowsOf, toNumber } from './common.js';

/** One RRD step: `time` (unix seconds) and every numeric series PVE sent; gaps are simply missing keys. */
export type RrdPoint = { time: number } & Record<string, number>;

/**
 * `/nodes/{n}/rrddata` and `/nodes/{n}/{qemu|lxc}/{id}/rrddata`. Series differ by PVE version
 * (PVE 9 adds pressure* and memhost), so every finite number is kept under its own name.
 */
export function parseRrdData(input: unknown): Result<RrdPoint[]> {
  const rows = rowsOf(input, 'rrddata');
  if (!rows.ok) return rows;
  const out: RrdPoint[] = [];
  for (const row of rows.value) {
    if (row === null || typeof row !== 'object') continue;
    const time = toNumber((row as { time?: unknown }).time);
    if (time === undefined) continue;
    const point: Record<string, number> = {};
    for (const [k, v] of Object.entries(row)) {
      const n = toNumber(v);
      if (n !== undefined) point[k] = n;
    }
    out.push({ ...point, time });
  }
  return ok(out.sort((a, b) => a.time - b.time));
}
