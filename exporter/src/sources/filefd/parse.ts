import { fail, ok, type Result } from '../source.js';

export interface FileNr {
  /** File handles allocated now. */
  allocated: number;
  /** Allocated but unused; always 0 since Linux 2.6 (handles are freed, not kept). */
  unused: number;
  /** fs.file-max. May be LONG_MAX where a distribution sets it "unlimited" (kept as a float). */
  maximum: number;
}

/** Parses /proc/sys/fs/file-nr: three tab-separated counts, e.g. `1184\t0\t2466160`. */
export function parseFileNr(text: string): Result<FileNr> {
  const tokens = text.trim().split(/\s+/);
  const [allocated, unused, maximum] = tokens.map((t) => (/^\d{1,20}$/.test(t) ? Number(t) : undefined));
  if (tokens.length !== 3 || allocated === undefined || unused === undefined || maximum === undefined) {
    return fail(
      'parse',
      `file-nr: expected three counts (allocated, unused, max), got ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
  return ok({ allocated, unused, maximum });
}
