import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import pluginJson from './plugin.json';
import { api } from './api/client';
import { ROUTES } from './constants';
import { routes } from './test-support/grafana';
import { repoRoot } from './test-support/exporter';
import { matchRoute, type GrafanaRole, type PluginRoute } from './test-support/routes';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const usesToken = (r: PluginRoute, key: string) =>
  (r.headers ?? []).some((h) => h.content.includes(`.SecureJsonData.${key}`));

describe('plugin.json routes', () => {
  it('every route names one method, a role and exactly one of the two tokens', () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) {
      // Grafana compares the method verbatim: "POST,PUT" never matches and "*" or "" match everything.
      expect(METHODS).toContain(r.method);
      expect(r.method).not.toContain(',');
      expect(['Viewer', 'Editor', 'Admin']).toContain(r.reqRole);
      expect(r.url.startsWith('{{ .JsonData.exporterUrl }}/api/')).toBe(true);
      expect([usesToken(r, 'readToken'), usesToken(r, 'adminToken')].filter(Boolean)).toHaveLength(1);
    }
  });

  it('only GET routes are open to Viewers, and they carry the read token, never the admin token', () => {
    for (const r of routes.filter((x) => x.reqRole !== 'Admin')) {
      expect({ path: r.path, method: r.method, role: r.reqRole }).toEqual({
        path: r.path,
        method: 'GET',
        role: 'Viewer',
      });
      expect(usesToken(r, 'adminToken')).toBe(false);
      expect(usesToken(r, 'readToken')).toBe(true);
    }
    for (const r of routes.filter((x) => usesToken(x, 'adminToken'))) {
      expect(r.reqRole).toBe('Admin');
    }
  });

  it('terminal routes are Admin only, with the admin token, and come before the generic ones', () => {
    const terminal = routes.filter((r) => r.path.startsWith('api/terminal'));
    expect(terminal.map((r) => r.method).sort()).toEqual(['GET', 'POST']);
    for (const r of terminal) {
      expect(r.reqRole).toBe('Admin');
      expect(usesToken(r, 'adminToken')).toBe(true);
    }
    for (const method of ['GET', 'POST']) {
      for (const p of ['api/terminal/ws', 'api/terminal/ticket', 'api/terminal/sessions']) {
        const m = matchRoute(routes, method, p, 'Admin');
        expect(m.ok && m.route.path).toBe('api/terminal/*');
        expect(matchRoute(routes, method, p, 'Viewer')).toMatchObject({ ok: false, status: 403 });
      }
    }
  });

  it('a Viewer reaches reads only: writes and admin reads are refused by the route table', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(matchRoute(routes, method, 'api/health/acknowledge', 'Viewer')).toMatchObject({
        ok: false,
        status: 403,
      });
      expect(matchRoute(routes, method, 'api/health/acknowledge', 'Editor')).toMatchObject({ ok: false });
    }
    for (const p of ['api/security/audit', 'api/auth/users', 'api/terminal/sessions']) {
      expect(matchRoute(routes, 'GET', p, 'Viewer')).toMatchObject({ ok: false, status: 403 });
    }
    const read = matchRoute(routes, 'GET', 'api/health/status', 'Viewer');
    expect(read.ok && usesToken(read.route, 'readToken')).toBe(true);
  });

  interface OpenApi {
    paths: Record<string, Record<string, { 'x-auth': 'public' | 'read' | 'write' | 'admin' | 'terminal' }>>;
  }

  it("routes every operation of the real exporter's API to a token that may call it, per Grafana role", async () => {
    // The exporter documents each operation's scope; the read token holds `read`, the admin token all four.
    const spec = await api<OpenApi>('openapi.json');
    const ops = Object.entries(spec.paths).flatMap(([p, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({
        method: method.toUpperCase(),
        path: `api${p.replace(/^\/api/, '').replace(/\{[^}]+\}/g, 'x')}`,
        auth: op['x-auth'],
      })),
    );
    expect(ops.length).toBeGreaterThan(50);
    for (const op of ops) {
      const admin = matchRoute(routes, op.method, op.path, 'Admin');
      expect({ op, ok: admin.ok }).toEqual({ op, ok: true });
      const viaReadToken = admin.ok && usesToken(admin.route, 'readToken');
      if (viaReadToken) {
        expect({ op, auth: op.auth }).toEqual({ op, auth: expect.stringMatching(/^(public|read)$/) });
      }
      for (const role of ['Viewer', 'Editor'] as GrafanaRole[]) {
        const m = matchRoute(routes, op.method, op.path, role);
        if (m.ok) {
          expect({ op, method: m.route.method, read: usesToken(m.route, 'readToken') }).toEqual({
            op,
            method: 'GET',
            read: true,
          });
        }
      }
    }
  });
});

describe('plugin.json includes', () => {
  const includes = pluginJson.includes as Array<Record<string, unknown>>;

  it('lists exactly the dashboards of dashboards/, by file and uid', () => {
    const dir = path.join(repoRoot, 'dashboards');
    const onDisk = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => {
        const d = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { uid: string };
        return { type: 'dashboard', path: `dashboards/${f}`, uid: d.uid };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
    const listed = includes
      .filter((i) => i.type === 'dashboard')
      .map((i) => ({ type: i.type, path: i.path, uid: i.uid }))
      .sort((a, b) => String(a.path).localeCompare(String(b.path)));
    expect(onDisk.length).toBeGreaterThan(0);
    expect(listed).toEqual(onDisk);
  });

  it('has a page per route, Overview by default, and the nested terminal panel', () => {
    const pages = includes.filter((i) => i.type === 'page' && String(i.path).startsWith('/a/'));
    expect(pages.map((p) => p.path)).toEqual(Object.values(ROUTES).map((r) => `/a/%PLUGIN_ID%/${r}`));
    expect(pages.filter((p) => p.defaultNav).map((p) => p.name)).toEqual(['Overview']);
    for (const p of pages) {
      expect(p.role).toBe(p.name === 'Overview' ? 'Viewer' : 'Admin');
    }
    expect(includes).toContainEqual({ type: 'panel', name: 'Terminal' });
  });
});
