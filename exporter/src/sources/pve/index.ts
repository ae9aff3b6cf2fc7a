import { findLocalNode, type PveClient } from '../../pve/index.js';
import {
  parseClusterResources,
  parseClusterStatus,
  parseNodeStatus,
  parseNodeStorage,
  parseVersion,
  type ClusterStatus,
  type PveGuest,
  type PveNodeStatus,
  type PveNodeStorage,
  type PveVersion,
} from '../../pve-model/index.js';
import { fail, ok, type Result, type Source, type SourceContext } from '../source.js';

export const PVE_SOURCE = 'pve';
const TIMEOUT_SECONDS = 10;
/** Storage status can hang on a dead network storage; it must not take the guests with it. */
const STORAGE_TIMEOUT_MS = 5000;

export type PveScope = 'node' | 'cluster';

export interface PveSnapshot {
  mode: PveClient['mode'];
  scope: PveScope;
  /** The PVE node this exporter runs on (or that answered, in API mode from elsewhere). */
  node: string;
  version: PveVersion;
  cluster: ClusterStatus;
  /** Undefined when `/nodes/{node}/status` failed (logged); the rest still reports. */
  nodeStatus?: PveNodeStatus | undefined;
  /** The local node's guests (scope `node`) or every guest (scope `cluster`). */
  guests: PveGuest[];
  /** The local node's view of its storages; undefined when `/nodes/{node}/storage` failed (logged). */
  storages?: PveNodeStorage[] | undefined;
}

export interface PveSourceOptions {
  /** The client for this refresh; undefined means PVE is not configured here (`absent`). */
  client: (ctx: SourceContext) => PveClient | undefined;
  scope?: PveScope;
  /** This host's name, matched against `/nodes`. */
  hostname: string;
  /**
   * Whether a missing `pvesh` is a failure (pve.mode: pvesh) rather than the quiet `absent` of a
   * host that is not a Proxmox node (pve.mode: auto).
   */
  requirePvesh?: boolean;
}

/**
 * Proxmox VE node, cluster, guests and storage, every 15 s: `/cluster/resources?type=vm` once per
 * refresh for all guest counters, plus `/cluster/status`, `/version` and the local node's status
 * and storage, in parallel.
 */
export function createPveSource(options: PveSourceOptions): Source<PveSnapshot> {
  const scope = options.scope ?? 'node';
  let localNode: string | undefined;

  async function findNode(ctx: SourceContext, client: PveClient): Promise<Result<string>> {
    if (localNode !== undefined) return ok(localNode);
    const nodes = await client.get<unknown>('/nodes', {}, { signal: ctx.signal });
    if (!nodes.ok) return nodes;
    const rows = Array.isArray(nodes.value) ? (nodes.value as Array<{ node: string }>) : [];
    let found = findLocalNode(rows, options.hostname)?.node;
    if (found === undefined) {
      // Over the API from another host the hostname matches nothing: use the node that answered.
      const status = await client.get<unknown>('/cluster/status', {}, { signal: ctx.signal });
      const parsed = status.ok ? parseClusterStatus(status.value) : status;
      if (!parsed.ok) return parsed;
      found = parsed.value.nodes.find((n) => n.local === true)?.name;
    }
    if (found === undefined) return fail('exit', `no PVE node named ${JSON.stringify(options.hostname)}`);
    return ok((localNode = found));
  }

  return {
    name: PVE_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const client = options.client(ctx);
      if (client === undefined) return fail('absent', 'pve: not configured');
      const node = await findNode(ctx, client);
      if (!node.ok) return quietWhenAbsent(node, options.requirePvesh === true);
      const signal = ctx.signal;
      const at = `/nodes/${node.value}`;
      const [resources, cluster, version, status, storage] = await Promise.all([
        client
          .get('/cluster/resources', { type: 'vm' }, { signal })
          .then((r) => then(r, parseClusterResources)),
        client.get('/cluster/status', {}, { signal }).then((r) => then(r, parseClusterStatus)),
        client.get('/version', {}, { signal }).then((r) => then(r, parseVersion)),
        client.get(`${at}/status`, {}, { signal }).then((r) => then(r, parseNodeStatus)),
        client
          .get(`${at}/storage`, {}, { signal, timeoutMs: STORAGE_TIMEOUT_MS })
          .then((r) => then(r, parseNodeStorage)),
      ]);
      if (!resources.ok) return resources;
      if (!cluster.ok) return cluster;
      if (!version.ok) return version;
      if (!status.ok) ctx.logger.warn({ err: status.error }, 'PVE node status unavailable');
      if (!storage.ok) ctx.logger.warn({ err: storage.error }, 'PVE storage status unavailable');
      const guests = resources.value.guests;
      return ok({
        mode: client.mode,
        scope,
        node: node.value,
        version: version.value,
        cluster: cluster.value,
        nodeStatus: status.ok ? status.value : undefined,
        guests: scope === 'cluster' ? guests : guests.filter((g) => g.node === node.value),
        storages: storage.ok ? storage.value : undefined,
      });
    },
  };
}

const then = <T>(r: Result<unknown>, parse: (v: unknown) => Result<T>): Result<T> =>
  r.ok ? parse(r.value) : r;

function quietWhenAbsent<T>(r: Result<T>, requirePvesh: boolean): Result<T> {
  if (r.ok || r.error.kind !== 'absent' || !requirePvesh) return r;
  return fail('exit', `${r.error.message} (pve.mode is pvesh)`);
}
