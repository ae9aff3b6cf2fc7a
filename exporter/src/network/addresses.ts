import type { NetworkInterfaceInfo } from 'node:os';

export interface InterfaceAddress {
  address: string;
  prefix: number | undefined;
  family: 'inet' | 'inet6';
  /** IPv6 link-local and IPv4 169.254/16 addresses only work on their own link. */
  linkLocal: boolean;
}

/** What `os.networkInterfaces()` returns; injected so tests use a recorded value. */
export type AddressTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The host's IP addresses per interface name. Proxmox keeps them on bridges (vmbr0), so a NIC
 * enslaved to a bridge or bond usually has none.
 */
export function addressesByInterface(table: AddressTable): Map<string, InterfaceAddress[]> {
  const out = new Map<string, InterfaceAddress[]>();
  for (const [name, infos] of Object.entries(table)) {
    if (!infos) continue;
    out.set(
      name,
      infos.map((info) => {
        const family = info.family === 'IPv6' ? ('inet6' as const) : ('inet' as const);
        const prefix = info.cidr ? Number(info.cidr.slice(info.cidr.lastIndexOf('/') + 1)) : undefined;
        return {
          address: info.address,
          prefix: prefix !== undefined && Number.isInteger(prefix) ? prefix : undefined,
          family,
          linkLocal:
            family === 'inet6'
              ? /^fe[89ab][0-9a-f]:/i.test(info.address)
              : info.address.startsWith('169.254.'),
        };
      }),
    );
  }
  return out;
}
