import { fail, ok, type Result } from '../source.js';

/**
 * diskstats counts in 512-byte sectors whatever the device's logical sector size (the block layer
 * keeps its own accounting in 512-byte units), so bytes = sectors * 512 on every disk.
 */
export const DISKSTATS_SECTOR_BYTES = 512;

export interface DiskstatsEntry {
  major: number;
  minor: number;
  /** As printed, e.g. `sda`, `nvme0n1p1`, `dm-0`, `cciss/c0d0`. */
  name: string;
  readsCompleted: number;
  readsMerged: number;
  readBytes: number;
  readTimeSeconds: number;
  writesCompleted: number;
  writesMerged: number;
  writtenBytes: number;
  writeTimeSeconds: number;
  /** I/Os in flight now (a gauge, not a counter). */
  ioInProgress: number;
  /** Wall time with at least one I/O in flight. */
  ioTimeSeconds: number;
  /** Time in flight summed over I/Os: a backlog measure. */
  ioWeightedTimeSeconds: number;
  /** Linux 4.18+. */
  discardsCompleted?: number;
  discardsMerged?: number;
  discardedBytes?: number;
  discardTimeSeconds?: number;
  /** Linux 5.5+. */
  flushesCompleted?: number;
  flushTimeSeconds?: number;
}

/** Stats after `major minor name`: 11 (2.6.25 to 4.17), 15 (4.18 to 5.4) or 17 (5.5 on). */
const MIN_STATS = 11;

function parseLine(line: string): DiskstatsEntry | undefined {
  const [major, minor, name, ...rest] = line.trim().split(/\s+/);
  if (!name || rest.length < MIN_STATS) return undefined;
  const n = [major, minor, ...rest].map((t) => (t !== undefined && /^\d{1,20}$/.test(t) ? Number(t) : NaN));
  if (n.some(Number.isNaN)) return undefined;
  const at = (i: number) => n[i] ?? 0;
  const seconds = (ms: number) => ms / 1000;
  const bytes = (sectors: number) => sectors * DISKSTATS_SECTOR_BYTES;
  const count = (v: number) => v;
  const opt = (i: number, convert: (v: number) => number) =>
    n[i] === undefined ? undefined : convert(at(i));
  return {
    major: at(0),
    minor: at(1),
    name,
    readsCompleted: at(2),
    readsMerged: at(3),
    readBytes: bytes(at(4)),
    readTimeSeconds: seconds(at(5)),
    writesCompleted: at(6),
    writesMerged: at(7),
    writtenBytes: bytes(at(8)),
    writeTimeSeconds: seconds(at(9)),
    ioInProgress: at(10),
    ioTimeSeconds: seconds(at(11)),
    ioWeightedTimeSeconds: seconds(at(12)),
    discardsCompleted: opt(13, count),
    discardsMerged: opt(14, count),
    discardedBytes: opt(15, bytes),
    discardTimeSeconds: opt(16, seconds),
    flushesCompleted: opt(17, count),
    flushTimeSeconds: opt(18, seconds),
  };
}

/**
 * Parses /proc/diskstats. Lines that do not have the 2.6.25+ layout (pre-2.6.25 partition lines had
 * 4 stats) are skipped; a file with lines but none usable is a parse error.
 */
export function parseDiskstats(text: string): Result<DiskstatsEntry[]> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const entries = lines.map(parseLine).filter((e): e is DiskstatsEntry => e !== undefined);
  if (lines.length > 0 && entries.length === 0) {
    return fail(
      'parse',
      `/proc/diskstats: no usable line in ${lines.length}, first: ${lines[0]?.slice(0, 80)}`,
    );
  }
  return ok(entries);
}
