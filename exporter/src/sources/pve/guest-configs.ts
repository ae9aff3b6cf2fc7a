import { join } from 'node:path';
import type { PveClient, PveRequestOptions } from '../../pve/index.js';
import {
  parseGuestConf,
  parseGuestConfigReply,
  type GuestConfig,
  type GuestType,
} from '../../pve-model/index.js';
import { fail, type Result, type SourceContext } from '../source.js';

/** Where a guest's config lives. */
export interface GuestRef {
  node: string;
  type: GuestType;
  vmid: number;
}

// Node names are host names; anything else must never become part of a file path.
const NODE = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

/** The guest's file in the cluster filesystem (pmxcfs, mounted at /etc/pve), under the host root. */
export function guestConfPath(rootfs: string, ref: GuestRef): string | undefined {
  if (!NODE.test(ref.node) || !Number.isInteger(ref.vmid) || ref.vmid <= 0) return undefined;
  const dir = ref.type === 'qemu' ? 'qemu-server' : 'lxc';
  return join(rootfs, 'etc/pve/nodes', ref.node, dir, `${ref.vmid}.conf`);
}

/**
 * One guest's current config. In pvesh mode (root on the node) this reads the guest's file in
 * /etc/pve, which every node holds for the whole cluster: a file read instead of a pvesh run
 * (~0.3-0.5 s of CPU each). Over the API it is `/nodes/{node}/{type}/{vmid}/config`.
 */
export async function readGuestConfig(
  client: PveClient,
  ctx: SourceContext,
  ref: GuestRef,
  opts: PveRequestOptions = {},
): Promise<Result<GuestConfig>> {
  if (client.mode === 'api') {
    const r = await client.get(`/nodes/${ref.node}/${ref.type}/${ref.vmid}/config`, {}, opts);
    return r.ok ? parseGuestConfigReply(r.value) : r;
  }
  const path = guestConfPath(ctx.paths.rootfs, ref);
  if (path === undefined) return fail('parse', `not a guest: ${JSON.stringify(ref)}`);
  const text = await ctx.readText(path);
  return text.ok ? parseGuestConf(text.value) : text;
}
