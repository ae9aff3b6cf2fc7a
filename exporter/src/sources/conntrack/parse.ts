import { fail, ok, type Result } from '../source.js';

export interface Conntrack {
  /** nf_conntrack_count: tracked connections now. */
  entries?: number;
  /** nf_conntrack_max: when entries reach it, new flows are dropped ("table full, dropping packet"). */
  limit?: number;
  /** /proc/net/stat/nf_conntrack columns summed over CPUs, keyed as the kernel names them. */
  stats: Record<string, number>;
}

/** A sysctl holding one unsigned integer, e.g. `262144\n`. */
export function parseSysctlCount(text: string, file: string): Result<number> {
  const value = text.trim();
  if (!/^\d{1,20}$/.test(value))
    return fail('parse', `${file}: ${JSON.stringify(value.slice(0, 40))} is not a count`);
  return ok(Number(value));
}

/**
 * Parses /proc/net/stat/nf_conntrack: a header of column names, then one row of hex counters per CPU.
 * Columns come from the header because kernels differ (older ones have `searched` and `delete_list`).
 * `entries` is the global count repeated on every row, so it is not summed.
 */
export function parseConntrackStat(text: string): Result<Record<string, number>> {
  const [header, ...rows] = text.split('\n').filter((line) => line.trim() !== '');
  if (header === undefined) return fail('parse', '/proc/net/stat/nf_conntrack: empty');
  const names = words(header);
  if (!names.every((name) => /^[a-z][a-z0-9_]*$/.test(name))) {
    return fail('parse', `/proc/net/stat/nf_conntrack: odd header ${JSON.stringify(header.slice(0, 60))}`);
  }
  const sums = new Map<string, number>();
  for (const [cpu, row] of rows.entries()) {
    const cells = words(row);
    if (cells.length !== names.length || !cells.every((cell) => /^[0-9a-fA-F]{1,16}$/.test(cell))) {
      return fail(
        'parse',
        `/proc/net/stat/nf_conntrack: row ${cpu + 1} has ${cells.length} values for ${names.length} columns or is not hex`,
      );
    }
    for (const [i, name] of names.entries()) {
      if (name !== 'entries') sums.set(name, (sums.get(name) ?? 0) + Number.parseInt(cells[i] ?? '', 16));
    }
  }
  return ok(Object.fromEntries(sums));
}

function words(line: string): string[] {
  return line.split(/\s+/).filter((w) => w !== '');
}
