import { fail, ok, type Result } from '../source.js';

/** The files read under `${sysfs}/kernel/mm/ksm/`. */
export const KSM_FILES = [
  'run',
  'pages_shared',
  'pages_sharing',
  'pages_unshared',
  'pages_volatile',
  'full_scans',
  'general_profit',
  'ksm_zero_pages',
] as const;

export type KsmFile = (typeof KSM_FILES)[number];

export interface Ksm {
  /** `run`: 0 stopped, 1 merging, 2 stopped and unmerging everything. */
  run: number;
  running: boolean;
  /** Distinct KSM pages in use (each stands for several identical ones). */
  pagesShared?: number;
  /** Further mappings of those pages: the pages saved. */
  pagesSharing?: number;
  /** Unique pages KSM keeps checking. */
  pagesUnshared?: number;
  /** Pages changing too fast to merge. */
  pagesVolatile?: number;
  fullScans?: number;
  /**
   * general_profit (Linux 6.4+): bytes saved (sharing and zero pages) less KSM's own metadata.
   * Signed: negative when the bookkeeping costs more than merging saves.
   */
  profitBytes?: number;
  /** ksm_zero_pages (Linux 6.5+): empty pages mapped to the zero page when use_zero_pages is on. */
  zeroPages?: number;
  /** From `getconf PAGESIZE`; undefined when it could not be asked. */
  pageSizeBytes?: number;
  /** pages_sharing x page size: what the Proxmox VE UI shows as "KSM sharing". */
  sharingBytes?: number;
}

const count = (text: string | undefined): number | undefined => {
  const t = text?.trim();
  return t !== undefined && /^\d{1,20}$/.test(t) ? Number(t) : undefined;
};

const signed = (text: string | undefined): number | undefined => {
  const t = text?.trim();
  return t !== undefined && /^-?\d{1,20}$/.test(t) ? Number(t) : undefined;
};

/**
 * Turns the KSM sysfs files (name -> content; a file that could not be read is left out) into a
 * snapshot. `run` is required; any other file that is missing (older kernel) or garbled is unknown.
 */
export function parseKsm(files: Partial<Record<KsmFile, string>>, pageSizeBytes?: number): Result<Ksm> {
  const run = count(files.run);
  if (run === undefined) {
    return fail('parse', `ksm/run: expected a number, got ${JSON.stringify(files.run?.slice(0, 40))}`);
  }
  const pagesSharing = count(files.pages_sharing);
  return ok({
    run,
    running: run === 1,
    pagesShared: count(files.pages_shared),
    pagesSharing,
    pagesUnshared: count(files.pages_unshared),
    pagesVolatile: count(files.pages_volatile),
    fullScans: count(files.full_scans),
    profitBytes: signed(files.general_profit),
    zeroPages: count(files.ksm_zero_pages),
    pageSizeBytes,
    sharingBytes:
      pagesSharing !== undefined && pageSizeBytes !== undefined ? pagesSharing * pageSizeBytes : undefined,
  });
}

/** Parses `getconf PAGESIZE` output: one power of two, e.g. `4096`. */
export function parsePageSize(stdout: string): Result<number> {
  const t = stdout.trim();
  const n = /^\d{1,10}$/.test(t) ? Number(t) : 0;
  if (n < 512 || !Number.isInteger(Math.log2(n))) {
    return fail('parse', `getconf PAGESIZE: expected a power of two, got ${JSON.stringify(t.slice(0, 40))}`);
  }
  return ok(n);
}
