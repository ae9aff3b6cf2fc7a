import type { PveAccess, PveClient } from '../../pve/index.js';
import {
  parseHaStatus,
  parseReplication,
  parseTasks,
  type PveHaEntry,
  type PveReplication,
  type PveTask,
} from '../../pve-model/index.js';
import { fail, ok, type Result, type Source, type SourceContext } from '../source.js';
import { FailedTaskCounter, type FailedTaskCounterOptions } from './failed-tasks.js';

export const PVE_TASKS_SOURCE = 'pve-tasks';

export interface PveTasksSnapshot {
  node: string;
  /** Recent tasks: the local node's last 24 h (scope node) or `/cluster/tasks` (scope cluster). */
  tasks: PveTask[];
  /** Failed tasks by type since the exporter started, each UPID counted once. */
  failedTotals: Map<string, number>;
  /** HA entries in scope (services of this node in scope node); undefined when the call failed. */
  ha?: PveHaEntry[] | undefined;
  /** Replication jobs with state; undefined when no node's list could be read. */
  replication?: PveReplication[] | undefined;
}

export interface PveTasksOptions extends FailedTaskCounterOptions {
  /** How far back the node task list reaches. */
  windowSeconds?: number;
  /** Most tasks per listing (PVE's default is 50). */
  limit?: number;
}

const TIMEOUT_SECONDS = 20;
const TASKS_TIMEOUT_MS = 15_000;
const SIDE_TIMEOUT_MS = 10_000;

/**
 * Recent PVE tasks (failed ones counted by type), HA state and replication, every 60 s. Only the task
 * list is essential: a failing HA or replication call is logged and leaves its part undefined.
 */
export function createPveTasksSource(
  access: PveAccess,
  options: PveTasksOptions = {},
): Source<PveTasksSnapshot> {
  const { client, scope } = access;
  const counter = new FailedTaskCounter(options);
  const windowSeconds = options.windowSeconds ?? 86_400;
  const limit = options.limit ?? 1000;

  return {
    name: PVE_TASKS_SOURCE,
    intervalSeconds: 60,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const node = await access.localNode(ctx.signal);
      if (!node.ok) return node;
      const signal = ctx.signal;
      const nowSeconds = Math.floor(ctx.now() / 1000);
      const listing =
        scope === 'cluster'
          ? client.get('/cluster/tasks', {}, { signal, timeoutMs: TASKS_TIMEOUT_MS })
          : client.get(
              `/nodes/${node.value}/tasks`,
              { since: nowSeconds - windowSeconds, limit },
              { signal, timeoutMs: TASKS_TIMEOUT_MS },
            );
      const [tasks, ha, replication] = await Promise.all([
        listing.then((r) => (r.ok ? parseTasks(r.value) : r)),
        readHa(client, ctx, scope === 'cluster' ? undefined : node.value),
        readReplication(client, ctx, scope === 'cluster' ? undefined : node.value),
      ]);
      if (!tasks.ok) return access.quietWhenAbsent(tasks);
      counter.observe(tasks.value, nowSeconds);
      return ok({
        node: node.value,
        tasks: tasks.value,
        failedTotals: counter.totals(),
        ha,
        replication,
      });
    },
  };
}

/** HA services (plus quorum, master and lrm entries); `onlyNode` keeps the services running there. */
async function readHa(
  client: PveClient,
  ctx: SourceContext,
  onlyNode: string | undefined,
): Promise<PveHaEntry[] | undefined> {
  const r = await client.get(
    '/cluster/ha/status/current',
    {},
    { signal: ctx.signal, timeoutMs: SIDE_TIMEOUT_MS },
  );
  const parsed = r.ok ? parseHaStatus(r.value) : r;
  if (!parsed.ok) {
    ctx.logger.warn({ err: parsed.error }, 'PVE HA status unavailable');
    return undefined;
  }
  return onlyNode === undefined ? parsed.value : parsed.value.filter((e) => e.node === onlyNode);
}

/**
 * Replication state lives on each job's source node (`/nodes/{n}/replication`; `/cluster/replication`
 * has the jobs without state). Scope cluster asks every online node; one failing node loses only its jobs.
 */
async function readReplication(
  client: PveClient,
  ctx: SourceContext,
  onlyNode: string | undefined,
): Promise<PveReplication[] | undefined> {
  const opts = { signal: ctx.signal, timeoutMs: SIDE_TIMEOUT_MS };
  let nodes: string[];
  if (onlyNode !== undefined) nodes = [onlyNode];
  else {
    const listed = await client.get('/nodes', {}, opts);
    const online = listed.ok ? onlineNodes(listed.value) : listed;
    if (!online.ok) {
      ctx.logger.warn({ err: online.error }, 'PVE node list for replication unavailable');
      return undefined;
    }
    nodes = online.value;
  }
  const lists = await Promise.all(
    nodes.map(async (n) => {
      const r = await client.get(`/nodes/${n}/replication`, {}, opts);
      const parsed = r.ok ? parseReplication(r.value) : r;
      if (!parsed.ok) ctx.logger.warn({ err: parsed.error, node: n }, 'PVE replication status unavailable');
      return parsed;
    }),
  );
  const good = lists.filter((l): l is { ok: true; value: PveReplication[] } => l.ok);
  return good.length === 0 && nodes.length > 0 ? undefined : good.flatMap((l) => l.value);
}

function onlineNodes(value: unknown): Result<string[]> {
  if (!Array.isArray(value)) return fail('parse', 'nodes: expected an array');
  return ok(
    value
      .filter(
        (n): n is { node: string; status?: unknown } => typeof (n as { node?: unknown })?.node === 'string',
      )
      .filter((n) => n.status === undefined || n.status === 'online')
      .map((n) => n.node),
  );
}
