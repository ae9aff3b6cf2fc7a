import { BlockList, isIP } from 'node:net';

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) is the IPv4 address it wraps. */
export const normaliseIp = (ip: string): string => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
};

/**
 * Who the client is: the socket's peer, unless that peer is a trusted proxy; then X-Forwarded-For is
 * walked from the right (the hop the proxy appended) past every trusted proxy, and the first untrusted
 * address is the client. Anything a client writes further left is never believed.
 */
export function createClientIpResolver(trustedProxies: readonly string[]) {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [addr = '', prefix] = entry.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(addr, type);
    else trusted.addSubnet(addr, Number(prefix), type);
  }
  const isTrusted = (ip: string) => {
    const family = isIP(ip);
    return family !== 0 && trusted.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };

  return function clientIp(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let client = normaliseIp(peer ?? '');
    if (!isTrusted(client) || forwardedFor === undefined) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((h) => normaliseIp(h.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (isIP(hop) === 0) break; // garbage: stop at the last address we could vouch for
      client = hop;
      if (!isTrusted(hop)) break;
    }
    return client;
  };
}
