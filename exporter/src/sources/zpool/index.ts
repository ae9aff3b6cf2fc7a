import type { ExecOutput } from '../exec.js';
import { fail, ok, type Result, type Source, type SourceContext } from '../source.js';
import { assignDiskIds } from './disk-id.js';
import {
  LIST_COLUMNS,
  mergePools,
  NO_POOLS,
  parseZpoolList,
  parseZpoolStatus,
  parseZpoolStatusJson,
} from './parse.js';
import type { ZpoolListEntry, ZpoolPool, ZpoolSnapshot, ZpoolStatusPool } from './types.js';
import { processLocalTime, type WallClockToEpoch } from './units.js';

export type * from './types.js';
export { POOL_STATES, VDEV_STATES } from './types.js';
export { vdevDiskIds, type VdevDiskIds } from './disk-id.js';

export const ZPOOL_SOURCE = 'zpool';
const TIMEOUT_SECONDS = 20;

export interface ZpoolSourceOptions {
  /**
   * `auto` (default) asks for `zpool status -j --json-int` once and keeps to it when it works
   * (OpenZFS 2.3+), else uses the text of `zpool status -p` from then on.
   */
  format?: 'auto' | 'json' | 'text';
  /** How the local times zpool prints become epoch seconds (default: this process's TZ). */
  toEpoch?: WallClockToEpoch;
  /** /dev/disk/by-id link names → targets, to give vdevs named `sda` or by serial a WWN `disk_id`. */
  byIdLinks?: (ctx: SourceContext) => Promise<Record<string, string>>;
}

/** No ZFS on this host: the tool is there but the kernel module is not (or /dev/zfs is hidden from us). */
const NO_ZFS =
  /modules are not loaded|modules cannot be auto-loaded|\/dev\/zfs and \/proc\/self\/mounts are required/i;
/** zpool's usage error (exit 2) for an option it does not know, e.g. -j before OpenZFS 2.3. */
const UNKNOWN_OPTION = /invalid option|unrecognized option/i;

/**
 * ZFS pools: `zpool list -Hp` (sizes, fragmentation, dedup) and `zpool status` (state, scrub and
 * resilver, the vdev tree with error counters, data errors), every 60 s. A pool's last scrub time is
 * remembered across runs because zpool status shows only the latest scan (a resilver replaces it).
 */
export function createZpoolSource(options: ZpoolSourceOptions = {}): Source<ZpoolSnapshot> {
  const format = options.format ?? 'auto';
  const toEpoch = options.toEpoch ?? processLocalTime;
  // Until zpool rejects -j (or prints JSON this parser cannot read), JSON is asked for.
  let tryJson = format !== 'text';
  const lastScrubEnd = new Map<string, number>();

  const run = (ctx: SourceContext, args: string[]) =>
    ctx.exec('zpool', args, { timeoutMs: TIMEOUT_SECONDS * 1000, signal: ctx.signal });

  async function readStatus(
    ctx: SourceContext,
  ): Promise<Result<{ format: ZpoolSnapshot['format']; pools: ZpoolStatusPool[] }>> {
    if (tryJson) {
      const r = await run(ctx, ['status', '-j', '--json-int']);
      if (!r.ok) return r;
      const rejected = r.value.exitCode === 2 && UNKNOWN_OPTION.test(r.value.stderr);
      if (rejected && format === 'json') return fail('exit', `zpool status -j: ${firstLine(r.value.stderr)}`);
      if (!rejected) {
        const parsed = interpret(r.value, 'zpool status -j', (out) => parseZpoolStatusJson(out, toEpoch));
        if (parsed.ok) return ok({ format: 'json', pools: parsed.value });
        if (format === 'json' || parsed.error.kind !== 'parse') return parsed;
        ctx.logger.warn({ err: parsed.error.message }, 'zpool status -j unreadable; using the text output');
      }
      tryJson = false;
    }
    const r = await run(ctx, ['status', '-p']);
    if (!r.ok) return r;
    const parsed = interpret(r.value, 'zpool status -p', (out) => parseZpoolStatus(out, { toEpoch }));
    return parsed.ok ? ok({ format: 'text', pools: parsed.value }) : parsed;
  }

  async function readList(ctx: SourceContext): Promise<Result<ZpoolListEntry[]>> {
    const r = await run(ctx, ['list', '-Hp', '-o', LIST_COLUMNS.join(',')]);
    if (!r.ok) return r;
    return interpret(r.value, 'zpool list', (out) => parseZpoolList(out));
  }

  return {
    name: ZPOOL_SOURCE,
    intervalSeconds: 60,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const [status, list] = await Promise.all([readStatus(ctx), readList(ctx)]);
      if (!status.ok) return status;
      if (!list.ok) return list;
      const pools = mergePools(status.value.pools, list.value);
      assignDiskIds(pools, options.byIdLinks ? await options.byIdLinks(ctx).catch(() => ({})) : {});
      rememberLastScrub(pools, lastScrubEnd);
      return ok({ format: status.value.format, pools });
    },
  };
}

/**
 * Turns a zpool run into parsed pools or a quiet/loud error. "no pools available" is zero pools; a
 * missing kernel module is `absent`; any other failure is kept as data when stdout still parses.
 */
function interpret<T>(run: ExecOutput, what: string, parse: (stdout: string) => Result<T[]>): Result<T[]> {
  const { stdout, stderr, exitCode } = run;
  if (exitCode === 127) return fail('absent', 'zpool: not installed (exit 127)');
  if (NO_ZFS.test(stderr) || NO_ZFS.test(stdout))
    return fail('absent', `zpool: ${firstLine(stderr || stdout)}`);
  if (stdout.trim() === '' && NO_POOLS.test(stderr)) return ok([]);
  const parsed = parse(stdout);
  if (exitCode === 0) return parsed;
  if (parsed.ok && parsed.value.length > 0) return parsed;
  return fail('exit', `${what} exited ${exitCode}${stderr.trim() ? `: ${firstLine(stderr)}` : ''}`);
}

function rememberLastScrub(pools: ZpoolPool[], memory: Map<string, number>): void {
  for (const pool of pools) {
    const end = pool.scans.find((s) => s.function === 'scrub' && s.state === 'finished')?.endTime;
    if (end !== undefined) memory.set(pool.name, end);
    const known = memory.get(pool.name);
    if (known !== undefined) pool.lastScrubEndTime = known;
  }
  const names = new Set(pools.map((p) => p.name));
  for (const name of memory.keys()) if (!names.has(name)) memory.delete(name);
}

const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';
