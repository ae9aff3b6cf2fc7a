import type { PveAccess, PveParams } from '../pve/index.js';
import { parseClusterResources, type PveGuest } from '../pve-model/index.js';
import type { Result } from '../sources/source.js';
import { errors } from './errors.js';

/** Short deadlines: a route answers a person waiting; the sources have their own. */
export const READ_TIMEOUT_MS = 8_000;
/** Starting a task returns its UPID at once, but the node may be busy. */
export const WRITE_TIMEOUT_MS = 20_000;

/** A PVE result as the value or the API error that explains it. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  const { kind, message } = r.error;
  if (kind === 'absent') throw errors.unavailable(`Proxmox VE is not available here: ${message}`);
  if (kind === 'timeout') throw errors.upstreamTimeout(`Proxmox VE did not answer in time: ${message}`);
  throw errors.upstream(message);
}

export async function pveGet<T = unknown>(
  pve: PveAccess,
  path: string,
  params: PveParams = {},
  timeoutMs = READ_TIMEOUT_MS,
): Promise<T> {
  return unwrap(await pve.client.get<T>(path, params, { timeoutMs }));
}

export async function localNode(pve: PveAccess): Promise<string> {
  return unwrap(await pve.localNode(AbortSignal.timeout(READ_TIMEOUT_MS)));
}

/** PVE's vmid range; anything else never reaches PVE. */
const VMID = /^[1-9]\d{2,8}$/;

export function parseVmid(raw: string | undefined): number {
  if (raw === undefined || !VMID.test(raw))
    throw errors.validation(`vmid: must be an integer from 100 to 999999999, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * Where a guest lives, from a fresh `/cluster/resources` (one cheap call): a guest created or migrated
 * since the last refresh is found, and one deleted is a 404. Guests on other nodes are reachable too:
 * PVE forwards calls to the owning node.
 */
export async function findGuest(pve: PveAccess, vmid: number): Promise<PveGuest & { node: string }> {
  const parsed = unwrap(parseClusterResources(await pveGet(pve, '/cluster/resources', { type: 'vm' })));
  const guest = parsed.guests.find((g) => g.vmid === vmid);
  if (guest?.node === undefined) throw errors.notFound(`no guest with vmid ${vmid}`);
  return guest as PveGuest & { node: string };
}

export const guestPath = (g: { node: string; type: string; vmid: number }) =>
  `/nodes/${g.node}/${g.type}/${g.vmid}`;

/** `UPID:node:pid:pstart:starttime:type:id:user:` — validated so a path can never be smuggled in. */
const UPID =
  /^UPID:([A-Za-z0-9][A-Za-z0-9.-]*):[0-9A-Fa-f]{8,}:[0-9A-Fa-f]{8,}:[0-9A-Fa-f]{8,}:[A-Za-z0-9_-]+:[^:/\s]*:[^:/\s]+:$/;

export function parseUpid(raw: string | undefined): { upid: string; node: string } {
  const m = raw === undefined ? null : UPID.exec(raw);
  if (!m) throw errors.validation(`upid: not a Proxmox VE task id: ${JSON.stringify(raw)}`);
  return { upid: raw!, node: m[1]! };
}
