import http, { type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import pluginJson from '../../plugin.json';
import {
  matchRoute,
  proxyTarget,
  type GrafanaRole,
  type PluginRoute,
  type PluginSettings,
} from '../../test-support/routes';

/**
 * A Node HTTP server standing in for the parts of Grafana the app talks to, for tests that need a real
 * socket (the terminal's WebSocket, and the browser harness):
 * - `GET|POST /api/plugins/<id>/settings`: the app's settings, kept in memory;
 * - `/api/plugin-proxy/<id>/<path>`: plugin.json's routes (test-support/routes.ts: order, method,
 *   reqRole), the route's headers (the Bearer token) added, and the request forwarded to the exporter
 *   — WebSocket upgrades included, with the browser's Origin, Cookie and Referer dropped and
 *   X-Forwarded-For added, as Grafana's proxy does;
 * - anything else goes to `fallback` (the harness serves its page there), or 404.
 */

const PLUGIN_ID = pluginJson.id;
const routes = pluginJson.routes as PluginRoute[];
const SETTINGS = `/api/plugins/${PLUGIN_ID}/settings`;
const PROXY_PREFIX = `/api/plugin-proxy/${PLUGIN_ID}/`;
/** Hop-by-hop and browser-identity headers that Grafana's proxy does not pass on. */
const DROP = new Set([
  'host',
  'connection',
  'upgrade',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'proxy-authorization',
  'cookie',
  'origin',
  'referer',
  'authorization',
]);

export interface StandInSettings extends PluginSettings {
  enabled: boolean;
  pinned: boolean;
}

export interface GrafanaStandIn {
  url: string;
  /** The simulated user's org role, for reqRole (change it between requests). */
  role: GrafanaRole;
  settings: StandInSettings;
  /** Proxied requests, upgrades included: method, path, status (101 for a WebSocket). */
  log: Array<{ method: string; path: string; status: number }>;
  /** Cuts every proxied WebSocket, as a network drop or a Grafana restart would. */
  dropSockets: () => void;
  close: () => Promise<void>;
}

export interface StandInOptions {
  exporter: { url: string; readToken: string; adminToken: string };
  role?: GrafanaRole;
  fallback?: (req: IncomingMessage, res: ServerResponse) => void;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

function forwardHeaders(req: IncomingMessage, routeHeaders: Record<string, string>) {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !DROP.has(k)) {
      out[k] = v;
    }
  }
  const peer = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${String(prior)}, ${peer}` : peer;
  return { ...out, ...routeHeaders };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) {
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startGrafanaStandIn(opts: StandInOptions): Promise<GrafanaStandIn> {
  const state: GrafanaStandIn = {
    url: '',
    role: opts.role ?? 'Admin',
    settings: {
      enabled: true,
      pinned: true,
      jsonData: { exporterUrl: opts.exporter.url },
      secureJsonData: { readToken: opts.exporter.readToken, adminToken: opts.exporter.adminToken },
    },
    log: [],
    dropSockets: () => undefined,
    close: async () => undefined,
  };
  const piped = new Set<Duplex>();

  /** The route for a proxied path, or the answer Grafana gives when there is none or the role is short. */
  const resolve = (method: string, url: string) => {
    const rest = url.slice(PROXY_PREFIX.length);
    const q = rest.indexOf('?');
    const path = q < 0 ? rest : rest.slice(0, q);
    const query = q < 0 ? '' : rest.slice(q + 1);
    const match = matchRoute(routes, method, decodeURIComponent(path), state.role);
    return match.ok ? { ok: true as const, target: proxyTarget(match, query, state.settings) } : match;
  };

  const settingsHandler = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST') {
      const d = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Partial<StandInSettings>;
      state.settings = {
        enabled: d.enabled ?? state.settings.enabled,
        pinned: d.pinned ?? state.settings.pinned,
        jsonData: d.jsonData ?? state.settings.jsonData,
        // Grafana keeps secrets that are not sent and overwrites those that are.
        secureJsonData: { ...state.settings.secureJsonData, ...(d.secureJsonData ?? {}) },
      };
      return json(res, 200, { message: 'Plugin settings updated' });
    }
    const { enabled, pinned, jsonData, secureJsonData } = state.settings;
    return json(res, 200, {
      id: PLUGIN_ID,
      name: pluginJson.name,
      type: 'app',
      enabled,
      pinned,
      jsonData,
      secureJsonFields: Object.fromEntries(Object.keys(secureJsonData).map((k) => [k, true])),
    });
  };

  const proxyHandler = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const r = resolve(method, req.url ?? '');
    if (!r.ok) {
      state.log.push({ method, path: req.url ?? '', status: r.status });
      return json(res, r.status, { message: r.message });
    }
    const body = await readBody(req);
    const upstream = http.request(r.target.url, {
      method,
      headers: forwardHeaders(req, r.target.headers),
      agent: false,
    });
    upstream.on('response', (up) => {
      state.log.push({ method, path: req.url ?? '', status: up.statusCode ?? 0 });
      const headers = Object.fromEntries(
        Object.entries(up.headers).filter(
          ([k]) => !['connection', 'keep-alive', 'transfer-encoding'].includes(k),
        ),
      );
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) {
        json(res, 502, { message: 'Bad Gateway' });
      } else {
        res.destroy();
      }
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const done = (p: Promise<void> | void) =>
      Promise.resolve(p).catch((e: unknown) => {
        if (!res.headersSent) {
          json(res, 500, { message: String(e) });
        }
      });
    if (url.split('?')[0] === SETTINGS) {
      return void done(settingsHandler(req, res));
    }
    if (url.startsWith(PROXY_PREFIX)) {
      return void done(proxyHandler(req, res));
    }
    if (opts.fallback) {
      return opts.fallback(req, res);
    }
    json(res, 404, { message: 'Not found' });
  });

  // WebSocket upgrades: the route's GET, then a raw byte pipe once the exporter switched protocols.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '';
    const refuse = (status: number, message: string) => {
      state.log.push({ method: 'GET', path: url, status });
      const body = JSON.stringify({ message });
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    };
    if (!url.startsWith(PROXY_PREFIX)) {
      return refuse(404, 'Not found');
    }
    const r = resolve('GET', url);
    if (!r.ok) {
      return refuse(r.status, r.message);
    }
    const upstream = http.request(r.target.url, {
      method: 'GET',
      headers: { ...forwardHeaders(req, r.target.headers), connection: 'Upgrade', upgrade: 'websocket' },
      agent: false,
    });
    upstream.on('upgrade', (up, upSocket, upHead) => {
      state.log.push({ method: 'GET', path: url, status: 101 });
      const lines = [`HTTP/1.1 101 ${up.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < up.rawHeaders.length; i += 2) {
        lines.push(`${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}`);
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length) {
        socket.write(upHead);
      }
      if (head.length) {
        upSocket.write(head);
      }
      piped.add(socket);
      upSocket.on('error', () => socket.destroy());
      socket.on('close', () => {
        piped.delete(socket);
        upSocket.destroy();
      });
      upSocket.on('close', () => socket.destroy());
      upSocket.pipe(socket);
      socket.pipe(upSocket);
    });
    // The exporter refused before upgrading (ticket, origin): pass its answer on, as a reverse proxy would.
    upstream.on('response', (up) => {
      state.log.push({ method: 'GET', path: url, status: up.statusCode ?? 0 });
      const lines = [`HTTP/1.1 ${up.statusCode} ${up.statusMessage ?? ''}`, 'Connection: close'];
      for (let i = 0; i < up.rawHeaders.length; i += 2) {
        if (!/^connection$/i.test(up.rawHeaders[i] ?? '')) {
          lines.push(`${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}`);
        }
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      up.pipe(socket);
    });
    upstream.on('error', () => refuse(502, 'Bad Gateway'));
    upstream.end();
  });

  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.dropSockets = () => piped.forEach((s) => s.destroy());
  state.close = () =>
    new Promise<void>((resolveClose) => {
      state.dropSockets();
      server.closeAllConnections();
      server.close(() => resolveClose());
    });
  return state;
}
