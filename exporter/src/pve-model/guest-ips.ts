import { z } from 'zod';
import { ok, type Result } from '../sources/source.js';
import { num, objectOf, rowsOf, str } from './common.js';

/** One address of a guest, from the QEMU guest agent or from LXC's interface list. */
export interface GuestIp {
  interface: string;
  address: string;
  prefix?: number | undefined;
  family: 'inet' | 'inet6';
  mac?: string | undefined;
}

const agentIf = z.object({
  name: z.string(),
  'hardware-address': str,
  'ip-addresses': z
    .array(z.object({ 'ip-address': z.string(), 'ip-address-type': str, prefix: num }))
    .optional()
    .catch(undefined),
});

/** Loopback and link-local addresses say nothing about where a guest can be reached. */
const uninteresting = (address: string) =>
  /^127\./.test(address) || address === '::1' || /^fe80:/i.test(address) || /^169\.254\./.test(address);

/** `/nodes/{n}/qemu/{id}/agent/network-get-interfaces`: `{result: [...]}` (REST: wrapped once more in data). */
export function parseAgentInterfaces(input: unknown): Result<GuestIp[]> {
  const body = objectOf(input, 'agent/network-get-interfaces');
  if (!body.ok) return body;
  const rows = rowsOf((body.value as { result?: unknown }).result, 'agent/network-get-interfaces result');
  if (!rows.ok) return rows;
  const out: GuestIp[] = [];
  for (const row of rows.value) {
    const r = agentIf.safeParse(row);
    if (!r.success || r.data.name === 'lo') continue;
    for (const a of r.data['ip-addresses'] ?? []) {
      if (uninteresting(a['ip-address'])) continue;
      out.push({
        interface: r.data.name,
        address: a['ip-address'],
        prefix: a.prefix,
        family: a['ip-address-type'] === 'ipv6' ? 'inet6' : 'inet',
        mac: r.data['hardware-address'],
      });
    }
  }
  return ok(out);
}

const lxcIf = z.object({ name: z.string(), hwaddr: str, inet: str, inet6: str });

/** `/nodes/{n}/lxc/{id}/interfaces`: `inet`/`inet6` as `address/prefix`, several joined by spaces or commas. */
export function parseLxcInterfaces(input: unknown): Result<GuestIp[]> {
  const rows = rowsOf(input, 'lxc/interfaces');
  if (!rows.ok) return rows;
  const out: GuestIp[] = [];
  for (const row of rows.value) {
    const r = lxcIf.safeParse(row);
    if (!r.success || r.data.name === 'lo') continue;
    for (const [family, list] of [
      ['inet', r.data.inet],
      ['inet6', r.data.inet6],
    ] as const) {
      for (const cidr of (list ?? '').split(/[\s,]+/).filter(Boolean)) {
        const [address = '', prefix] = cidr.split('/');
        if (address === '' || uninteresting(address)) continue;
        const p = prefix === undefined ? undefined : Number(prefix);
        out.push({
          interface: r.data.name,
          address,
          prefix: p !== undefined && Number.isInteger(p) ? p : undefined,
          family,
          mac: r.data.hwaddr,
        });
      }
    }
  }
  return ok(out);
}
