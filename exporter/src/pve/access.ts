import { parseClusterStatus } from '../pve-model/index.js';
import { fail, ok, type Result } from '../sources/source.js';
import { findLocalNode, type PveClient } from './client.js';

export type PveScope = 'node' | 'cluster';

/**
 * What every PVE consumer shares: one client (its pooled connections in API mode), the local node found
 * once, and the scope. Sources and REST routes take this, so they always talk to the same node.
 */
export interface PveAccess {
  readonly client: PveClient;
  readonly scope: PveScope;
  /**
   * This host's PVE node: its hostname matched against `/nodes`; over the API from another host, the
   * node that answered (`local` in `/cluster/status`). Cached after the first success.
   */
  localNode(signal?: AbortSignal): Promise<Result<string>>;
  /**
   * A missing `pvesh` is a failure (pve.mode: pvesh) rather than the quiet `absent` of a host that is
   * not a Proxmox node (pve.mode: auto). Applied to every error this access returns.
   */
  quietWhenAbsent<T>(r: Result<T>): Result<T>;
}

export interface PveAccessOptions {
  client: PveClient;
  hostname: string;
  scope?: PveScope;
  requirePvesh?: boolean;
}

export function createPveAccess(options: PveAccessOptions): PveAccess {
  const { client, hostname } = options;
  let localNode: string | undefined;
  let pending: Promise<Result<string>> | undefined;

  async function discover(signal?: AbortSignal): Promise<Result<string>> {
    const nodes = await client.get<unknown>('/nodes', {}, { signal });
    if (!nodes.ok) return nodes;
    const rows = Array.isArray(nodes.value) ? (nodes.value as Array<{ node: string }>) : [];
    let found = findLocalNode(rows, hostname)?.node;
    if (found === undefined) {
      const status = await client.get<unknown>('/cluster/status', {}, { signal });
      const parsed = status.ok ? parseClusterStatus(status.value) : status;
      if (!parsed.ok) return parsed;
      found = parsed.value.nodes.find((n) => n.local === true)?.name;
    }
    if (found === undefined) return fail('exit', `no PVE node named ${JSON.stringify(hostname)}`);
    return ok((localNode = found));
  }

  const access: PveAccess = {
    client,
    scope: options.scope ?? 'node',
    async localNode(signal) {
      if (localNode !== undefined) return ok(localNode);
      // Concurrent first callers (four sources starting together) share one discovery.
      pending ??= discover(signal).finally(() => (pending = undefined));
      return access.quietWhenAbsent(await pending);
    },
    quietWhenAbsent(r) {
      if (r.ok || r.error.kind !== 'absent' || options.requirePvesh !== true) return r;
      return fail('exit', `${r.error.message} (pve.mode is pvesh)`);
    },
  };
  return access;
}
