import { join } from 'node:path';
import { fail, ok, type Result, type Source, type SourceContext } from '../source.js';
import { mapConcurrently } from './concurrency.js';
import { parseMounts, parseStatfsByPath, STATFS_NAMED_FORMAT } from './parse.js';
import { DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE, selectMounts } from './select.js';
import type { Filesystem, FilesystemsSnapshot, Mount } from './types.js';

export type { Filesystem, FilesystemStats, FilesystemsSnapshot, Mount } from './types.js';
export { DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE } from './select.js';

export const FILESYSTEMS_SOURCE = 'filesystems';

export interface FilesystemsOptions {
  fsTypesExclude?: RegExp;
  mountPointsExclude?: RegExp;
  /** stat processes in flight at once. */
  concurrency?: number;
  /** Deadline for one stat process; a mount alone in one that misses it is treated as stuck. */
  statTimeoutMs?: number;
  /** Rounds a stuck mount is skipped before it is tried again. */
  backoffRounds?: number;
  /** Local filesystems statted by one process (the rest of them go in further ones). */
  batchSize?: number;
}

/**
 * Filesystems whose statfs waits on a server or a userspace daemon, so it can hang: each gets a
 * stat process of its own, which can be abandoned without taking other mounts with it.
 */
const MAY_HANG_FS_TYPES =
  /^(nfs4?|cifs|smb3?|smbfs|ceph|glusterfs|9p|afs|lustre|gpfs|beegfs|davfs|ncpfs|sshfs|virtiofs|fuse|fuseblk|fuse\..+)$/;

interface Item {
  mount: Mount;
  key: string;
  /** The path statted: the mountpoint under rootfs. */
  path: string;
}

/**
 * Disk space per mounted filesystem. statfs runs in `stat -f` children, never in node's thread pool: a
 * dead hard-mounted NFS share blocks statfs forever, and four such calls would stall every fs
 * operation of the process. A child can be abandoned at its deadline instead. Local filesystems share
 * one child (a ZFS host has dozens of datasets, and each fork of this process costs the event loop
 * ~10 ms); network and FUSE ones get one each. Should a shared child hang after all, its mounts are
 * statted one by one for a while, so the stuck one is found and backed off alone.
 */
