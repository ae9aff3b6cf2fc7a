import type { PveAccess } from '../../pve/index.js';
import {
  parseGuestFsinfo,
  parseNodeQemu,
  parseQemuConfig,
  summarizeGuestFilesystems,
  type GuestDiskUsage,
  type PveNodeQemu,
  type PveQemuConfig,
} from '../../pve-model/index.js';
import { mapConcurrently } from '../filesystems/concurrency.js';
import { ok, type Source, type SourceContext } from '../source.js';
import { readGuestConfig } from './guest-configs.js';

export const PVE_GUEST_AGENT_SOURCE = 'pve-guest-agent';

export interface PveGuestAgentSnapshot {
  node: string;
  /** Filesystem usage of the running QEMU guests whose agent answered this round, by vmid. */
  disks: Map<number, GuestDiskUsage>;
  /** Cached configs (onboot, tags, balloon, agent, ...) of this node's running QEMU guests, by vmid. */
  configs: Map<number, PveQemuConfig>;
  /** Guests whose agent did not answer, skipped until this time (epoch ms), by vmid. */
  backedOff: Map<number, number>;
}

export interface PveGuestAgentOptions {
  /** Per-guest `get-fsinfo` deadline: a guest without a running agent costs at most this. */
  timeoutMs?: number;
  concurrency?: number;
  /** How long a guest whose agent did not answer is skipped (a restart clears it). */
  backoffSeconds?: number;
  /** Configs are re-read after a restart or status change, else at most this often. */
  configTtlSeconds?: number;
}

interface CachedConfig {
  config: PveQemuConfig;
  /** Uptime when last seen: a smaller one means the guest restarted. */
  uptime: number | undefined;
  readAt: number;
}

const TIMEOUT_SECONDS = 30;
const CALL_TIMEOUT_MS = 10_000;

/**
 * QEMU guest-agent filesystem usage (opt-in), every 60 s: `get-fsinfo` for the running VMs of this node
 * whose config enables the agent, a few at a time with a short deadline each. A guest whose agent does
 * not answer is left alone for a while, so VMs without an agent cost nothing; configs are cached (and in
 * pvesh mode read from /etc/pve, not through pvesh).
 */
export function createPveGuestAgentSource(
  access: PveAccess,
  options: PveGuestAgentOptions = {},
): Source<PveGuestAgentSnapshot> {
  const { client } = access;
  const timeoutMs = options.timeoutMs ?? 3000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const backoffMs = (options.backoffSeconds ?? 600) * 1000;
  const ttlMs = (options.configTtlSeconds ?? 600) * 1000;
  const configs = new Map<number, CachedConfig>();
  const backoff = new Map<number, number>();

  /** Drops what a stop, restart or removal makes stale; returns the guests whose config must be read. */
  function reconcile(running: readonly PveNodeQemu[], now: number): PveNodeQemu[] {
    const live = new Set(running.map((g) => g.vmid));
    for (const vmid of [...configs.keys()]) if (!live.has(vmid)) configs.delete(vmid);
    for (const [vmid, until] of [...backoff]) if (!live.has(vmid) || until <= now) backoff.delete(vmid);
    const stale: PveNodeQemu[] = [];
    for (const g of running) {
      const cached = configs.get(g.vmid);
      const restarted = cached?.uptime !== undefined && g.uptime !== undefined && g.uptime < cached.uptime;
      if (restarted) backoff.delete(g.vmid);
      if (cached === undefined || restarted || now - cached.readAt >= ttlMs) stale.push(g);
      else cached.uptime = g.uptime;
    }
    return stale;
  }

  async function readConfig(ctx: SourceContext, node: string, g: PveNodeQemu, now: number): Promise<void> {
    const opts = { signal: ctx.signal, timeoutMs: CALL_TIMEOUT_MS };
    const r = await readGuestConfig(client, ctx, { node, type: 'qemu', vmid: g.vmid }, opts);
    const config = r.ok ? parseQemuConfig(r.value) : r;
    if (config.ok) configs.set(g.vmid, { config: config.value, uptime: g.uptime, readAt: now });
    // A failed re-read keeps the previous config until the next round.
    else ctx.logger.debug({ err: config.error, vmid: g.vmid }, 'PVE guest config unavailable');
  }

  async function readDisks(
    ctx: SourceContext,
    node: string,
    vmid: number,
    now: number,
  ): Promise<GuestDiskUsage | undefined> {
    const opts = { signal: ctx.signal, timeoutMs };
    const r = await client.get(`/nodes/${node}/qemu/${vmid}/agent/get-fsinfo`, {}, opts);
    const fs = r.ok ? parseGuestFsinfo(r.value) : r;
    if (fs.ok) return summarizeGuestFilesystems(fs.value);
    // The source's own deadline says nothing about this guest's agent.
    if (!ctx.signal.aborted) backoff.set(vmid, now + backoffMs);
    ctx.logger.debug({ err: fs.error, vmid }, 'QEMU guest agent did not answer; backing off');
    return undefined;
  }

  return {
    name: PVE_GUEST_AGENT_SOURCE,
    intervalSeconds: 60,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const node = await access.localNode(ctx.signal);
      if (!node.ok) return node;
      const opts = { signal: ctx.signal, timeoutMs: CALL_TIMEOUT_MS };
      const listed = await client.get(`/nodes/${node.value}/qemu`, {}, opts);
      const guests = listed.ok ? parseNodeQemu(listed.value) : listed;
      if (!guests.ok) return access.quietWhenAbsent(guests);
      const now = ctx.now();
      const running = guests.value.filter((g) => g.status === 'running' && g.template !== true);

      const stale = reconcile(running, now);
      await mapConcurrently(stale, concurrency, (g) => readConfig(ctx, node.value, g, now));

      const asked = running.filter(
        (g) => configs.get(g.vmid)?.config.agent?.enabled === true && (backoff.get(g.vmid) ?? 0) <= now,
      );
      const usage = await mapConcurrently(asked, concurrency, (g) => readDisks(ctx, node.value, g.vmid, now));
      const disks = new Map<number, GuestDiskUsage>();
      asked.forEach((g, i) => {
        const u = usage[i];
        if (u !== undefined) disks.set(g.vmid, u);
      });
      return ok({
        node: node.value,
        disks,
        configs: new Map([...configs].map(([vmid, c]) => [vmid, c.config])),
        backedOff: new Map(backoff),
      });
    },
  };
}
