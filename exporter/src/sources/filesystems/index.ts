import { join } from 'node:path';
import { fail, ok, type Result, type Source, type SourceContext } from '../source.js';
import { mapConcurrently } from './concurrency.js';
import { parseMounts, parseStatfs, STATFS_FORMAT } from './parse.js';
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
  /** Deadline for one mount's stat; a mount that misses it is treated as stuck. */
  statTimeoutMs?: number;
  /** Rounds a stuck mount is skipped before it is tried again. */
  backoffRounds?: number;
}

/**
 * Disk space per mounted filesystem. statfs runs in a `stat -f` child per mount, never in node's
 * thread pool: a dead hard-mounted NFS share blocks statfs forever, and four such calls would stall
 * every fs operation of the process. A child can be abandoned at its deadline instead.
 */
export function createFilesystemsSource(options: FilesystemsOptions = {}): Source<FilesystemsSnapshot> {
  const filter = {
    fsTypesExclude: withoutGlobalFlag(options.fsTypesExclude ?? DEFAULT_FS_TYPES_EXCLUDE),
    mountPointsExclude: withoutGlobalFlag(options.mountPointsExclude ?? DEFAULT_MOUNT_POINTS_EXCLUDE),
  };
  const concurrency = options.concurrency ?? 8;
  const statTimeoutMs = options.statTimeoutMs ?? 5000;
  const backoffRounds = options.backoffRounds ?? 10;
  // Rounds left to skip, per stuck mount. A killed stat stuck in the kernel (D state) lingers until the
  // server answers, so retrying every round would pile up such children.
  const backoff = new Map<string, number>();

  /** Returns undefined only when `stat` itself is not installed. */
  const statMount = async (ctx: SourceContext, m: Mount, key: string): Promise<Filesystem | undefined> => {
    const base = { mountpoint: m.mountpoint, device: m.device, fstype: m.fstype, readonly: m.readonly };
    const skipLeft = backoff.get(key) ?? 0;
    if (skipLeft > 0) {
      backoff.set(key, skipLeft - 1);
      return {
        ...base,
        deviceError: true,
        stuck: true,
        error: `statfs hung earlier; backed off for ${skipLeft - 1} more rounds`,
      };
    }
    backoff.delete(key);
    const path = join(ctx.paths.rootfs, m.mountpoint);
    const run = await ctx.exec('stat', ['-f', '-c', STATFS_FORMAT, '--', path], {
      timeoutMs: statTimeoutMs,
      signal: ctx.signal,
    });
    if (!run.ok) {
      if (run.error.kind === 'absent') return undefined;
      // An abort of the whole round says nothing about this mount, so it is not backed off.
      const stuck = run.error.kind === 'timeout' && !ctx.signal.aborted;
      if (stuck) backoff.set(key, backoffRounds);
      return { ...base, deviceError: true, stuck, error: run.error.message };
    }
    if (run.value.exitCode !== 0) {
      const reason = run.value.stderr.trim() || `stat exited ${run.value.exitCode}`;
      return { ...base, deviceError: true, stuck: false, error: reason };
    }
    const stats = parseStatfs(run.value.stdout);
    if (!stats.ok) return { ...base, deviceError: true, stuck: false, error: stats.error.message };
    return { ...base, ...stats.value, deviceError: false, stuck: false };
  };

  return {
    name: FILESYSTEMS_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: 10,
    async collect(ctx) {
      const table = await readMountTable(ctx);
      if (!table.ok) return table;
      const mounts = selectMounts(table.value, filter);
      const keys = mounts.map((m) => `${m.device}\0${m.mountpoint}`);
      for (const key of backoff.keys()) if (!keys.includes(key)) backoff.delete(key);

      const results = await mapConcurrently(
        mounts.map((m, i) => ({ m, key: keys[i] as string })),
        concurrency,
        ({ m, key }) => statMount(ctx, m, key),
      );
      const filesystems = results.filter((fs): fs is Filesystem => fs !== undefined);
      if (filesystems.length < results.length) return fail('absent', 'stat: not installed');
      return ok({ filesystems });
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
