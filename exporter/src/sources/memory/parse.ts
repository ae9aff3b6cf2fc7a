import { fail, ok, type Result } from '../source.js';

export interface Meminfo {
  /** Every field by its kernel name: `kB` values in bytes, unit-less ones (HugePages_*) as counts. */
  fields: Record<string, number>;
  totalBytes: number;
  /** MemAvailable; undefined on kernels before 3.14, which lack it (estimating it would be a guess). */
  availableBytes?: number;
  /**
   * total - available. On ZFS hosts the ARC is not page cache, so MemAvailable leaves it out and
   * "used" includes the ARC even though most of it would be given back under pressure. Proxmox's own
   * views and ProxMenux disagree on whether to subtract it; we keep the kernel's number and export the
   * ARC separately, so a dashboard can subtract it explicitly.
   */
  usedBytes?: number;
  freeBytes?: number;
  buffersBytes?: number;
  cachedBytes?: number;
  /** Shmem: tmpfs and shared memory. */
  sharedBytes?: number;
  dirtyBytes?: number;
  swapTotalBytes?: number;
  swapUsedBytes?: number;
  /** Default-size huge pages (Hugepagesize) reserved, and how many of them are unused, in bytes. */
  hugepagesBytes?: number;
  hugepagesFreeBytes?: number;
}

const LINE = /^([^\s:]+):\s*(\d{1,20})(\s+kB)?$/;

/** Parses /proc/meminfo. Fails only when MemTotal is missing; unknown lines are skipped. */
export function parseMeminfo(text: string): Result<Meminfo> {
  // No prototype: field names come from the file, and `__proto__` must stay an ordinary key.
  const fields = Object.create(null) as Record<string, number>;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (m?.[1] && m[2]) fields[m[1]] = Number(m[2]) * (m[3] ? 1024 : 1);
  }
  const totalBytes = fields.MemTotal;
  if (totalBytes === undefined) return fail('parse', '/proc/meminfo: no MemTotal line');
  const availableBytes = fields.MemAvailable;
  const pageSize = fields.Hugepagesize;
  const pages = (count: number | undefined) =>
    count !== undefined && pageSize !== undefined ? count * pageSize : undefined;
  return ok({
    fields,
    totalBytes,
    availableBytes,
    usedBytes: availableBytes === undefined ? undefined : totalBytes - availableBytes,
    freeBytes: fields.MemFree,
    buffersBytes: fields.Buffers,
    cachedBytes: fields.Cached,
    sharedBytes: fields.Shmem,
    dirtyBytes: fields.Dirty,
    swapTotalBytes: fields.SwapTotal,
    swapUsedBytes: difference(fields.SwapTotal, fields.SwapFree),
    hugepagesBytes: pages(fields.HugePages_Total),
    hugepagesFreeBytes: pages(fields.HugePages_Free),
  });
}

const difference = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined ? a - b : undefined;

export interface ArcStats {
  /** Every kstat row by name (raw values: bytes, counts or hits, as the row means). */
  fields: Record<string, number>;
  /** Current ARC size. */
  sizeBytes?: number;
  /** `c`: the size the ARC is adapting towards right now. */
  targetBytes?: number;
  minBytes?: number;
  maxBytes?: number;
}

/**
 * Parses /proc/spl/kstat/zfs/arcstats: a kstat header line (`<kid> <type> <flags> <ndata> <size>
 * <crtime> <snaptime>`), a `name type data` heading, then one row per named value. The header is
 * not needed; rows are recognised by shape, so a header that changes does not break them.
 */
export function parseArcstats(text: string): Result<ArcStats> {
  const fields = Object.create(null) as Record<string, number>;
  let rows = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)\s+(\d+)\s+(-?\d{1,20})$/.exec(line.trim());
    if (!m?.[1] || !m[3]) continue;
    fields[m[1]] = Number(m[3]);
    rows++;
  }
  if (rows === 0) return fail('parse', 'arcstats: no `name type data` rows');
  return ok({
    fields,
    sizeBytes: fields.size,
    targetBytes: fields.c,
    minBytes: fields.c_min,
    maxBytes: fields.c_max,
  });
}
