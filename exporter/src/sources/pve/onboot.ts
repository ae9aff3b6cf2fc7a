import type { PveClient } from '../../pve/index.js';
import { guestOnboot, type GuestConfig, type PveGuest } from '../../pve-model/index.js';
import { mapConcurrently } from '../filesystems/concurrency.js';
import { fail, type Result, type SourceContext } from '../source.js';
import { readGuestConfig, type GuestRef } from './guest-configs.js';

export interface OnbootOptions {
  /** A guest's config is read again after this long. */
  ttlSeconds?: number;
  /** After a failed read, try again after this long. */
  retrySeconds?: number;
  /** Configs read in one refresh at most: new (or migrated) guests first, then the longest unread. */
  maxReadsPerRefresh?: number;
  concurrency?: number;
  /** Time the reads of one refresh may take; what is not read by then waits for the next refresh. */
  budgetMs?: number;
}

const DEFAULTS: Record<PveClient['mode'], Required<OnbootOptions>> = {
  // File reads in /etc/pve are cheap: every config once a minute. One at a time, because a read from a
  // hung pmxcfs cannot be cancelled and holds a libuv thread until it returns.
  pvesh: { ttlSeconds: 60, retrySeconds: 60, maxReadsPerRefresh: Infinity, concurrency: 1, budgetMs: 3000 },
  // One API call per guest: a long TTL and a bound per refresh, so 1000 guests converge in 50
  // refreshes and then cost about 4 calls per refresh, never a burst.
  api: { ttlSeconds: 3600, retrySeconds: 300, maxReadsPerRefresh: 20, concurrency: 4, budgetMs: 4000 },
};

interface Entry {
  ref: GuestRef;
  onboot: boolean | undefined;
  /** When to read it again (epoch ms). */
  dueAt: number;
}

export interface OnbootCache {
  /**
   * Reads the configs that are due, within the bounds, and returns `onboot` by vmid for the listed
   * guests whose config is known. Guests no longer listed are forgotten.
   */
  refresh(ctx: SourceContext, guests: readonly PveGuest[]): Promise<Map<number, boolean>>;
}

/** The guests whose config is due: never read (or moved since) first, then the most overdue. */
export function dueGuests(
  entries: ReadonlyMap<number, Pick<Entry, 'ref' | 'dueAt'>>,
  listed: readonly GuestRef[],
  now: number,
): GuestRef[] {
  const fresh: GuestRef[] = [];
  const old: Array<{ dueAt: number; ref: GuestRef }> = [];
  for (const ref of listed) {
    const e = entries.get(ref.vmid);
    if (e === undefined || e.ref.node !== ref.node || e.ref.type !== ref.type) fresh.push(ref);
    else if (e.dueAt <= now) old.push({ dueAt: e.dueAt, ref });
  }
  old.sort((a, b) => a.dueAt - b.dueAt);
  return [...fresh, ...old.map((o) => o.ref)];
}

/** Waits for `p`, or until `signal` aborts (undefined then); `p` itself may go on. */
function untilAborted<T>(p: Promise<Result<T>>, signal: AbortSignal): Promise<Result<T> | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => resolve(v),
      (err: unknown) => resolve(fail('io', String(err))),
    ).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * `onboot` of each guest, which `/cluster/resources` lacks: from the guests' config files in pvesh
 * mode, from a bounded number of cached `/config` calls over the API. Never a pvesh run per guest.
 */
export function createOnbootCache(client: PveClient, options: OnbootOptions = {}): OnbootCache {
  const o = { ...DEFAULTS[client.mode], ...options };
  const entries = new Map<number, Entry>();

  function record(ctx: SourceContext, ref: GuestRef, r: Result<GuestConfig>, now: number): void {
    if (r.ok) {
      entries.set(ref.vmid, { ref, onboot: guestOnboot(r.value), dueAt: now + o.ttlSeconds * 1000 });
      return;
    }
    // A config that is gone leaves onboot unknown; any other failure keeps the last value until the retry.
    const onboot = r.error.kind === 'absent' ? undefined : entries.get(ref.vmid)?.onboot;
    entries.set(ref.vmid, { ref, onboot, dueAt: now + o.retrySeconds * 1000 });
    ctx.logger.debug({ err: r.error, vmid: ref.vmid }, 'PVE guest config unavailable');
  }

  return {
    async refresh(ctx, guests) {
      const now = ctx.now();
      const listed: GuestRef[] = [];
      for (const g of guests)
        if (g.node !== undefined) listed.push({ node: g.node, type: g.type, vmid: g.vmid });
      const live = new Set(listed.map((g) => g.vmid));
      for (const vmid of [...entries.keys()]) if (!live.has(vmid)) entries.delete(vmid);

      const due = dueGuests(entries, listed, now).slice(0, o.maxReadsPerRefresh);
      if (due.length > 0) {
        const budget = AbortSignal.any([ctx.signal, AbortSignal.timeout(o.budgetMs)]);
        await mapConcurrently(due, o.concurrency, async (ref) => {
          if (budget.aborted) return;
          const r = await untilAborted(readGuestConfig(client, ctx, ref, { signal: budget }), budget);
          // Out of time: due again at the next refresh, not blamed on the guest.
          if (r === undefined || (!r.ok && budget.aborted)) return;
          record(ctx, ref, r, now);
        });
      }

      const out = new Map<number, boolean>();
      for (const vmid of live) {
        const onboot = entries.get(vmid)?.onboot;
        if (onboot !== undefined) out.set(vmid, onboot);
      }
      return out;
    },
  };
}
