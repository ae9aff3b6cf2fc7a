import { z } from 'zod';
import { ok, type Result } from '../sources/source.js';
import { bool, num, rowsOf, splitList, str, toBool, toNumber, toText } from './common.js';

export type GuestType = 'qemu' | 'lxc';

/** A guest from `/cluster/resources` (type qemu or lxc). Counters missing on brand-new guests stay undefined. */
export interface PveGuest {
  vmid: number;
  type: GuestType;
  name?: string | undefined;
  node?: string | undefined;
  /** running, stopped, paused, ... as PVE reports it. */
  status?: string | undefined;
  template?: boolean | undefined;
  tags: string[];
  /** Share (0-1) of the guest's own allocated CPUs. */
  cpu?: number | undefined;
  maxcpu?: number | undefined;
  mem?: number | undefined;
  maxmem?: number | undefined;
  /** Undefined for QEMU: PVE always reports 0 there (only the guest agent knows). */
  disk?: number | undefined;
  maxdisk?: number | undefined;
  netin?: number | undefined;
  netout?: number | undefined;
  diskread?: number | undefined;
  diskwrite?: number | undefined;
  uptime?: number | undefined;
  pool?: string | undefined;
  hastate?: string | undefined;
  lock?: string | undefined;
}

export interface PveResourceStorage {
  storage: string;
  node?: string | undefined;
  plugintype?: string | undefined;
  content: string[];
  shared?: boolean | undefined;
  /** available, unknown, ... */
  status?: string | undefined;
  disk?: number | undefined;
  maxdisk?: number | undefined;
}

export interface PveResourceNode {
  node: string;
  status?: string | undefined;
  cpu?: number | undefined;
  maxcpu?: number | undefined;
  mem?: number | undefined;
  maxmem?: number | undefined;
  disk?: number | undefined;
  maxdisk?: number | undefined;
  uptime?: number | undefined;
}

export interface ClusterResources {
  guests: PveGuest[];
  storages: PveResourceStorage[];
  nodes: PveResourceNode[];
}

const storageRow = z.object({
  storage: z.string(),
  node: str,
  plugintype: str,
  content: str,
  shared: bool,
  status: str,
  disk: num,
  maxdisk: num,
});

const nodeRow = z.object({
  node: z.string(),
  status: str,
  cpu: num,
  maxcpu: num,
  mem: num,
  maxmem: num,
  disk: num,
  maxdisk: num,
  uptime: num,
});

/** PVE tags are `;`-separated; older versions and hand edits also use `,` or spaces. */
export function splitTags(tags: string | undefined): string[] {
  return tags === undefined ? [] : tags.split(/[;,\s]+/).filter((t) => t !== '');
}

/** `vmid` as an integer, falling back to the `qemu/123` id. */
function vmidOf(vmid: number | undefined, id: string | undefined): number | undefined {
  if (vmid !== undefined) return Number.isInteger(vmid) && vmid > 0 ? vmid : undefined;
  const m = id === undefined ? null : /^(?:qemu|lxc)\/(\d+)$/.exec(id);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * A guest row, each field coerced as `num`, `bool` and `str` do (a wrong type becomes unknown, never
 * a rejected guest). Written out rather than a zod object: it runs for every guest on every refresh,
 * and zod's per-field transforms cost ~10 ms per 1000 guests, blocking the scrapes meanwhile.
 */
export function toGuest(r: Record<string, unknown>): PveGuest | undefined {
  const type = r.type;
  if (type !== 'qemu' && type !== 'lxc') return undefined;
  const vmid = vmidOf(toNumber(r.vmid), toText(r.id));
  if (vmid === undefined) return undefined;
  return {
    vmid,
    type,
    name: toText(r.name),
    node: toText(r.node),
    status: toText(r.status),
    template: toBool(r.template),
    tags: splitTags(toText(r.tags)),
    cpu: toNumber(r.cpu),
    maxcpu: toNumber(r.maxcpu),
    mem: toNumber(r.mem),
    maxmem: toNumber(r.maxmem),
    disk: type === 'qemu' ? undefined : toNumber(r.disk),
    maxdisk: toNumber(r.maxdisk),
    netin: toNumber(r.netin),
    netout: toNumber(r.netout),
    diskread: toNumber(r.diskread),
    diskwrite: toNumber(r.diskwrite),
    uptime: toNumber(r.uptime),
    pool: toText(r.pool),
    hastate: toText(r.hastate),
    lock: toText(r.lock),
  };
}

/**
 * `/cluster/resources` (optionally `?type=vm`). Pool, SDN, network and unknown entries are skipped,
 * as are entries too broken to identify; only a non-array payload is an error.
 */
export function parseClusterResources(input: unknown): Result<ClusterResources> {
  const rows = rowsOf(input, 'cluster/resources');
  if (!rows.ok) return rows;
  const out: ClusterResources = { guests: [], storages: [], nodes: [] };
  for (const row of rows.value) {
    if (row === null || typeof row !== 'object') continue;
    switch ((row as { type?: unknown }).type) {
      case 'qemu':
      case 'lxc': {
        const guest = toGuest(row as Record<string, unknown>);
        if (guest !== undefined) out.guests.push(guest);
        break;
      }
      case 'storage': {
        const s = storageRow.safeParse(row);
        if (s.success) out.storages.push({ ...s.data, content: splitList(s.data.content) });
        break;
      }
      case 'node': {
        const n = nodeRow.safeParse(row);
        if (n.success) out.nodes.push(n.data);
        break;
      }
      default:
        break;
    }
  }
  return ok(out);
}

/**
 * parseClusterResources in slices of `sliceRows` rows, letting the event loop run between slices: a
 * thousand guests take several ms in one piece (more when a scavenge lands in it), and a scrape
 * waiting behind them would show it. Same result as the one-piece parse.
 */
export async function parseClusterResourcesSliced(
  input: unknown,
  sliceRows = 200,
): Promise<Result<ClusterResources>> {
  const rows = rowsOf(input, 'cluster/resources');
  if (!rows.ok) return rows;
  const out: ClusterResources = { guests: [], storages: [], nodes: [] };
  for (let i = 0; i < rows.value.length; i += sliceRows) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const part = parseClusterResources(rows.value.slice(i, i + sliceRows));
    if (!part.ok) return part;
    out.guests.push(...part.value.guests);
    out.storages.push(...part.value.storages);
    out.nodes.push(...part.value.nodes);
  }
  return ok(out);
}
