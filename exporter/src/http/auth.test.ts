import type { Server } from 'node:http';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../test-support/server.js';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer({ auth: { trusted_proxies: ['127.0.0.1/32'] } });
  admin = await s.adminToken();
});
afterAll(() => s.stop());

/** The routes that answer without a credential: and no others. */
const PUBLIC = [
  'GET /api/auth/status',
  'POST /api/auth/setup',
  'POST /api/auth/login',
  'POST /api/auth/refresh',
  // Overall status only, for uptime checkers; `health.public_probe: false` puts it behind `read`.
  'GET /api/health/probe',
  // Receivers: they check their own shared secret (and do not exist without one).
  'POST /api/notifications/alertmanager',
  'POST /api/notifications/pve-webhook',
];

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: unknown;
}

/** Every method+path the express app answers, found by walking its router stack. */
function routeTable(server: Server): string[] {
  type App = { router: { stack: Layer[] } };
  // The app itself, or the /metrics fast path in front of it.
  const listener = server.listeners('request')[0] as unknown as App | { app: App };
  const app = 'app' in listener ? listener.app : listener;
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods))
          out.push(`${m.toUpperCase()} ${prefix}${layer.route.path === '/' ? '' : layer.route.path}`);
      } else if (layer.handle.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk(app.router.stack, '');
  return [...new Set(out)].sort();
}

const concrete = (path: string) => path.replace(/:\w+/g, '1');

describe('route coverage', () => {
  it('every /api route answers 401 anonymous and 403 under-scoped, except the explicit allowlist', async () => {
    const routes = routeTable(s.server).filter((r) => r.split(' ')[1]!.startsWith('/api'));
    expect(routes.length).toBeGreaterThan(20);
    // Credentials with too little: a viewer (read only) and an API token holding only `terminal`.
    const created = await s.call('POST', '/api/auth/users', {
      token: admin,
      body: { username: 'viewer', password: 'only reads, never writes', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const viewer = (
      await s.call('POST', '/api/auth/login', {
        body: { username: 'viewer', password: 'only reads, never writes' },
      })
    ).body.access_token as string;
    const terminalOnly = (
      await s.call('POST', '/api/auth/tokens', { token: admin, body: { name: 't', scopes: ['terminal'] } })
    ).body.token as string;

    const doc = (await s.call('GET', '/api/openapi.json', { token: admin })).body as {
      paths: Record<string, Record<string, { 'x-auth'?: string }>>;
    };
    const publicSeen: string[] = [];
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      const anonymous = await s.call(method, concrete(path));
      if (anonymous.status !== 401) {
        publicSeen.push(route);
        continue;
      }
      expect(anonymous.body, route).toMatchObject({ error: { code: 'unauthorized' } });
      const scope = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()]?.['x-auth'] ?? 'read';
      const under = scope === 'read' ? terminalOnly : viewer;
      const r = await s.call(method, concrete(path), { token: under });
      expect(r.status, `${route} needs ${scope}`).toBe(403);
    }
    expect(publicSeen.sort()).toEqual([...PUBLIC].sort());
  });
});

describe('sessions', () => {
  const me = (token: string) => s.call('GET', '/api/auth/me', { token });

  it('rejects tampered, unsigned, expired and wrong-audience JWTs', async () => {
    expect((await me(admin)).status).toBe(200);
    const [h, p, sig] = admin.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forge = (claims: Record<string, unknown>) =>
      `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    const wrongKey = new TextEncoder().encode('x'.repeat(32));
    const signed = (claims: Record<string, unknown>, audience = 'proxmon-api', exp = '5m') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('proxmon')
        .setAudience(audience)
        .setSubject(String(payload.sub))
        .setExpirationTime(exp)
        .sign(wrongKey);
    const cases = {
      'alg none': new UnsecuredJWT(payload).encode(),
      'changed payload': forge({ ...payload, sub: '2' }),
      'wrong signature': await signed({ pwv: payload.pwv }),
      expired: forge({ ...payload, exp: 1 }),
      'wrong audience': forge({ ...payload, aud: 'grafana' }),
    };
    for (const [name, token] of Object.entries(cases)) {
      const r = await me(token);
      expect(r.status, name).toBe(401);
    }
  });

  it('rotates refresh tokens; a revoked or replayed one is refused', async () => {
    const login = (await s.call('POST', '/api/auth/login', { body: ADMIN })).body;
    const r1 = await s.call('POST', '/api/auth/refresh', { body: { refresh_token: login.refresh_token } });
    expect(r1.status).toBe(200);
    // The old one was rotated out: presenting it again is refused (and revokes the rest: it leaked).
    expect(
      (await s.call('POST', '/api/auth/refresh', { body: { refresh_token: login.refresh_token } })).status,
    ).toBe(401);
    expect(
      (await s.call('POST', '/api/auth/refresh', { body: { refresh_token: r1.body.refresh_token } })).status,
    ).toBe(401);
    const fresh = (await s.call('POST', '/api/auth/login', { body: ADMIN })).body;
    await s.call('POST', '/api/auth/logout', {
      token: fresh.access_token as string,
      body: { refresh_token: fresh.refresh_token },
    });
    expect(
      (await s.call('POST', '/api/auth/refresh', { body: { refresh_token: fresh.refresh_token } })).status,
    ).toBe(401);
  });

  it('a read-scoped API token cannot write; the token is shown once and stored hashed', async () => {
    const created = await s.call('POST', '/api/auth/tokens', {
      token: admin,
      body: { name: 'grafana', scopes: ['read'] },
    });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^pxm_/);
    expect((await s.call('GET', '/api/system', { token })).status).toBe(200);
    const write = await s.call('POST', '/api/auth/users', {
      token,
      body: { username: 'x', password: 'y'.repeat(20), role: 'viewer' },
    });
    expect(write.status).toBe(403);
    const listed = await s.call('GET', '/api/auth/tokens', { token: admin });
    expect(JSON.stringify(listed.body)).not.toContain(token);
    await s.call('DELETE', `/api/auth/tokens/${created.body.id as number}`, { token: admin });
    expect((await s.call('GET', '/api/system', { token })).status).toBe(401);
  });
});

describe('login rate limit and client IP', () => {
  it('a spoofed X-Forwarded-For from an untrusted peer changes nothing: 30 bad logins are still limited', async () => {
    const limited = await startTestServer({ auth: { trusted_proxies: ['192.0.2.0/24'] } });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 30; i++) {
        const r = await limited.call('POST', '/api/auth/login', {
          body: { username: `user${i}`, password: 'wrong password' },
          headers: { 'x-forwarded-for': `198.51.100.${i}` },
        });
        statuses.push(r.status);
        retryAfter ??= r.headers.get('retry-after');
      }
      expect(statuses.slice(0, 10).every((c) => c === 401)).toBe(true);
      expect(statuses.slice(10).every((c) => c === 429)).toBe(true);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });

  it('believes X-Forwarded-For only from a trusted proxy, taking the right-most untrusted hop', async () => {
    // The test client (127.0.0.1) is a trusted proxy here: the client is the hop it appended.
    await s.call('POST', '/api/auth/login', {
      body: { username: 'nobody', password: 'wrong password' },
      headers: { 'x-forwarded-for': '203.0.113.50, 198.51.100.9' },
    });
    const failures = (await s.call('GET', '/api/security/auth-failures', { token: admin })).body
      .failures as Array<{ ip: string }>;
    expect(failures[0]?.ip).toBe('198.51.100.9');
  });
});
