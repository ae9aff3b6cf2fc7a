import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { SCOPES, type Principal, type Scope } from '../auth/scopes.js';
import { createApp } from '../http/app.js';
import { setRequestContext } from '../http/request-context.js';
import type { ApiRouter } from '../http/route.js';
import { createMetricsRenderer } from '../metrics/render.js';
import { silentLogger } from './tools.js';

/**
 * A few routers behind the real middleware chain (error shapes, body parsing, OpenAPI), without the
 * whole exporter. The bearer token names the caller's scopes, comma separated (`read`, `read,write`),
 * so a test can call as a reader or as someone without the needed scope; no token is anonymous.
 */
export interface RouterHarness {
  url: string;
  server: Server;
  /** Never throws on HTTP errors; the body is JSON when it parses, else `{ text }`. */
  call(
    method: string,
    path: string,
    opts?: { scopes?: readonly Scope[] | null; body?: unknown },
  ): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startRouterHarness(routers: readonly ApiRouter[]): Promise<RouterHarness> {
  const registry = new Registry();
  const app = createApp({
    logger: silentLogger(),
    metrics: createMetricsRenderer(registry, { generation: () => 0, maxAgeMs: 1000 }),
    routers,
    bodyLimit: '100kb',
    version: 'test',
    authenticate: (req, res, next) => {
      const header = req.headers.authorization;
      let principal: Principal | undefined;
      if (header?.startsWith('Bearer ')) {
        const scopes = header
          .slice(7)
          .split(',')
          .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
        principal = { kind: 'token', userId: 1, username: 'tester', role: 'admin', scopes };
      }
      setRequestContext(res, { principal, clientIp: '127.0.0.1' });
      next();
    },
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    async call(method, path, opts = {}) {
      const scopes = opts.scopes === undefined ? ['read'] : opts.scopes;
      const res = await fetch(url + path, {
        method,
        headers: {
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(scopes === null ? {} : { authorization: `Bearer ${scopes.join(',') || 'none'}` }),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { text };
      }
      return { status: res.status, body, text, headers: res.headers };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
