import { fail, ok, type Result } from '../source.js';

export interface SoftirqTotal {
  /** The kernel's name as printed (NET_RX, TIMER, RCU, ...; BLOCK_IOPOLL before Linux 4.5). */
  type: string;
  /** Raised since boot, summed over CPUs. */
  count: number;
}

export interface Softirqs {
  /** CPU columns in the header (every possible CPU, online or not). */
  cpuCount: number;
  /** In the kernel's order. */
  totals: SoftirqTotal[];
}

const COUNT = /^\d{1,20}$/;

/**
 * Parses /proc/softirqs: a header of `CPUn` columns, then one `TYPE: n n ...` row per softirq type.
 * Rows are split on any whitespace (columns are only padded to 10 digits). A row whose count of
 * numbers differs from the header's is skipped, not summed short: a short sum would look like a
 * counter reset. Per-CPU counts are 32-bit in the kernel and wrap; Prometheus sees that as a reset.
 */
export function parseSoftirqs(text: string): Result<Softirqs> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  if (header.length === 0 || !header.every((t) => /^CPU\d{1,6}$/.test(t))) {
    return fail('parse', `/proc/softirqs: no CPU header, got ${JSON.stringify(text.slice(0, 60))}`);
  }
  const seen = new Set<string>();
  const totals: SoftirqTotal[] = [];
  for (const line of lines.slice(1)) {
    const m = /^([A-Za-z][\w-]*):(.*)$/.exec(line.trim());
    const type = m?.[1];
    if (!type || seen.has(type)) continue;
    const tokens = (m?.[2] ?? '').trim().split(/\s+/);
    const counts = tokens.slice(0, header.length);
    const rest = tokens[header.length];
    // One count per header column, then at most a description (never another number).
    if (counts.length !== header.length || !counts.every((c) => COUNT.test(c))) continue;
    if (rest !== undefined && /^\d/.test(rest)) continue;
    seen.add(type);
    totals.push({ type, count: counts.reduce((sum, c) => sum + Number(c), 0) });
  }
  if (totals.length === 0) {
    return fail('parse', `/proc/softirqs: no row with ${header.length} counts under the header`);
  }
  return ok({ cpuCount: header.length, totals });
}