export function createFilesystemsSource(options: FilesystemsOptions = {}): Source<FilesystemsSnapshot> {
  const filter = {
    fsTypesExclude: withoutGlobalFlag(options.fsTypesExclude ?? DEFAULT_FS_TYPES_EXCLUDE),
    mountPointsExclude: withoutGlobalFlag(options.mountPointsExclude ?? DEFAULT_MOUNT_POINTS_EXCLUDE),
  };
  const concurrency = options.concurrency ?? 8;
  const statTimeoutMs = options.statTimeoutMs ?? 5000;
  const backoffRounds = options.backoffRounds ?? 10;
  const batchSize = Math.max(1, options.batchSize ?? 64);
  // Rounds left to skip, per stuck mount. A killed stat stuck in the kernel (D state) lingers until the
  // server answers, so retrying every round would pile up such children.
  const backoff = new Map<string, number>();
  // Rounds left to stat alone, per mount that was in a shared stat that hung.
  const alone = new Map<string, number>();

  const base = ({ mount: m }: Item) => ({
    mountpoint: m.mountpoint,
    device: m.device,
    fstype: m.fstype,
    readonly: m.readonly,
  });

  /** One stat process for `items`; undefined only when `stat` itself is not installed. */
  const statItems = async (ctx: SourceContext, items: Item[]): Promise<Filesystem[] | undefined> => {
    const run = await ctx.exec('stat', ['-f', '-c', STATFS_NAMED_FORMAT, '--', ...items.map((i) => i.path)], {
      timeoutMs: statTimeoutMs,
      signal: ctx.signal,
    });
    if (!run.ok) {
      if (run.error.kind === 'absent') return undefined;
      // An abort of the whole round says nothing about these mounts, so nothing is backed off.
      const hung = run.error.kind === 'timeout' && !ctx.signal.aborted;
      const stuck = hung && items.length === 1;
      for (const { key } of items) {
        if (stuck) backoff.set(key, backoffRounds);
        else if (hung) alone.set(key, backoffRounds);
      }
      return items.map((i) => ({ ...base(i), deviceError: true, stuck, error: run.error.message }));
    }
    const stats = parseStatfsByPath(run.value.stdout);
    const errors = run.value.stderr.split('\n').filter((line) => line.trim() !== '');
    return items.map((i) => {
      const figures = stats.get(i.path);
      if (figures) return { ...base(i), ...figures, deviceError: false, stuck: false };
      const error =
        // stat quotes the path ('…'), so /rpool does not take the error of /rpool/data.
        errors.find((line) => line.includes(`'${i.path}'`)) ??
        (errors.length === 1 ? errors[0] : undefined) ??
        `stat gave no figures for it (exit ${run.value.exitCode})`;
      return { ...base(i), deviceError: true, stuck: false, error: error.trim() };
    });
  };

  const backedOff = (item: Item, skipLeft: number): Filesystem => ({
    ...base(item),
    deviceError: true,
    stuck: true,
    error: `statfs hung earlier; backed off for ${skipLeft - 1} more rounds`,
  });

  return {
    name: FILESYSTEMS_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 10,
    async collect(ctx) {
      const table = await readMountTable(ctx);
      if (!table.ok) return table;
      const items = selectMounts(table.value, filter).map((mount) => ({
        mount,
        key: `${mount.device}\0${mount.mountpoint}`,
        path: join(ctx.paths.rootfs, mount.mountpoint),
      }));
      const keys = new Set(items.map((i) => i.key));
      for (const map of [backoff, alone]) for (const key of map.keys()) if (!keys.has(key)) map.delete(key);

      const results = new Map<string, Filesystem>();
      const shared: Item[] = [];
      const single: Item[][] = [];
      for (const item of items) {
        const skipLeft = backoff.get(item.key) ?? 0;
        if (skipLeft > 0) {
          backoff.set(item.key, skipLeft - 1);
          results.set(item.key, backedOff(item, skipLeft));
          continue;
        }
        backoff.delete(item.key);
        const aloneLeft = alone.get(item.key) ?? 0;
        if (aloneLeft > 0) alone.set(item.key, aloneLeft - 1);
        else alone.delete(item.key);
        // A path with a newline would break stat's line-per-path output.
        if (aloneLeft > 0 || MAY_HANG_FS_TYPES.test(item.mount.fstype) || item.path.includes('\n')) {
          single.push([item]);
        } else shared.push(item);
      }
      const groups: Item[][] = [];
      for (let i = 0; i < shared.length; i += batchSize) groups.push(shared.slice(i, i + batchSize));
      groups.push(...single);

      const statted = await mapConcurrently(groups, concurrency, (group) => statItems(ctx, group));
      if (statted.includes(undefined)) return fail('absent', 'stat: not installed');
      for (const [g, group] of groups.entries()) {
        for (const [i, item] of group.entries()) {
          const fs = statted[g]?.[i];
          if (fs) results.set(item.key, fs);
        }
      }
      return ok({ filesystems: items.flatMap((i) => results.get(i.key) ?? []) });
    },
  };
}

/** The host's view (PID 1's namespace) when the host's /proc is mounted in, else our own. */
async function readMountTable(ctx: SourceContext): Promise<Result<Mount[]>> {
  let text = await ctx.readText(join(ctx.paths.procfs, '1', 'mounts'));
  if (!text.ok) text = await ctx.readText(join(ctx.paths.procfs, 'self', 'mounts'));
  if (!text.ok) return text;
  return parseMounts(text.value);
}

// A configured /g regex keeps lastIndex between test() calls and would skip every other match.
function withoutGlobalFlag(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}
