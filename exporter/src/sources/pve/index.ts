import type { PveAccess, PveClient, PveScope } from '../../pve/index.js';
import {
  parseClusterResourcesSliced,
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
import { ok, type Result, type Source } from '../source.js';
import { createOnbootCache, type OnbootOptions } from './onboot.js';

export const PVE_SOURCE = 'pve';
const TIMEOUT_SECONDS = 10;
/** Storage status can hang on a dead network storage; it must not take the guests with it. */
const STORAGE_TIMEOUT_MS = 5000;

export interface PveSnapshot {
  mode: PveClient['mode'];
  scope: PveScope;
  /** The PVE node this exporter runs on (or that answered, in API mode from elsewhere). */
  node: string;
  version: PveVersion;
  cluster: ClusterStatus;
  /**
   * Static facts (kernel, boot mode, pve-manager, CPU model); undefined when `/nodes/{node}/status`
   * failed (logged). Live figures of the local node come from the host sources.
   */
  nodeStatus?: PveNodeStatus | undefined;
  /** The local node's guests (scope `node`) or every guest (scope `cluster`). */
  guests: PveGuest[];
  /** The local node's view of its storages; undefined when `/nodes/{node}/storage` failed (logged). */
  storages?: PveNodeStorage[] | undefined;
  /** Whether each guest starts at boot, by vmid; guests whose config is not known yet are missing. */
  onboot?: ReadonlyMap<number, boolean> | undefined;
}

export interface PveSourceOptions {
  /** How guest configs are read and cached for `onboot` (defaults depend on the client mode). */
  onboot?: OnbootOptions;
}

/**
 * What changes slowly (the version, cluster membership and quorum, storage usage, the node's static
 * facts) is read at most this often: each pvesh call costs a PVE node a few hundred ms of CPU and the
 * exporter a fork.
 */
export const SLOW_PARTS_MAX_AGE_MS = 60_000;

/**
 * Proxmox VE node, cluster, guests and storage, every 15 s: `/cluster/resources?type=vm` once per
 * refresh for all guest counters; `/cluster/status`, `/version`, the node's status and its storage
 * at most once a minute (SLOW_PARTS_MAX_AGE_MS). `onboot` comes from the guests' configs, read and
 * cached apart (onboot.ts).
 */
export function createPveSource(access: PveAccess, options: PveSourceOptions = {}): Source<PveSnapshot> {
  const { client, scope } = access;
  const onboot = createOnbootCache(client, options.onboot);
  const clusterStatus = slowly((signal) =>
    client.get('/cluster/status', {}, { signal }).then((r) => then(r, parseClusterStatus)),
  );
  const version = slowly((signal) =>
    client.get('/version', {}, { signal }).then((r) => then(r, parseVersion)),
  );
  const nodeStatus = slowly((signal, node) =>
    client.get(`/nodes/${node}/status`, {}, { signal }).then((r) => then(r, parseNodeStatus)),
  );
  const storage = slowly((signal, node) =>
    client
      .get(`/nodes/${node}/storage`, {}, { signal, timeoutMs: STORAGE_TIMEOUT_MS })
      .then((r) => then(r, parseNodeStorage)),
  );
  return {
    name: PVE_SOURCE,
    intervalSeconds: 15,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const node = await access.localNode(ctx.signal);
      if (!node.ok) return node;
      const signal = ctx.signal;
      const inScope = (guests: PveGuest[]) =>
        scope === 'cluster' ? guests : guests.filter((g) => g.node === node.value);
      const listed = client
        .get('/cluster/resources', { type: 'vm' }, { signal })
        .then((r) => (r.ok ? parseClusterResourcesSliced(r.value) : r));
      const now = ctx.now();
      const [resources, cluster, pveVersion, status, storages, onbootByVmid] = await Promise.all([
        listed,
        clusterStatus(now, signal, node.value),
        version(now, signal, node.value),
        nodeStatus(now, signal, node.value),
        storage(now, signal, node.value),
        listed.then((r) => (r.ok ? onboot.refresh(ctx, inScope(r.value.guests)) : undefined)),
      ]);
      if (!resources.ok) return resources;
      if (!cluster.ok) return cluster;
      if (!pveVersion.ok) return pveVersion;
      if (!status.ok) ctx.logger.warn({ err: status.error }, 'PVE node status unavailable');
      if (!storages.ok) ctx.logger.warn({ err: storages.error }, 'PVE storage status unavailable');
      return ok({
        mode: client.mode,
        scope,
        node: node.value,
        version: pveVersion.value,
        cluster: cluster.value,
        nodeStatus: status.ok ? status.value : undefined,
        guests: inScope(resources.value.guests),
        storages: storages.ok ? storages.value : undefined,
        onboot: onbootByVmid,
      });
    },
  };
}

const then = <T>(r: Result<unknown>, parse: (v: unknown) => Result<T>): Result<T> =>
  r.ok ? parse(r.value) : r;

/** A read whose last success is reused for SLOW_PARTS_MAX_AGE_MS; a failure is retried next refresh. */
function slowly<T>(read: (signal: AbortSignal, node: string) => Promise<Result<T>>) {
  let last: { at: number; node: string; result: Result<T> } | undefined;
  return async (now: number, signal: AbortSignal, node: string): Promise<Result<T>> => {
    if (last && last.node === node && now - last.at < SLOW_PARTS_MAX_AGE_MS) return last.result;
    const result = await read(signal, node);
    last = result.ok ? { at: now, node, result } : undefined;
    return result;
  };
}

// The other PVE sources, each on its own schedule so a slow part never delays the guest counters.
export {
  createPveTasksSource,
  PVE_TASKS_SOURCE,
  type PveTasksOptions,
  type PveTasksSnapshot,
} from './tasks.js';
export {
  createPveBackupsSource,
  PVE_BACKUPS_SOURCE,
  type PveBackupsOptions,
  type PveBackupsSnapshot,
} from './backups.js';
export {
  createPveGuestAgentSource,
  PVE_GUEST_AGENT_SOURCE,
  type PveGuestAgentOptions,
  type PveGuestAgentSnapshot,
} from './guest-agent.js';
