import { fail, ok, type Result } from '../source.js';

/**
 * The block layer counts pgpgin/pgpgout in 512-byte sectors and mm/vmstat.c halves them when
 * printing ("sectors -> kbytes"), so the file shows KiB.
 */
const PAGED_UNIT_BYTES = 1024;

export interface Vmstat {
  /** Every `name value` line as printed: page counts, event counts, and pgpgin/pgpgout in KiB. */
  fields: Record<string, number>;
  /**
   * Page faults by kind. handle_mm_fault() counts every fault in pgfault; the paths that had to wait
   * for I/O (swap-in, file read) also count pgmajfault. So majors are a subset and minor = all - major.
   */
  minorPageFaults?: number;
  majorPageFaults?: number;
  /** Block I/O for paging (page cache reads and writeback, swap included), from pgpgin/pgpgout. */
  pagedInBytes?: number;
  pagedOutBytes?: number;
  /** Base pages read from and written to swap (pswpin/pswpout). */
  swappedInPages?: number;
  swappedOutPages?: number;
  /** OOM killer victims (oom_kill, Linux 4.13+); undefined on older kernels, never a made-up 0. */
  oomKills?: number;
}

const LINE = /^(\w+)\s+(\d{1,20})$/;

/** Parses /proc/vmstat (`name value` lines). Fails only when no line has that shape. */
export function parseVmstat(text: string): Result<Vmstat> {
  // No prototype: names come from the file, and `__proto__` must stay an ordinary key.
  const fields = Object.create(null) as Record<string, number>;
  let rows = 0;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m?.[1] || !m[2]) continue;
    fields[m[1]] = Number(m[2]);
    rows++;
  }
  if (rows === 0) {
    return fail('parse', `/proc/vmstat: no \`name value\` line, got ${JSON.stringify(text.slice(0, 60))}`);
  }
  const all = fields.pgfault;
  const major = fields.pgmajfault;
  // The per-CPU sums are read one after the other; never let that race show as a negative count.
  const minor = all !== undefined && major !== undefined && all >= major ? all - major : undefined;
  const kib = (v: number | undefined) => (v === undefined ? undefined : v * PAGED_UNIT_BYTES);
  return ok({
    fields,
    minorPageFaults: minor,
    majorPageFaults: major,
    pagedInBytes: kib(fields.pgpgin),
    pagedOutBytes: kib(fields.pgpgout),
    swappedInPages: fields.pswpin,
    swappedOutPages: fields.pswpout,
    oomKills: fields.oom_kill,
  });
}
