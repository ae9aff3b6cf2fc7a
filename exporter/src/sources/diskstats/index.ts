import { join } from 'node:path';
import { ok, type Source, type SourceContext } from '../source.js';
import { parseDiskstats, type DiskstatsEntry } from './parse.js';
import { DEFAULT_EXCLUDED_PREFIXES, isExcludedDevice, looksLikePartition, sysfsBlockName } from './select.js';

export type { DiskstatsEntry } from './parse.js';
export { DEFAULT_EXCLUDED_PREFIXES } from './select.js';

export const DISKSTATS_SOURCE = 'diskstats';

export interface DiskstatsSnapshot {
  /** Whole block devices only (partitions would double count their disk's I/O). */
  disks: DiskstatsEntry[];
  /** How partitions were told apart: /sys/block entries, or the name rule when sysfs gave nothing. */
  wholeDiskRule: 'sysfs' | 'name-pattern';
}

export interface DiskstatsOptions {
  /** Name prefixes (followed by a digit) to leave out; defaults to loop, ram, zram, fd. */
  excludePrefixes?: readonly string[];
}

/**
 * /proc/diskstats for whole disks. A whole disk is a name with its own `${sysfs}/block/<name>`;
 * partitions live only under their parent there. Answers are cached per (major, minor, name), which
 * never changes kind while it exists, so steady state costs one file read per cycle.
 */
export function createDiskstatsSource(options: DiskstatsOptions = {}): Source<DiskstatsSnapshot> {
  const exclude = options.excludePrefixes ?? DEFAULT_EXCLUDED_PREFIXES;
  let wholeByKey = new Map<string, boolean>();
  return {
    name: DISKSTATS_SOURCE,
    intervalSeconds: 5,
    timeoutSeconds: 3,
    async collect(ctx) {
      const text = await ctx.readText(join(ctx.paths.procfs, 'diskstats'));
      if (!text.ok) return text;
      const parsed = parseDiskstats(text.value);
      if (!parsed.ok) return parsed;
      const candidates = parsed.value.filter((e) => !isExcludedDevice(e.name, exclude));
      const answers = await Promise.all(
        candidates.map(async (e) => wholeByKey.get(keyOf(e)) ?? (await probeWholeDisk(ctx, e.name))),
      );
      if (candidates.length === 0 || answers.some((a) => a === true)) {
        // Only definite answers are kept; dropping the rest also forgets devices that went away.
        wholeByKey = new Map();
        candidates.forEach((e, i) => {
          const answer = answers[i];
          if (answer !== undefined) wholeByKey.set(keyOf(e), answer);
        });
        // A device sysfs could not answer for (a read error) falls back to the name rule.
        const disks = candidates.filter((e, i) => answers[i] ?? !looksLikePartition(e.name));
        return ok({ disks, wholeDiskRule: 'sysfs' });
      }
      // No device has a /sys/block entry: sysfs is not mounted at that root (or not readable).
      const disks = candidates.filter((e) => !looksLikePartition(e.name));
      return ok({ disks, wholeDiskRule: 'name-pattern' });
    },
  };
}

const keyOf = (e: DiskstatsEntry) => `${e.major}:${e.minor}:${e.name}`;

/** true: a whole device; false: not in /sys/block (a partition); undefined: could not tell. */
async function probeWholeDisk(ctx: SourceContext, name: string): Promise<boolean | undefined> {
  const dev = await ctx.readText(join(ctx.paths.sysfs, 'block', sysfsBlockName(name), 'dev'));
  if (dev.ok) return true;
  return dev.error.kind === 'absent' ? false : undefined;
}
