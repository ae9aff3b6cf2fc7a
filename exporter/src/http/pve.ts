import { Router } from 'express';
import { z } from 'zod';
import type { PveAccess } from '../pve/index.js';
import { parseTasks, type PveBackup } from '../pve-model/index.js';
import { parseRrdData } from '../pve-model/rrd.js';
import type { SnapshotReader } from '../snapshots.js';
import { PVE_SOURCE, type PveSnapshot } from '../sources/pve/index.js';
import { localNode, pveGet, unwrap } from './pve-call.js';
import {
  guestSchema,
  rrdResponse,
  taskLogQuery,
  taskLogResponse,
  tasksQuery,
  tasksResponse,
  timeframeQuery,
} from './pve-schema.js';
import { ApiRouter } from './route.js';
import { isoFromSeconds, sourceStatus, sourceStatusSchema } from './source-status.js';
import { readTaskLog } from './task-log.js';
import { guestView, taskView } from './vms.js';

/** What the backups source knows (its snapshot), as this router reads it. */
export interface BackupsView {
  backups: readonly PveBackup[];
  lastBackup: ReadonlyMap<number, number>;
  failedStorages: ReadonlyArray<{ storage: string; reason: string }>;
  notCoveredByJob?: readonly number[] | undefined;
}

export interface PveRouterDeps {
  pve: PveAccess;
  snapshots: SnapshotReader;
  /** Undefined until the backups source has run; the name is its source name (for its status). */
  backups?: { source: string; latest: () => BackupsView | undefined };
}

const num = z.number().nullable();
const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

const pveStorageResponse = z.object({
  node: z.string().nullable(),
  storages: z.array(
    z.object({
      storage: z.string(),
      type: z.string().nullable(),
      content: z.array(z.string()),
      shared: z.boolean().nullable(),
      active: z.boolean().nullable(),
      enabled: z.boolean().nullable(),
      size_bytes: num,
      used_bytes: num,
      available_bytes: num,
      usage_ratio: num,
    }),
  ),
  source: sourceStatusSchema,
});

const backupSchema = z.object({
  volid: z.string(),
  storage: z.string().nullable(),
  vmid: z.number().int().nullable(),
  type: z.string().nullable().describe('qemu or lxc'),
  format: z.string().nullable(),
  size_bytes: num,
  created_at: z.string().nullable(),
  notes: z.string().nullable(),
  protected: z.boolean().nullable(),
});

const backupsResponse = z.object({
  backups: z.array(backupSchema).describe('newest first'),
  guests_without_backup: z
    .array(guestSchema)
    .describe('guests in scope with no backup found on any reachable storage or in recent vzdump tasks'),
  not_covered_by_job: z
    .array(z.number().int())
    .nullable()
    .describe('vmids no backup job includes (/cluster/backup-info/not-backed-up); null when unknown'),
  failed_storages: z.array(z.object({ storage: z.string(), reason: z.string() })),
  source: sourceStatusSchema,
});

/** Node-level PVE views: storages, backups, the cluster task list (events) and the node's RRD history. */
export function createPveRouter(deps: PveRouterDeps): ApiRouter {
  const { pve, snapshots } = deps;
  const api = new ApiRouter('/api', Router(), 'pve');
  const snap = () => snapshots.latest<PveSnapshot>(PVE_SOURCE);

  api.route(
    {
      method: 'get',
      path: '/storage/pve',
      auth: 'read',
      summary: 'PVE storages as this node sees them: type, content, state and capacity',
      response: pveStorageResponse,
    },
    () => {
      const s = snap();
      return {
        node: nul(s?.node),
        storages: (s?.storages ?? []).map((st) => ({
          storage: st.storage,
          type: nul(st.type),
          content: st.content,
          shared: nul(st.shared),
          active: nul(st.active),
          enabled: nul(st.enabled),
          size_bytes: nul(st.total),
          used_bytes: nul(st.used),
          available_bytes: nul(st.avail),
          usage_ratio: st.total && st.used !== undefined ? st.used / st.total : null,
        })),
        source: sourceStatus(snapshots, PVE_SOURCE),
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/backups',
      auth: 'read',
      summary: 'Backups on the storages this node reaches, and the guests without any',
      response: backupsResponse,
    },
    () => {
      const b = deps.backups?.latest();
      const guests = snap()?.guests ?? [];
      return {
        backups: [...(b?.backups ?? [])]
          .sort((x, y) => (y.ctime ?? 0) - (x.ctime ?? 0))
          .map((x) => ({
            volid: x.volid,
            storage: nul(x.storage),
            vmid: nul(x.vmid),
            type: nul(x.subtype),
            format: nul(x.format),
            size_bytes: nul(x.size),
            created_at: isoFromSeconds(x.ctime),
            notes: nul(x.notes),
            protected: nul(x.protected),
          })),
        // Without a backups run there is no telling who lacks one: an empty list, not all guests.
        guests_without_backup: b
          ? guests.filter((g) => !g.template && !b.lastBackup.has(g.vmid)).map((g) => guestView(g))
          : [],
        not_covered_by_job: b?.notCoveredByJob ? [...b.notCoveredByJob] : null,
        failed_storages: [...(b?.failedStorages ?? [])],
        source: sourceStatus(snapshots, deps.backups?.source ?? 'pve-backups'),
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/events',
      auth: 'read',
      summary: 'Recent PVE tasks across the cluster (newest first), filterable by outcome, type and vmid',
      query: tasksQuery,
      response: tasksResponse,
    },
    async ({ query }) => {
      const tasks = unwrap(parseTasks(await pveGet(pve, '/cluster/tasks')))
        .filter((t) => query.outcome === undefined || t.outcome === query.outcome)
        .filter((t) => query.type === undefined || t.type === query.type)
        .filter((t) => query.vmid === undefined || t.id === String(query.vmid))
        .sort((a, b) => (b.starttime ?? 0) - (a.starttime ?? 0));
      return { tasks: tasks.slice(0, query.limit).map(taskView) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/events/:upid/log',
      auth: 'read',
      summary: 'The log of one PVE task, by UPID',
      query: taskLogQuery,
      response: taskLogResponse,
    },
    async ({ params, query }) => ({
      ...(await readTaskLog(pve, params.upid, query)),
      start: query.start,
      total: null,
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/node/metrics',
      auth: 'read',
      summary: "RRD history of this exporter's PVE node (rrddata): hour, day, week, month or year",
      query: timeframeQuery,
      response: rrdResponse,
    },
    async ({ query }) => {
      const node = await localNode(pve);
      const data = await pveGet(pve, `/nodes/${node}/rrddata`, query);
      return { ...query, points: unwrap(parseRrdData(data)) };
    },
  );

  return api;
}
