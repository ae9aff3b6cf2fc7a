import type { PveAccess } from '../../pve/index.js';
import {
  lastBackupByGuest,
  lastVzdumpByGuest,
  parseBackups,
  parseNodeStorage,
  parseNotBackedUp,
  parseTasks,
  type PveBackup,
} from '../../pve-model/index.js';
import { ok, type Source, type SourceContext } from '../source.js';
import { byCodePoint } from '../../compare.js';

export const PVE_BACKUPS_SOURCE = 'pve-backups';

export interface PveBackupsSnapshot {
  node: string;
  /** Backup volumes on every reachable active storage of this node with `backup` content. */
  backups: PveBackup[];
  /** Newest backup per vmid (unix seconds): backup ctime or successful vzdump end, whichever is later. */
  lastBackup: Map<number, number>;
  /** Backup storages whose listing failed or timed out; their backups are missing above. */
  failedStorages: Array<{ storage: string; reason: string }>;
  /** Vmids no backup job covers; undefined where PVE cannot say (old versions, no permission). */
  notCoveredByJob?: number[] | undefined;
}

export interface PveBackupsOptions {
  /** Per-storage listing deadline: one dead PBS or NFS share must not take the others down. */
  storageTimeoutMs?: number;
  /** How far back vzdump tasks are read. */
  vzdumpWindowSeconds?: number;
}

const TIMEOUT_SECONDS = 60;
const CALL_TIMEOUT_MS = 15_000;

/**
 * Backups every 10 minutes: the backup content of each active backup storage of this node (each with
 * its own deadline), the guests no job covers, and recent vzdump tasks (a single-guest run names its
 * vmid, which covers backups on storages that could not be listed).
 */
export function createPveBackupsSource(
  access: PveAccess,
  options: PveBackupsOptions = {},
): Source<PveBackupsSnapshot> {
  const { client } = access;
  const storageTimeoutMs = options.storageTimeoutMs ?? 20_000;
  const vzdumpWindow = options.vzdumpWindowSeconds ?? 7 * 86_400;

  return {
    name: PVE_BACKUPS_SOURCE,
    intervalSeconds: 600,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const node = await access.localNode(ctx.signal);
      if (!node.ok) return node;
      const at = `/nodes/${node.value}`;
      const signal = ctx.signal;
      const storages = await client.get(`${at}/storage`, {}, { signal, timeoutMs: CALL_TIMEOUT_MS });
      const parsed = storages.ok ? parseNodeStorage(storages.value) : storages;
      if (!parsed.ok) return access.quietWhenAbsent(parsed);
      const backupStorages = parsed.value.filter(
        (s) => s.active !== false && s.enabled !== false && s.content.includes('backup'),
      );

      const failedStorages: PveBackupsSnapshot['failedStorages'] = [];
      const [listings, notCovered, vzdump] = await Promise.all([
        Promise.all(
          backupStorages.map(async ({ storage }) => {
            const r = await client.get(
              `${at}/storage/${storage}/content`,
              { content: 'backup' },
              { signal, timeoutMs: storageTimeoutMs },
            );
            const backups = r.ok ? parseBackups(r.value) : r;
            if (backups.ok) return backups.value;
            ctx.logger.warn({ err: backups.error, storage }, 'PVE backup storage listing failed');
            failedStorages.push({ storage, reason: backups.error.message });
            return [];
          }),
        ),
        readNotCovered(access, ctx),
        readVzdumpEnds(access, ctx, node.value, Math.floor(ctx.now() / 1000) - vzdumpWindow),
      ]);

      const backups = listings.flat();
      const lastBackup = new Map<number, number>();
      for (const [vmid, b] of lastBackupByGuest(backups))
        if (b.ctime !== undefined) lastBackup.set(vmid, b.ctime);
      for (const [vmid, end] of vzdump)
        if (end > (lastBackup.get(vmid) ?? -Infinity)) lastBackup.set(vmid, end);
      failedStorages.sort((a, b) => byCodePoint(a.storage, b.storage));
      return ok({ node: node.value, backups, lastBackup, failedStorages, notCoveredByJob: notCovered });
    },
  };
}

async function readNotCovered(access: PveAccess, ctx: SourceContext): Promise<number[] | undefined> {
  const r = await access.client.get(
    '/cluster/backup-info/not-backed-up',
    {},
    { signal: ctx.signal, timeoutMs: CALL_TIMEOUT_MS },
  );
  const parsed = r.ok ? parseNotBackedUp(r.value) : r;
  if (!parsed.ok) {
    // Missing before PVE 7 and without Sys.Audit on /: expected on some hosts, so not a warning.
    ctx.logger.debug({ err: parsed.error }, 'PVE not-backed-up list unavailable');
    return undefined;
  }
  return parsed.value.map((g) => g.vmid).sort((a, b) => a - b);
}

/** End of the last successful single-guest vzdump per vmid; empty when the task list fails. */
async function readVzdumpEnds(
  access: PveAccess,
  ctx: SourceContext,
  node: string,
  since: number,
): Promise<Map<number, number>> {
  const opts = { signal: ctx.signal, timeoutMs: CALL_TIMEOUT_MS };
  const r =
    access.scope === 'cluster'
      ? await access.client.get('/cluster/tasks', {}, opts)
      : await access.client.get(`/nodes/${node}/tasks`, { typefilter: 'vzdump', since, limit: 1000 }, opts);
  const tasks = r.ok ? parseTasks(r.value) : r;
  if (!tasks.ok) {
    ctx.logger.warn({ err: tasks.error }, 'PVE vzdump tasks unavailable');
    return new Map();
  }
  return lastVzdumpByGuest(tasks.value);
}
