import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Scope } from '../auth/scopes.js';
import { createApp } from '../http/app.js';
import { setRequestContext } from '../http/request-context.js';
import type { ApiRouter } from '../http/route.js';
import { silentLogger } from './tools.js';

export interface RouterServer {
  url: string;
  server: Server;
  /**
   * JSON request as a caller holding `scopes` (none: anonymous); never throws on HTTP errors.
   * `text` is the raw body, for routes that do not answer JSON.
   */
  call(
    method: string,
    path: string,
    opts?: { scopes?: readonly Scope[]; body?: unknown },
  ): Promise<{ status: number; body: Record<string, unknown>; text: string }>;
  close(): Promise<void>;
}

/**
 * Serves routers through the real app chain (JSON body parsing, validation, error catalogue) with a
 * stand-in authentication: the caller's scopes come from the test, so a router can be tested before
 * it is wired into main.ts.
 */
export async function serveRouters(routers: readonly ApiRouter[]): Promise<RouterServer> {
  const app = createApp({
    logger: silentLogger(),
    metrics: {
      contentType: 'text/plain',
      text: async () => Buffer.from(''),
      gzipped: async () => Buffer.from(''),
    },
    routers,
    bodyLimit: '1mb',
    version: 'test',
    authenticate: (req, res, next) => {
      const header = req.headers['x-test-scopes'];
      const scopes = typeof header === 'string' && header !== '' ? (header.split(',') as Scope[]) : undefined;
      setRequestContext(res, {
        principal: scopes && {
          kind: 'token',
          userId: 1,
          username: 'tester',
          role: 'admin',
          scopes,
          tokenId: 1,
          tokenName: 'test',
        },
        clientIp: '127.0.0.1',
      });
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
      const res = await fetch(url + path, {
        method,
        headers: {
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(opts.scopes ? { 'x-test-scopes': opts.scopes.join(',') } : {}),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = {};
      }
      return { status: res.status, body, text };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Every route of `routers` called anonymously must answer 401, and with too little scope 403 (a
 * `read` route with only `terminal`, any other with every scope but its own). Returns the routes that
 * did not, as "METHOD path: status", so a test can expect an empty list.
 */
export async function scopeViolations(srv: RouterServer, routers: readonly ApiRouter[]): Promise<string[]> {
  const all: readonly Scope[] = ['read', 'write', 'admin', 'terminal'];
  const bad: string[] = [];
  for (const doc of routers.flatMap((r) => r.docs)) {
    if (doc.auth === 'public') continue;
    const path = doc.path.replace(/:\w+/g, '1');
    const method = doc.method.toUpperCase();
    const anonymous = await srv.call(method, path);
    if (anonymous.status !== 401) bad.push(`${method} ${doc.path}: ${anonymous.status} anonymous`);
    const scopes = doc.auth === 'read' ? (['terminal'] as const) : all.filter((s) => s !== doc.auth);
    const under = await srv.call(method, path, { scopes });
    if (under.status !== 403) bad.push(`${method} ${doc.path}: ${under.status} with ${scopes.join(',')}`);
  }
  return bad;
}
