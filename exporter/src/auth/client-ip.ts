import { BlockList, isIP } from 'node:net';
import { canonicalIp } from './auth-log.js';

/**
 * One spelling per address (IPv4-mapped unwrapped, IPv6 lower case and compressed), so the rate limit,
 * the audit log and fail2ban's ban list all key on the same string. Non-addresses pass through.
 */
export const normaliseIp = (ip: string): string => canonicalIp(ip) ?? ip;

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
