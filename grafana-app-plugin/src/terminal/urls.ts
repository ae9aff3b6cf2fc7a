import { PROXY_BASE } from '../constants';
import { TICKET_PROTOCOL_PREFIX } from './protocol';

const WS_PATH = 'api/terminal/ws';

/**
 * The WebSocket through Grafana's plugin proxy: the `api/terminal/*` GET route (Admin, admin token)
 * forwards the upgrade to the exporter; Grafana drops the browser's Origin on the way, so the exporter
 * decides by the ticket alone. `appSubUrl` is Grafana's sub path (config.appSubUrl), '' at the root.
 */
export function proxyWsUrl(loc: Pick<Location, 'protocol' | 'host'>, appSubUrl: string): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}${appSubUrl.replace(/\/+$/, '')}/${PROXY_BASE}/${WS_PATH}`;
}

/**
 * The fallback for a Grafana (or a proxy in front of it) that cannot carry WebSocket upgrades: the
 * browser connects to the exporter itself. The ticket still comes through Grafana's proxy; the exporter
 * must list Grafana's origin in `terminal.allowed_origins`, and Grafana's address in
 * `auth.trusted_proxies` so that the ticket is bound to the browser's address, not Grafana's.
 * `base` is the exporter's URL as the browser reaches it: http(s):// or ws(s)://, optionally with a path.
 */
export function directWsUrl(base: string): string {
  const u = new URL(base.trim());
  u.protocol = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  u.search = '';
  u.hash = '';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${WS_PATH}`;
  return u.toString();
}

/** An error message for a `terminalDirectUrl`, or undefined when it is empty (proxy) or valid. */
export function validateDirectUrl(raw: string | undefined): string | undefined {
  const v = (raw ?? '').trim();
  if (v === '') {
    return undefined;
  }
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'Not a URL; e.g. https://pve1.lan:8008';
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) {
    return 'Use http(s):// or ws(s)://';
  }
  if (u.search || u.hash) {
    return 'Leave out the query and fragment';
  }
  return undefined;
}

/**
 * Where to connect with this ticket. As a subprotocol (the default) the ticket stays out of the URL,
 * and so out of Grafana's and any proxy's access log; `inQuery` is for a proxy that drops
 * Sec-WebSocket-Protocol. Either way a ticket is single-use and lives 30 s.
 */
export function withTicket(
  url: string,
  ticket: string,
  inQuery = false,
): { url: string; protocols: string[] } {
  if (inQuery) {
    const u = new URL(url);
    u.searchParams.set('ticket', ticket);
    return { url: u.toString(), protocols: [] };
  }
  return { url, protocols: [`${TICKET_PROTOCOL_PREFIX}${ticket}`] };
}
